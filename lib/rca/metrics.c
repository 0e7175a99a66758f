/* SPDX-License-Identifier: MIT */
/*
 * metrics.c: Prometheus exposition text snapshots (metrics/NAME.prom). Every
 * sample becomes a (name, labels, value, time) fact for metric signals. The
 * snapshot time is the sample timestamp, else a "# tshoot-time: RFC3339"
 * line. Uptime Kuma's monitor_status{monitor_name=...} (1 up, 0 down) is
 * summarised: many monitors down in one snapshot is a common-cause signal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"
#include "rca/internal.h"

#define MAX_SAMPLES 200000

static int add_sample(struct ev *e, const char *name, size_t nl, const char *labels, size_t ll,
                      double v, ts_time_t t, const char *ref)
{
    if (e->n_met >= MAX_SAMPLES) return 0;
    if (e->n_met % 256 == 0) {
        struct ev_metric *n = realloc(e->met, (e->n_met + 256) * sizeof *n);
        if (!n) return -ENOMEM;
        e->met = n;
    }
    struct ev_metric *m = &e->met[e->n_met];
    m->name = strndup(name, nl);
    m->labels = strndup(labels, ll);
    m->ref = strdup(ref);
    m->value = v;
    m->time = t;
    if (!m->name || !m->labels || !m->ref) {
        free(m->name);
        free(m->labels);
        free(m->ref);
        return -ENOMEM;
    }
    e->n_met++;
    return 0;
}

/* value of label `key` in a label set, copied to out */
static int label(const char *labels, size_t ll, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    const char *p = labels, *end = labels + ll;
    while (p < end) {
        while (p < end && (*p == ',' || *p == ' ')) p++;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq + 1 >= end || eq[1] != '"') return 0;
        const char *q = eq + 2;
        size_t o = 0;
        while (q < end && *q != '"') {
            if (*q == '\\' && q + 1 < end) q++;
            if (o + 1 < n) out[o++] = *q;
            q++;
        }
        out[o] = 0;
        if ((size_t)(eq - p) == kl && memcmp(p, key, kl) == 0) return 1;
        p = q + 1;
    }
    return 0;
}

int ev_add_metrics_text(struct ev *e, const char *text, size_t len, const char *ref)
{
    int src = ev_source_add(e, ref, "", EV_METRIC);
    if (src < 0) return src;
    ts_time_t file_time = TS_TIME_NONE;
    const char *p = text, *end = text + len;
    uint64_t lineno = 0;
    unsigned down = 0, total = 0;
    char down_names[1024] = "";
    /* monitor_status series seen (a window has many samples per series):
     * counted once each, down when any sample is 0 */
    struct mon {
        char *labels;
        int down;
    } *mons = NULL;
    size_t n_mons = 0, last_mon = 0;
    int r = 0;
    while (p < end && r >= 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < le && isspace((unsigned char)*s)) s++;
        if (s == le) continue;
        if (*s == '#') {
            const char *tt = "# tshoot-time:";
            if ((size_t)(le - s) > strlen(tt) && strncmp(s, tt, strlen(tt)) == 0) {
                const char *v = s + strlen(tt);
                while (v < le && *v == ' ') v++;
                ts_time_t t;
                if (log_parse_time(v, (size_t)(le - v), 0, &t)) file_time = t;
            }
            continue;
        }
        const char *ns = s;
        while (s < le && (isalnum((unsigned char)*s) || *s == '_' || *s == ':')) s++;
        size_t nlen = (size_t)(s - ns);
        const char *lb = "";
        size_t lbl = 0;
        if (s < le && *s == '{') {
            const char *close = NULL;
            int inq = 0;
            for (const char *q = s + 1; q < le; q++) {
                if (*q == '\\') {
                    q++;
                    continue;
                }
                if (*q == '"') inq = !inq;
                if (*q == '}' && !inq) {
                    close = q;
                    break;
                }
            }
            if (!close) continue; /* malformed sample: skipped */
            lb = s + 1;
            lbl = (size_t)(close - lb);
            s = close + 1;
        }
        if (nlen == 0) continue;
        char *vend;
        char vbuf[64];
        while (s < le && *s == ' ') s++;
        size_t vl = TS_MIN((size_t)(le - s), sizeof vbuf - 1);
        memcpy(vbuf, s, vl);
        vbuf[vl] = 0;
        double v = strtod(vbuf, &vend);
        if (vend == vbuf) continue;
        ts_time_t t = file_time;
        long long ms = strtoll(vend, NULL, 10);
        if (ms > 1000000000000LL) t = (ts_time_t)ms * 1000000;
        char sref[600];
        snprintf(sref, sizeof sref, "%s:%llu", ref, (unsigned long long)lineno);
        r = add_sample(e, ns, nlen, lb, lbl, v, t, sref);
        e->src[src].lines++;
        if (t != TS_TIME_NONE) {
            e->src[src].timed++;
            if (e->src[src].first_time == TS_TIME_NONE || t < e->src[src].first_time)
                e->src[src].first_time = t;
        }
        if (nlen == strlen("monitor_status") && memcmp(ns, "monitor_status", nlen) == 0) {
            /* a window lists the samples of one series together */
            size_t k = last_mon;
            if (k >= n_mons || strlen(mons[k].labels) != lbl || memcmp(mons[k].labels, lb, lbl))
                for (k = 0; k < n_mons; k++)
                    if (strlen(mons[k].labels) == lbl && memcmp(mons[k].labels, lb, lbl) == 0)
                        break;
            if (k == n_mons && n_mons < 4096) {
                if (n_mons % 64 == 0) {
                    struct mon *nm = realloc(mons, (n_mons + 64) * sizeof *nm);
                    if (!nm) {
                        r = -ENOMEM;
                        break;
                    }
                    mons = nm;
                }
                mons[n_mons].labels = strndup(lb, lbl);
                mons[n_mons].down = 0;
                if (!mons[n_mons].labels) {
                    r = -ENOMEM;
                    break;
                }
                total++;
                n_mons++;
            }
            last_mon = k;
            if (k < n_mons && v == 0 && !mons[k].down) {
                mons[k].down = 1;
                down++;
                char mn[128];
                if (label(lb, lbl, "monitor_name", mn, sizeof mn) &&
                    strlen(down_names) + strlen(mn) + 3 < sizeof down_names)
                    snprintf(down_names + strlen(down_names),
                             sizeof down_names - strlen(down_names), "%s%s",
                             down_names[0] ? ", " : "", mn);
            }
        }
    }
    for (size_t k = 0; k < n_mons; k++) free(mons[k].labels);
    free(mons);
    if (down >= 1) {
        char t[1400];
        snprintf(t, sizeof t, "%u of %u monitors down (monitor_status == 0): %s", down, total,
                 down_names);
        ev_timeline(e, file_time, ref, "alert", t);
        if (down > e->monitors_down) {
            e->monitors_down = down;
            e->monitors_total = total;
            free(e->monitors_down_names);
            e->monitors_down_names = strdup(down_names);
            e->monitors_time = file_time;
            free(e->monitors_ref);
            e->monitors_ref = strdup(ref);
        }
    }
    return r;
}
