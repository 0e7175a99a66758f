/* SPDX-License-Identifier: MIT */
/*
 * internal.h: the evidence engine shared by lib/rca (not a public API).
 *
 * Every input (log line, k8s object, snapshot row, metric sample) ends up as
 * evidence in a struct ev: per source counters for the timeline, per
 * pattern hit statistics from the Hyperscan scan, and structured facts
 * (filesystems, hotspots, findings, metric samples) for non-log signals.
 */
#ifndef TSHOOT_RCA_INTERNAL_H
#define TSHOOT_RCA_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include "core/buf.h"
#include "core/timeutil.h"
#include "logs/logs.h"
#include "rca/kb.h"
#include "rca/signatures.h"

#define EV_MAX_SOURCES 4096
#define EV_MAX_SAMPLES 3
#define EV_TEXT_MAX    400

enum ev_kind { EV_LOG = 0, EV_SNAPSHOT, EV_K8S, EV_METRIC, EV_NOTE, EV_DEPS };
const char *ev_kind_name(enum ev_kind k);
/* evidence kind name for the JSON "kind" of one evidence entry */
const char *ev_kind_evname(enum ev_kind k);

struct ev_source {
    char *path;    /* as shown (bundle-relative when inside a bundle) */
    char *service; /* service name derived from the path */
    enum ev_kind kind;
    uint64_t lines;
    uint64_t timed;
    uint64_t errors;
    uint64_t http_4xx, http_5xx;
    ts_time_t first_time, last_time;
    ts_time_t first_error_time;
    uint64_t first_error_seq;
    char *first_error_text;
    uint64_t first_error_line;
    ts_time_t first_http_time;
    char *first_http_text;
    uint64_t first_http_line;
    int status_hist[6]; /* 0: other, 1..5: Nxx */
    int status_400;
    uint64_t fallback_tries, fallback_hits; /* rca_line_time use */
};

struct ev_hit {
    uint64_t count;
    ts_time_t first_time;
    uint64_t first_seq;
    int n_samples;
    char *ref[EV_MAX_SAMPLES]; /* "path:line" */
    char *text[EV_MAX_SAMPLES];
    ts_time_t time[EV_MAX_SAMPLES];
    enum ev_kind kind[EV_MAX_SAMPLES];
    uint32_t services; /* bitmask of the first 32 sources' services hit */
    int first_source;
};

struct ev_fs {
    char *ref, *mountpoint, *fstype, *device, *subject;
    double size, used, avail, used_pct, inodes_total, inodes_used, inodes_pct;
    int readonly;
};

struct ev_hotspot {
    char *ref, *dir, *prefix, *fs;
    double count, bytes, rate_per_min;
    ts_time_t oldest, newest;
    char *subject;
};

struct ev_finding {
    char *ref, *id, *severity, *subject, *message;
};

struct ev_metric {
    char *name, *labels, *ref;
    double value;
    ts_time_t time;
};

struct ev_edge {
    char *from, *to; /* from depends on to */
    char *why;
};

struct ev {
    const struct kb *kb;
    struct sigdb *db;
    struct ev_source *src;
    size_t n_src;
    struct ev_hit *pat;  /* per pattern id */
    struct ev_hit **sig; /* per rule, per signal (capture signals only; others use pat) */
    struct ev_hit **against_hits;
    uint64_t seq;
    size_t max_line;
    uint64_t bytes, max_bytes;
    ts_time_t since;
    uint32_t *idbuf;
    size_t idbuf_n;
    struct ev_fs *fs;
    size_t n_fs;
    struct ev_hotspot *hot;
    size_t n_hot;
    struct ev_finding *find;
    size_t n_find;
    struct ev_metric *met;
    size_t n_met;
    struct ev_edge *edges;
    size_t n_edges;
    json_t *unreadable;   /* [{path, reason}] */
    json_t *timeline;     /* extra timeline entries (k8s restarts, oom, notes) */
    json_t *notes;        /* strings */
    char *notes_text;     /* notes.md contents (capped) */
    json_t *snapshots;    /* borrowed references of loaded snapshots (owned array) */
    int64_t retention_ns; /* from notes/deps, 0 unknown */
    int year_hint;
    char *scratch; /* log_parse_line scratch, max_line + 64 bytes */
    struct ev_window {
        uint32_t rule, signal;
        int src;
        uint64_t until; /* last line number of the window */
    } windows[16];
    size_t n_windows;
    unsigned monitors_down, monitors_total; /* worst metrics snapshot */
    char *monitors_down_names, *monitors_ref;
    ts_time_t monitors_time;
};

int ev_init(struct ev *e, const struct kb *kb, struct sigdb *db);
void ev_done(struct ev *e);

/* Register a source; returns its index or -errno. */
int ev_source_add(struct ev *e, const char *path, const char *service, enum ev_kind kind);
/* One line of a source (no newline). */
int ev_line(struct ev *e, int src, const char *line, size_t len, uint64_t lineno);
/* The same for a record whose time and level are known from elsewhere (the
 * journal's realtime stamp and PRIORITY): time (unless TS_TIME_NONE)
 * replaces what the line says, level raises it. */
int ev_line_at(struct ev *e, int src, const char *line, size_t len, uint64_t lineno, ts_time_t time,
               enum log_level level);
/* One synthetic evidence line (k8s objects, notes): scanned like a log line;
 * `time` may be TS_TIME_NONE; `ref` names the origin. */
int ev_fact(struct ev *e, int src, const char *text, ts_time_t time, const char *ref);
int ev_unreadable(struct ev *e, const char *path, const char *reason);
int ev_timeline(struct ev *e, ts_time_t t, const char *source, const char *kind, const char *text);
int ev_edge_add(struct ev *e, const char *from, const char *to, const char *why);

/* Line splitter over chunks with a line cap. */
struct linesplit {
    char *buf;
    size_t len, cap;
    uint64_t lineno;
    int skipping; /* inside an over-long line */
    uint64_t truncated;
};
int linesplit_init(struct linesplit *ls, size_t cap);
void linesplit_done(struct linesplit *ls);
typedef int (*line_fn)(void *u, const char *line, size_t len, uint64_t lineno);
int linesplit_feed(struct linesplit *ls, const char *p, size_t n, line_fn fn, void *u);
int linesplit_finish(struct linesplit *ls, line_fn fn, void *u);

/* Read one log file (plain or gzip) into the evidence. */
int ev_read_log(struct ev *e, const char *path, const char *shown, const char *service);

/* Inputs by type (bundle.c dispatches to these). */
int ev_add_snapshot(struct ev *e, json_t *snap, const char *ref);
int ev_add_k8s(struct ev *e, json_t *doc, const char *ref);
int ev_add_metrics_text(struct ev *e, const char *text, size_t len, const char *ref);
int ev_add_deps_yaml(struct ev *e, const char *text, size_t len, const char *ref);
int ev_add_notes(struct ev *e, const char *text, size_t len, const char *ref);
/* diagnose --prometheus: the rules' metric series over the window (prom.c).
 * 0 or -ENOMEM; Prometheus failures are listed as unreadable. */
struct diagnose_opts;
int ev_add_prometheus(struct ev *e, const struct diagnose_opts *o);
/* Walk a bundle directory or .tar.gz. */
int bundle_load(struct ev *e, const char *path);
/* Every regular file below a directory as a log (no symlinks followed). */
int logs_dir_load(struct ev *e, const char *path);

/* Timestamp at the start of a line (after container prefixes), or inside
 * JSON "time"/"timestamp"/"ts" fields. TS_TIME_NONE when none. */
ts_time_t rca_line_time(const char *s, size_t n, int year_hint);

/* Service name for a bundle-relative log path ("logs/outpost/x.log" ->
 * "outpost", "logs/ingress.log" -> "ingress"), caller-owned. */
char *service_from_path(const char *rel);

#endif
