/* SPDX-License-Identifier: MIT */
/*
 * watch.h: the `tshoot watch` engine: sample filesystems (host and
 * containers), hot prefixes of tmpfs directories and process memory/fds,
 * keep bounded history, predict exhaustion, evaluate the built-in alerts and
 * render the Prometheus exposition.
 *
 * Not thread-safe: one thread samples and renders; the HTTP server gets a
 * rendered copy (see lib/serve).
 *
 *     struct watch *w;
 *     watch_new(&opts, &w);
 *     for (;;) {
 *         watch_sample(w, ts_now(), &stats);          // bounded by opts.probe_timeout_ns
 *         watch_alert_events(w, &ev, &n);             // transitions, to notify/log
 *         watch_render(w, &buf);
 *     }
 */
#ifndef TSHOOT_METRICS_WATCH_H
#define TSHOOT_METRICS_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "metrics/alerts.h"

#define WATCH_MAX_FS        2048
#define WATCH_MAX_HOT       512 /* hot-prefix series in total */
#define WATCH_MAX_PROCESSES 64

struct watch_opts {
    int64_t interval_ns;      /* default 15 s */
    int64_t probe_timeout_ns; /* per sample; default min(interval / 2, 5 s) */
    double horizon_s;         /* predicted-full alert horizon; default 86400 */
    int64_t for_ns;           /* `for` of the built-in alerts; default 5 min; 0 allowed */
    bool for_set;             /* for_ns given explicitly (0 is a value) */
    double threshold_pct;     /* near-full threshold; default 80 */
    const char *const *globs; /* mountpoint globs to watch (borrowed), none = all */
    size_t n_globs;
    bool no_containers;
    bool no_processes;
    unsigned hot_min;     /* entries with one prefix before it is reported; default 16 */
    size_t max_processes; /* processes tracked for leaks; default 32 */
    const char *proc;     /* "/proc" */
    const char *instance; /* "instance" label of alerts (hostname) */
};

struct watch_stats {
    size_t targets, late, errors, skipped_namespaces, processes;
    int64_t duration_ns;
    uint64_t samples;
};

struct watch;

int watch_new(const struct watch_opts *o, struct watch **ret);
struct watch *watch_free(struct watch *w);
/* Apply new options (SIGHUP); history is kept. */
int watch_set_opts(struct watch *w, const struct watch_opts *o);

/* Take one sample at wall time now. Never blocks past the probe deadline.
 * Returns 0 or -errno (-ENOENT without /proc); *st (optional) gets counts. */
int watch_sample(struct watch *w, ts_time_t now, struct watch_stats *st);
/* Alert transitions of the last sample (caller frees with alert_events_free). */
int watch_alert_events(struct watch *w, struct alert_event **ret, size_t *ret_n);
/* Borrowed alert engine (counts, firing list). */
struct alert_engine *watch_alerts(struct watch *w);

/* Append the whole exposition (all families with HELP/TYPE). */
int watch_render(struct watch *w, struct buf *out);
/* Count a failed notification (exported as tshoot_watch_notify_errors_total). */
void watch_note_notify_error(struct watch *w);
/* Mark the state file as memory-only (exported as tshoot_watch_state_persisted 0). */
void watch_note_state(struct watch *w, bool persisted);

/* Persisted history: iterate every series as (key, blob) and restore one. */
typedef int (*watch_blob_fn)(void *userdata, const char *key, const void *blob, size_t n);
int watch_export_series(struct watch *w, watch_blob_fn fn, void *userdata);
/* Restore history for key (applied when the series appears). 0, -EINVAL for
 * a malformed blob, -E2BIG past the cap of pending restores. */
int watch_import_series(struct watch *w, const char *key, const void *blob, size_t n);

/* Summary of one filesystem for the --once report: iterate. */
struct watch_fs_view {
    const char *mountpoint, *fstype, *device, *pod, *pod_namespace, *container; /* borrowed */
    double size_bytes, avail_bytes, files, files_free;
    double predicted_full_s, files_predicted_full_s, growth_bytes_per_s;
    bool late, error;
};
typedef void (*watch_fs_fn)(void *userdata, const struct watch_fs_view *v);
void watch_foreach_fs(struct watch *w, watch_fs_fn fn, void *userdata);

#endif
