/* SPDX-License-Identifier: MIT */
/*
 * alerts.h: built-in alert evaluation, notification and the Prometheus rules
 * file.
 *
 * State machine per alert instance (alert name + label set), the same one
 * Prometheus uses: inactive -> pending (condition true) -> firing (true for
 * at least `for`) -> resolved (condition false or the subject gone). One
 * event per transition (de-duplication); a firing alert is re-sent to
 * Alertmanager every `resend` so that Alertmanager does not time it out, and
 * its endsAt is set on resolve.
 *
 *     alerts_begin(e);
 *     alerts_observe(e, "TshootFilesystemNearlyFull", labels, annotations, cond, now);
 *     ...
 *     alerts_end(e, now, &events, &n_events);   // transitions of this round
 */
#ifndef TSHOOT_METRICS_ALERTS_H
#define TSHOOT_METRICS_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

#define ALERTS_MAX 10000

enum alert_state {
    ALERT_INACTIVE,
    ALERT_PENDING,
    ALERT_FIRING,
};

enum alert_event_kind {
    ALERT_EV_FIRING,   /* became firing */
    ALERT_EV_RESOLVED, /* was firing, condition gone */
    ALERT_EV_RESEND,   /* still firing, due for a re-send to Alertmanager */
};

struct alert_event {
    enum alert_event_kind kind;
    json_t *alert; /* Alertmanager v2 shape: {labels, annotations, startsAt, endsAt?,
                      generatorURL}; owned by the event array */
};

struct alert_engine;

struct alert_engine_opts {
    int64_t for_ns;    /* default `for`; 0 fires on the first true observation */
    int64_t resend_ns; /* 0 = 1 min */
};

int alert_engine_new(const struct alert_engine_opts *o, struct alert_engine **ret);
struct alert_engine *alert_engine_free(struct alert_engine *e);
void alert_engine_set_opts(struct alert_engine *e, const struct alert_engine_opts *o);

void alerts_begin(struct alert_engine *e);
/* Observe one condition. labels: object of string values (borrowed, copied;
 * must hold "alertname"); annotations: object (borrowed, copied). for_ns < 0
 * uses the engine default. Returns 0, -E2BIG past ALERTS_MAX instances,
 * -ENOMEM, -EINVAL. */
int alerts_observe(struct alert_engine *e, json_t *labels, json_t *annotations, bool active,
                   int64_t for_ns, ts_time_t now);
/* Close the round: instances not observed count as inactive. Returns the
 * transitions (caller frees with alert_events_free). */
int alerts_end(struct alert_engine *e, ts_time_t now, struct alert_event **ret, size_t *ret_n);
void alert_events_free(struct alert_event *ev, size_t n);
/* Counts by state (for metrics). */
void alerts_count(const struct alert_engine *e, size_t *ret_pending, size_t *ret_firing);
/* The firing alerts as a JSON array (caller owns). */
json_t *alerts_firing_json(const struct alert_engine *e);

/* HTTP delivery (libcurl). Every request has a connect and a total timeout;
 * `cancel` (optional) is polled and aborts a transfer when it becomes true. */
struct notify_opts {
    const char *alertmanager_url; /* base URL; POST {url}/api/v2/alerts */
    const char *webhook_url;      /* POST the JSON envelope below */
    const char *bearer_token_file;
    int64_t timeout_ms; /* total per request; 0 = 5000 */
    volatile int *cancel;
};
/* Send events: Alertmanager gets every event (firing, resend, resolved) as one
 * array; the webhook gets firing and resolved transitions only, as
 * {"version":"1","source":"tshoot","status":"firing|resolved","alerts":[...]}.
 * Returns 0, or the first -errno (-ECONNREFUSED, -ETIMEDOUT, -EPROTO for a
 * non-2xx answer); *ret_err (optional, caller frees) gets one line. */
int alerts_notify(const struct notify_opts *o, const struct alert_event *ev, size_t n,
                  char **ret_err);

/* The Prometheus rules file. */
struct alert_opts {
    double threshold_pct;  /* 80 */
    double horizon_s;      /* 86400 */
    const char *for_short; /* "5m"  (near-full, OOM, fds) */
    const char *for_long;  /* "15m" (predictions, leaks) */
    int kuma_min_down;     /* 3 monitors down together */
};
/* Fill defaults for zero/NULL fields. */
void alert_opts_defaults(struct alert_opts *o);
/* YAML text of the rules (caller owns). 0, -ENOMEM, -EINVAL. */
int alert_rules_yaml(const struct alert_opts *o, char **ret);

#endif
