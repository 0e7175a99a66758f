/* SPDX-License-Identifier: MIT */
/*
 * model.h (internal to lib/report): the diagnosis turned into what both
 * renderers draw from: times parsed and normalised to UTC, the timeline of
 * every source merged and sorted, per-source spans, filesystem fill points,
 * the detection-gap evaluation and the action items.
 *
 * Every string in the model is a redacted copy owned by the model (never a
 * pointer into the JSON), so the renderers cannot write an unredacted byte.
 * Renderers still escape each string for their output language.
 */
#ifndef TSHOOT_REPORT_MODEL_H
#define TSHOOT_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/timeutil.h"

/* Caps: a report stays readable and bounded whatever the input holds. */
#define RP_MAX_EVENTS    400
#define RP_MAX_HYPS      12
#define RP_MAX_EVIDENCE  40
#define RP_MAX_TEXT      600
#define RP_MAX_SERVICES  40
#define RP_MAX_SOURCES   200
#define RP_MAX_FS_POINTS 2000
#define RP_MAX_SERIES    720
#define RP_MAX_CHAIN     12
#define RP_MAX_ZONES     8
#define RP_MAX_ACTIONS   40
#define RP_MAX_RULES     40

struct rp_time {
    ts_time_t t;   /* UTC, TS_TIME_NONE when absent or unparsable */
    int off_min;   /* the zone offset the source wrote, minutes east of UTC */
    bool has_zone; /* false: no zone in the input, UTC assumed */
};

struct rp_event {
    struct rp_time when;
    char *source, *kind, *text, *service; /* service may be NULL */
    bool derived;                         /* added by the report (alert evaluation) */
};

struct rp_evidence {
    struct rp_time when;
    char *kind, *ref, *text;
    double weight;
    long long count;
};

struct rp_rule {
    char *alert, *expr, *for_, *why;
};

struct rp_check {
    char *cmd, *why;
};

struct rp_hyp {
    char *id, *category, *title, *confidence, *subject, *mitigation, *fix;
    double score;
    struct rp_evidence *ev, *against;
    size_t n_ev, n_ev_total, n_against, n_against_total;
    char **chain, **arithmetic, **blast;
    size_t n_chain, n_arithmetic, n_blast;
    struct rp_check *checks;
    size_t n_checks;
    struct rp_rule *rules;
    size_t n_rules;
};

struct rp_service {
    char *name;
    struct rp_time first;
    ts_time_t last; /* last event attributed to the service, or TS_TIME_NONE */
    long long errors;
    /* error counts per step, from services[].series (n_series == 0: none) */
    ts_time_t series_start;
    int64_t series_step_ns;
    double *series;
    size_t n_series;
};

struct rp_source_span {
    char *source;
    ts_time_t first, last;
    size_t events;
};

struct rp_fs_point {
    ts_time_t t;
    double pct;
    char *subject, *source;
};

/* One built-in alert condition evaluated over the fs points. */
struct rp_gap {
    const char *name; /* "TshootFilesystemNearlyFull" ... (static) */
    const char *cond; /* human condition (static) */
    char *subject;    /* the filesystem, NULL when none was seen */
    ts_time_t fires;  /* when it would have fired, TS_TIME_NONE: never / no data */
    char *basis;      /* how it was evaluated */
    bool existed;     /* an alert event in the evidence matches it */
};

struct rp_action {
    int prio; /* 0..3 */
    char *what, *from;
};

struct rp_source_info {
    char *path, *kind;
    long long lines;
    bool timed;
};

struct rp_model {
    char *generated_at, *bundle;
    struct rp_hyp *hyps;
    size_t n_hyps, n_hyps_total;
    struct rp_event *events;
    size_t n_events, n_events_total;
    struct rp_service *services;
    size_t n_services;
    struct rp_source_span *spans;
    size_t n_spans;
    struct rp_fs_point *fs;
    size_t n_fs;
    struct rp_gap gaps[3];
    size_t n_gaps;
    struct rp_action *actions;
    size_t n_actions;
    struct rp_rule *rules; /* borrowed copies of hyps' rules (pointers into hyps) */
    size_t n_rules;
    struct rp_source_info *sources;
    size_t n_sources;
    char **unreadable; /* "path: reason" */
    size_t n_unreadable;
    char **untimed;
    size_t n_untimed;
    char **factors;
    size_t n_factors;
    char *rules_yaml;        /* alert_rules_yaml attached, or NULL */
    int zones[RP_MAX_ZONES]; /* distinct non-UTC offsets converted */
    size_t n_zones;
    bool assumed_utc;     /* some time had no zone */
    ts_time_t start, end; /* first and last anomaly (impact window) */
    ts_time_t axis_min, axis_max;
    ts_time_t first_alert; /* first alert event in the evidence */
    char *first_alert_text;
};

/* Build the model. diag is borrowed. 0, -EINVAL (not a diagnose document),
 * -ENOMEM. */
int rp_model_build(json_t *diag, struct rp_model **ret);
struct rp_model *rp_model_free(struct rp_model *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rp_model *, rp_model_free);

/* Parse an RFC 3339 time ("2026-04-18T10:00:00.5+02:00", "...Z", a space
 * instead of T, no zone = UTC assumed). 0 or -EINVAL. */
int rp_parse_time(const char *s, struct rp_time *ret);

/* "2026-04-14 21:22:40 UTC" (no seconds when they are 0 is not done: exact). */
char *rp_fmt_time(ts_time_t t, char *buf, size_t size);
/* "+02:00" */
char *rp_fmt_zone(int off_min, char *buf, size_t size);
/* "44h05m", "3d4h", "12m" */
char *rp_fmt_dur(int64_t ns, char *buf, size_t size);

/* Output with a sticky error: the first failure is kept, later writes are
 * no-ops, so renderers check once at the end. */
struct rp_out {
    struct buf b;
    int err;
};
void rp_puts(struct rp_out *o, const char *s);
/* Hand the document over: the sticky error, or *ret (caller-owned).
 * Releases o either way. */
int rp_finish(struct rp_out *o, char **ret);
_printf_(2, 3) void rp_printf(struct rp_out *o, const char *fmt, ...);

/* Escapers (append to o). Control characters and newlines become spaces. */
void rp_html(struct rp_out *o, const char *s);                /* text and attribute values */
void rp_md(struct rp_out *o, const char *s);                  /* inline Markdown text, table-safe */
void rp_md_code(struct rp_out *o, const char *s, bool table); /* inline code span */
void rp_mermaid(struct rp_out *o, const char *s);             /* inside a quoted Mermaid label */
void rp_yaml_str(struct rp_out *o, const char *s);            /* double-quoted YAML scalar */

/* The priority names. */
const char *rp_prio_name(int prio);

/* The SVG figures (html.c uses them). */
void rp_svg_timeline(struct rp_out *o, const struct rp_model *m);
void rp_svg_chain(struct rp_out *o, const struct rp_hyp *h);

#endif
