/* SPDX-License-Identifier: MIT */
/*
 * promql.h: Prometheus HTTP API client (instant and range queries).
 *
 * Both return the "data" object of the API answer as JSON
 * ({"resultType": "vector|matrix|scalar|string", "result": [...]}) or a
 * negative errno: -EPROTO when Prometheus answered with status "error"
 * (the message goes to *ret_err), -ECONNREFUSED/-ETIMEDOUT/... from the
 * transport, -EBADMSG for an answer that is not the API's JSON.
 * Credentials (bearer token file, basic auth password file) and TLS CA file
 * are passed through struct http_opts; the timeout is always bounded.
 */
#ifndef TSHOOT_METRICS_PROMQL_H
#define TSHOOT_METRICS_PROMQL_H

#include <jansson.h>

#include "core/timeutil.h"
#include "metrics/http.h"

struct prom_client {
    const char *url; /* base URL, e.g. http://127.0.0.1:9090 (a trailing / is fine) */
    struct http_opts http;
};

/* Instant query at time `at` (TS_TIME_NONE = server's now). */
int prom_query(const struct prom_client *c, const char *expr, ts_time_t at, json_t **ret,
               char **ret_err);
/* Range query [start, end] with step_s seconds (> 0; at most 11000 points,
 * the API's own limit, else -E2BIG before asking). */
int prom_query_range(const struct prom_client *c, const char *expr, ts_time_t start, ts_time_t end,
                     double step_s, json_t **ret, char **ret_err);

/* Parse a time argument: "now", "now-2h", "-2h" (relative to now), unix
 * seconds ("1700000000.5") or RFC 3339 ("2026-04-18T10:00:00Z", offsets
 * allowed). 0 or -EINVAL. */
int prom_parse_time(const char *s, ts_time_t now, ts_time_t *ret);

/* The series that diagnosis rules read (filesystems of tshoot and
 * node_exporter, OOM kills, fds, memory, Uptime Kuma monitor_status, restarts,
 * up, ALERTS), or the given expressions, over [since, until], rendered as
 * Prometheus exposition text with a millisecond timestamp on every sample:
 * the bundle's metrics/NAME.prom format, so `diagnose --prometheus` can read it
 * like a bundle file. step_s 0 picks one that keeps each series under 1000
 * points (at least 15 s). Expressions that fail or return nothing are
 * skipped and counted in *ret_skipped. Caller owns *ret. */
int prom_window_exposition(const struct prom_client *c, const char *const *exprs, size_t n_exprs,
                           ts_time_t since, ts_time_t until, double step_s, char **ret,
                           size_t *ret_skipped, char **ret_err);

#endif
