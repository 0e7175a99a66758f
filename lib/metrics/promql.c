/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/buf.h"
#include "metrics/exposition.h"
#include "metrics/promql.h"

static int api_get(const struct prom_client *c, const char *path_query, json_t **ret,
                   char **ret_err)
{
    if (!c->url || !*c->url) return -EINVAL;
    size_t l = strlen(c->url);
    _cleanup_free_ char *url = NULL, *body = NULL;
    if (asprintf(&url, "%.*s%s", (int)(c->url[l - 1] == '/' ? l - 1 : l), c->url, path_query) < 0)
        return -ENOMEM;
    long status = 0;
    int r = http_request(&c->http, "GET", url, NULL, NULL, &status, &body, ret_err);
    if (r < 0) return r;
    json_error_t jerr;
    json_t *doc = json_loads(body, 0, &jerr);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        if (ret_err && asprintf(ret_err, "HTTP %ld: not a Prometheus API answer", status) < 0)
            *ret_err = NULL;
        return status == 401 || status == 403 ? -EACCES : -EBADMSG;
    }
    const char *st = json_string_value(json_object_get(doc, "status"));
    if (!st || !streq(st, "success")) {
        const char *et = json_string_value(json_object_get(doc, "errorType"));
        const char *em = json_string_value(json_object_get(doc, "error"));
        if (ret_err && asprintf(ret_err, "%s: %s", et ? et : "error", em ? em : "?") < 0)
            *ret_err = NULL;
        json_decref(doc);
        return -EPROTO;
    }
    json_t *data = json_object_get(doc, "data");
    if (!json_is_object(data)) {
        json_decref(doc);
        return -EBADMSG;
    }
    *ret = json_incref(data);
    json_decref(doc);
    return 0;
}

static void fmt_time(ts_time_t t, char *buf, size_t size)
{
    snprintf(buf, size, "%lld.%03lld", (long long)(t / TS_NSEC_PER_SEC),
             (long long)((t % TS_NSEC_PER_SEC) / 1000000));
}

int prom_query(const struct prom_client *c, const char *expr, ts_time_t at, json_t **ret,
               char **ret_err)
{
    _cleanup_free_ char *q = http_escape(expr), *pq = NULL;
    if (!q) return -ENOMEM;
    char tb[64] = "";
    if (at != TS_TIME_NONE) fmt_time(at, tb, sizeof tb);
    if (asprintf(&pq, "/api/v1/query?query=%s%s%s", q, *tb ? "&time=" : "", tb) < 0) return -ENOMEM;
    return api_get(c, pq, ret, ret_err);
}

int prom_query_range(const struct prom_client *c, const char *expr, ts_time_t start, ts_time_t end,
                     double step_s, json_t **ret, char **ret_err)
{
    if (!(step_s > 0) || end < start) return -EINVAL;
    if ((double)(end - start) / 1e9 / step_s > 11000) return -E2BIG;
    _cleanup_free_ char *q = http_escape(expr), *pq = NULL;
    if (!q) return -ENOMEM;
    char sb[64], eb[64];
    fmt_time(start, sb, sizeof sb);
    fmt_time(end, eb, sizeof eb);
    if (asprintf(&pq, "/api/v1/query_range?query=%s&start=%s&end=%s&step=%g", q, sb, eb, step_s) <
        0)
        return -ENOMEM;
    return api_get(c, pq, ret, ret_err);
}

/* RFC 3339 with optional fraction and Z or +hh:mm offset. */
static int parse_rfc3339(const char *s, ts_time_t *ret)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return -EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -EINVAL;
    const char *p = s + n;
    int64_t frac = 0;
    if (*p == '.') {
        int64_t scale = 100000000;
        for (p++; isdigit((unsigned char)*p); p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        /* exactly "+hh:mm": a shorter zone must not move p past the end */
        for (int k = 1; k <= 5; k++)
            if (k == 3 ? p[k] != ':' : !isdigit((unsigned char)p[k])) return -EINVAL;
        int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
        if (oh > 23 || om > 59) return -EINVAL;
        off = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
        p += 6;
    } else
        return -EINVAL;
    if (*p) return -EINVAL;
    int64_t days = ts_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ret = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * TS_NSEC_PER_SEC + frac;
    return 0;
}

int prom_parse_time(const char *s, ts_time_t now, ts_time_t *ret)
{
    if (!s || !*s) return -EINVAL;
    if (streq(s, "now")) {
        *ret = now;
        return 0;
    }
    const char *rel = startswith(s, "now-");
    if (!rel && s[0] == '-') rel = s + 1;
    if (rel) {
        int64_t ns;
        if (ts_parse_duration(rel, &ns) < 0) return -EINVAL;
        *ret = now - ns;
        return 0;
    }
    if (strchr(s, 'T')) return parse_rfc3339(s, ret);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < 0 || v > 4e9) return -EINVAL;
    *ret = (ts_time_t)(v * 1e9);
    return 0;
}

static const char *const default_exprs[] = {
    "tshoot_fs_avail_bytes",
    "tshoot_fs_size_bytes",
    "tshoot_fs_files_free",
    "tshoot_fs_files",
    "tshoot_fs_predicted_full_seconds",
    "tshoot_dir_entries",
    "tshoot_process_memory_leak_suspected",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_filesystem_files_free",
    "node_filesystem_files",
    "node_filesystem_readonly",
    "node_vmstat_oom_kill",
    "node_filefd_allocated",
    "node_filefd_maximum",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_pressure_memory_waiting_seconds_total",
    "process_open_fds",
    "process_max_fds",
    "container_memory_working_set_bytes",
    "container_spec_memory_limit_bytes",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_last_terminated_reason",
    "monitor_status",
    "up",
    "ALERTS",
};

/* One matrix result appended as exposition lines (samples with timestamps). */
static int append_matrix(struct buf *b, json_t *result, const char **last_family)
{
    size_t i;
    json_t *s;
    json_array_foreach(result, i, s)
    {
        json_t *metric = json_object_get(s, "metric");
        const char *name = json_string_value(json_object_get(metric, "__name__"));
        if (!name || !prom_valid_metric_name(name)) continue; /* expressions without a name */
        if (!*last_family || strcmp(*last_family, name) != 0) {
            int r = prom_family(b, name, "untyped", "from Prometheus (tshoot metrics export)");
            if (r < 0) return r;
            *last_family = name;
        }
        struct prom_label l[64];
        size_t n = 0;
        const char *k;
        json_t *v;
        json_object_foreach(metric, k, v)
        {
            if (streq(k, "__name__") || n == ELEMENTSOF(l) || !prom_valid_label_name(k)) continue;
            l[n++] = (struct prom_label){ k, json_string_value(v) };
        }
        size_t j;
        json_t *p;
        json_array_foreach(json_object_get(s, "values"), j, p)
        {
            double t = json_number_value(json_array_get(p, 0));
            const char *vs = json_string_value(json_array_get(p, 1));
            if (!vs) continue;
            double val = strtod(vs, NULL);
            if (streq(vs, "NaN")) val = NAN;
            size_t mark = b->len;
            int r = prom_sample(b, name, l, n, val);
            if (r < 0) return r;
            /* the writer ends the line with '\n': put the timestamp before it */
            b->len--;
            r = buf_printf(b, " %lld\n", (long long)llround(t * 1000));
            if (r < 0) {
                b->len = mark;
                b->data[mark] = '\0';
                return r;
            }
        }
    }
    return 0;
}

int prom_window_exposition(const struct prom_client *c, const char *const *exprs, size_t n_exprs,
                           ts_time_t since, ts_time_t until, double step_s, char **ret,
                           size_t *ret_skipped, char **ret_err)
{
    if (until < since) return -EINVAL;
    if (!exprs || n_exprs == 0) {
        exprs = default_exprs;
        n_exprs = ELEMENTSOF(default_exprs);
    }
    double range_s = (double)(until - since) / 1e9;
    if (!(step_s > 0)) step_s = TS_MAX(15.0, ceil(range_s / 1000));
    struct buf b = BUF_INIT(64 << 20);
    char tb[64];
    int r = buf_printf(&b, "# tshoot-time: %s\n", ts_format(until, 0, tb, sizeof tb));
    size_t skipped = 0;
    bool any_ok = false;
    for (size_t i = 0; i < n_exprs && r >= 0; i++) {
        json_t *data = NULL;
        char *err = NULL;
        int q = prom_query_range(c, exprs[i], since, until, step_s, &data, &err);
        if (q < 0) {
            skipped++;
            /* transport errors are fatal (every query would fail the same way) */
            if (q != -EPROTO && q != -EBADMSG) {
                if (ret_err)
                    *ret_err = err;
                else
                    free(err);
                buf_release(&b);
                return q;
            }
            free(err);
            continue;
        }
        any_ok = true;
        const char *last = NULL;
        json_t *res = json_object_get(data, "result");
        if (json_array_size(res) == 0) skipped++;
        r = append_matrix(&b, res, &last);
        json_decref(data);
    }
    if (r < 0) {
        buf_release(&b);
        return r;
    }
    (void)any_ok;
    if (ret_skipped) *ret_skipped = skipped;
    *ret = buf_take(&b);
    buf_release(&b);
    return *ret ? 0 : -ENOMEM;
}
