/* SPDX-License-Identifier: MIT */
/*
 * prom.c: `diagnose --prometheus URL`: the series the loaded rules' metric
 * conditions read, fetched over the diagnosis window through the Prometheus
 * HTTP API and fed to the same parser as a bundle's metrics/NAME.prom file.
 * One source per query, named "prometheus:QUERY". Prometheus being down,
 * slow or refusing is an unreadable input, never a failed diagnosis.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/redact.h"
#include "metrics/promql.h"
#include "rca/diagnose.h"
#include "rca/internal.h"

#define PROM_MAX_METRICS 32
#define PROM_MAX_BODY    (16u << 20)
#define PROM_BUDGET_NS   (30 * TS_NSEC_PER_SEC)

/* Distinct metric names of the rules' metric signals (and against signals),
 * borrowed from the kb, at most max. Returns the count. */
static size_t rule_metrics(const struct kb *kb, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < kb->n_rules; i++) {
        const struct kb_rule *r = &kb->rules[i];
        for (size_t k = 0; k < r->n_signals + r->n_against; k++) {
            const struct kb_signal *s =
                k < r->n_signals ? &r->signals[k] : &r->against[k - r->n_signals];
            if (s->type != KB_SIG_METRIC || !s->metric || !*s->metric) continue;
            size_t j;
            for (j = 0; j < n; j++)
                if (streq(names[j], s->metric)) break;
            if (j == n && n < max) names[n++] = s->metric;
        }
    }
    return n;
}

/* The condition of the first metric signal on `name`, as a PromQL filter
 * ("name < 1048576"): what to ask for when the raw series are too many. */
static char *filtered_expr(const struct kb *kb, const char *name)
{
    for (size_t i = 0; i < kb->n_rules; i++) {
        const struct kb_rule *r = &kb->rules[i];
        for (size_t k = 0; k < r->n_signals; k++) {
            const struct kb_signal *s = &r->signals[k];
            if (s->type != KB_SIG_METRIC || !streq_ptr(s->metric, name) || !s->op[0]) continue;
            char *x;
            if (asprintf(&x, "%s %s %.17g", name, s->op, s->value) < 0) return NULL;
            return x;
        }
    }
    return NULL;
}

static int unreadable_query(struct ev *e, const char *query, int err, const char *msg)
{
    char path[600], reason[700];
    snprintf(path, sizeof path, "prometheus:%s", query);
    snprintf(reason, sizeof reason, "%s", msg && *msg ? msg : strerror(-err));
    _cleanup_free_ char *red = redact_dup(reason, NULL);
    return ev_unreadable(e, path, red ? red : "query failed");
}

static int is_transport(int r)
{
    return r < 0 && r != -EPROTO && r != -EBADMSG && r != -EFBIG && r != -ENOMEM;
}

/* One query over the window into the evidence. 0, -ENOMEM, or the query's
 * -errno: listed as unreadable, except transport failures (their message
 * goes to *ret_err, caller owns) and -EFBIG when quiet_efbig. */
static int fetch_one(struct ev *e, const struct prom_client *c, const char *query, ts_time_t since,
                     ts_time_t until, int quiet_efbig, char **ret_err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_free_ char *err = NULL;
    size_t skipped = 0;
    const char *exprs[1] = { query };
    int r = prom_window_exposition(c, exprs, 1, since, until, 0, &text, &skipped, &err);
    if (r == -ENOMEM) return r;
    if (r < 0) {
        if (r == -EFBIG && quiet_efbig) return r;
        if (is_transport(r)) {
            *ret_err = TAKE_PTR(err);
            return r;
        }
        int q = unreadable_query(e, query, r,
                                 r == -EFBIG ? "too many series (answer over 16 MiB)" : err);
        return q < 0 ? q : r;
    }
    char ref[600];
    snprintf(ref, sizeof ref, "prometheus:%s", query);
    return ev_add_metrics_text(e, text, strlen(text), ref);
}

int ev_add_prometheus(struct ev *e, const struct diagnose_opts *o)
{
    if (!o->prometheus_url || !*o->prometheus_url) return 0;
    struct prom_client c = {
        .url = o->prometheus_url,
        .http = { .bearer_token_file = o->prometheus_bearer_token_file,
                  .ca_file = o->prometheus_ca_file,
                  .timeout_ms = o->prometheus_timeout_ms > 0 ? o->prometheus_timeout_ms : 5000,
                  .max_body = PROM_MAX_BODY },
    };
    ts_time_t until = ts_now();
    ts_time_t since =
        o->since_ns > 0 && o->since_ns < until ? o->since_ns : until - 3600 * TS_NSEC_PER_SEC;
    const char *names[PROM_MAX_METRICS];
    size_t n = rule_metrics(e->kb, names, ELEMENTSOF(names));
    ts_time_t deadline = until + PROM_BUDGET_NS;
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *terr = NULL;
        if (ts_now() > deadline)
            return unreadable_query(e, names[i], -ETIMEDOUT,
                                    "time budget for Prometheus queries spent");
        int r = fetch_one(e, &c, names[i], since, until, 1, &terr);
        if (r == -EFBIG) {
            /* too many series: only those meeting the rule's condition */
            _cleanup_free_ char *f = filtered_expr(e->kb, names[i]);
            if (f)
                r = fetch_one(e, &c, f, since, until, 0, &terr);
            else
                r = unreadable_query(e, names[i], r, "too many series (answer over 16 MiB)");
        }
        if (r == -ENOMEM) return r;
        /* transport failures: every other query would fail the same way */
        if (is_transport(r)) {
            _cleanup_free_ char *u = redact_dup(o->prometheus_url, NULL);
            char path[600], m[900];
            snprintf(path, sizeof path, "prometheus:%s", u ? u : "");
            snprintf(m, sizeof m, "%s (%zu of %zu queries not sent)", terr ? terr : strerror(-r),
                     n - i - 1, n);
            /* http.c's messages already redact the URL; redacting the
             * whole line again would hide "cannot read bearer token file" */
            return ev_unreadable(e, path, m);
        }
    }
    return 0;
}
