/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
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
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2) return -EINVAL;
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
