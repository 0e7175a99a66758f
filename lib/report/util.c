/* SPDX-License-Identifier: MIT */
/* Times, durations, sticky output and the escapers shared by both renderers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/redact.h"
#include "report/doc.h"
#include "report/model.h"
#include "report/report.h"

static int digits(const char *s, int n, int *ret)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return 0;
}

/* Contract: accepts "YYYY-MM-DD(T| )HH:MM(:SS(.frac)?)?(Z|z|(+|-)HH(:?MM)?)?"; a
 * missing zone means UTC and is flagged. Rejects out-of-range fields. */
int rp_parse_time(const char *s, struct rp_time *ret)
{
    int y, mo, d, h, mi, se = 0;
    int64_t frac = 0;
    *ret = (struct rp_time){ .t = TS_TIME_NONE };
    if (!s || strlen(s) < 16) return -EINVAL;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
        return -EINVAL;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &se)) return -EINVAL;
        p += 3;
        if (*p == '.' || *p == ',') {
            p++;
            int64_t scale = 100000000;
            if (!isdigit((unsigned char)*p)) return -EINVAL;
            while (isdigit((unsigned char)*p)) {
                frac += (*p - '0') * scale;
                scale /= 10;
                p++;
            }
        }
    }
    /* 1970..2200: differences of two times stay inside int64 nanoseconds */
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return -EINVAL;
    int off = 0;
    bool has_zone = true;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(p, 2, &oh)) return -EINVAL;
        p += 2;
        if (*p == ':') p++;
        if (isdigit((unsigned char)*p)) {
            if (digits(p, 2, &om)) return -EINVAL;
            p += 2;
        }
        if (oh > 23 || om > 59) return -EINVAL;
        off = sign * (oh * 60 + om);
    } else {
        has_zone = false;
    }
    if (*p) return -EINVAL;
    int64_t days = ts_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    *ret = (struct rp_time){ .t = secs * TS_NSEC_PER_SEC + frac,
                             .off_min = off,
                             .has_zone = has_zone };
    return 0;
}

char *rp_fmt_time(ts_time_t t, char *buf, size_t size)
{
    char tmp[40];
    ts_format(t, 0, tmp, sizeof tmp);
    if (t == TS_TIME_NONE) {
        snprintf(buf, size, "-");
        return buf;
    }
    /* "2026-04-14T21:22:40Z" -> "2026-04-14 21:22:40 UTC" */
    tmp[10] = ' ';
    size_t n = strlen(tmp);
    if (n && tmp[n - 1] == 'Z') tmp[n - 1] = '\0';
    snprintf(buf, size, "%s UTC", tmp);
    return buf;
}

char *rp_fmt_zone(int off_min, char *buf, size_t size)
{
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(buf, size, "%c%02d:%02d", off_min < 0 ? '-' : '+', a / 60, a % 60);
    return buf;
}

char *rp_fmt_dur(int64_t ns, char *buf, size_t size)
{
    if (ns < 0) ns = -ns;
    int64_t s = ns / TS_NSEC_PER_SEC;
    int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    if (d >= 3)
        snprintf(buf, size, "%lldd%lldh", (long long)d, (long long)h);
    else if (d > 0 || h > 0)
        snprintf(buf, size, "%lldh%02lldm", (long long)(d * 24 + h), (long long)m);
    else if (m > 0)
        snprintf(buf, size, "%lldm", (long long)m);
    else
        snprintf(buf, size, "%llds", (long long)s);
    return buf;
}

const char *rp_prio_name(int prio)
{
    static const char *const names[] = { "P0", "P1", "P2", "P3" };
    return prio >= 0 && prio < 4 ? names[prio] : "P3";
}

void rp_puts(struct rp_out *o, const char *s)
{
    if (o->err || !s) return;
    int r = buf_puts(&o->b, s);
    if (r < 0) o->err = r;
}

static void rp_putn(struct rp_out *o, const char *s, size_t n)
{
    if (o->err) return;
    int r = buf_append(&o->b, s, n);
    if (r < 0) o->err = r;
}

void rp_printf(struct rp_out *o, const char *fmt, ...)
{
    if (o->err) return;
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(&o->b, fmt, ap);
    va_end(ap);
    if (r < 0) o->err = r;
}

/* Shared walk: plain runs are copied, each special byte gets its
 * replacement from `map` (NULL: copy), control bytes become a space. */
static void escape_with(struct rp_out *o, const char *s, const char *(*map)(unsigned char))
{
    if (!s) return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *rep = c < 0x20 || c == 0x7f ? " " : map(c);
        if (!rep) continue;
        rp_putn(o, run, (size_t)(p - run));
        rp_puts(o, rep);
        run = p + 1;
    }
    rp_puts(o, run);
}

static const char *map_html(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

/* Markdown: HTML-significant bytes become entities (no raw HTML can open),
 * and every inline-syntax byte is backslash-escaped (no link, image,
 * emphasis, code span, table cell break or autolink can start). */
static const char *map_md(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\\': return "\\\\";
    case '`': return "\\`";
    case '*': return "\\*";
    case '_': return "\\_";
    case '[': return "\\[";
    case ']': return "\\]";
    case '|': return "\\|";
    case '~': return "\\~";
    case '#': return "\\#";
    case '!': return "\\!";
    case '$': return "\\$";
    case '@': return "\\@"; /* no e-mail autolink or mention */
    default: return NULL;
    }
}

static const char *map_mermaid(unsigned char c)
{
    switch (c) {
    case '"': return "#quot;";
    case '<': return "#lt;";
    case '>': return "#gt;";
    case '&': return "#amp;";
    case '#': return "#35;";
    case '`': return "#96;";
    case '|': return "#124;";
    case '[': return "#91;";
    case ']': return "#93;";
    case '{': return "#123;";
    case '}': return "#125;";
    case ';': return "#59;";
    default: return NULL;
    }
}

static const char *map_yaml(unsigned char c)
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    default: return NULL;
    }
}

void rp_html(struct rp_out *o, const char *s)
{
    escape_with(o, s, map_html);
}

void rp_md(struct rp_out *o, const char *s)
{
    if (!s) return;
    /* A leading "-", "+", "=" or "12." would start a list or a heading
     * underline where the text begins a line or list item. */
    size_t nd = strspn(s, "0123456789");
    if (s[0] == '-' || s[0] == '+' || s[0] == '=') {
        rp_puts(o, "\\");
    } else if (nd > 0 && (s[nd] == '.' || s[nd] == ')')) {
        rp_putn(o, s, nd);
        rp_puts(o, "\\");
        s += nd;
    }
    /* "scheme://" would become a bare-URL autolink: escape its colon. */
    const char *p;
    while ((p = strstr(s, "://"))) {
        _cleanup_free_ char *head = strndup(s, (size_t)(p - s));
        if (!head) {
            o->err = -ENOMEM;
            return;
        }
        escape_with(o, head, map_md);
        rp_puts(o, "\\:");
        s = p + 1;
    }
    escape_with(o, s, map_md);
}

void rp_mermaid(struct rp_out *o, const char *s)
{
    escape_with(o, s, map_mermaid);
}

void rp_yaml_str(struct rp_out *o, const char *s)
{
    rp_puts(o, "\"");
    escape_with(o, s, map_yaml);
    rp_puts(o, "\"");
}

static const char *map_none(unsigned char c)
{
    (void)c;
    return NULL;
}

static const char *map_code(unsigned char c)
{
    return c == '|' ? "\\|" : NULL;
}

/* A code span delimited by one more backtick than the longest run inside,
 * padded with spaces when the text starts or ends with a backtick. In GFM
 * tables a '|' still splits cells inside code, so it is escaped (GFM strips
 * that backslash). Code spans show HTML literally. */
void rp_md_code(struct rp_out *o, const char *s, bool table)
{
    if (!s || !*s) {
        rp_puts(o, "-");
        return;
    }
    size_t longest = doc_backtick_run(s);
    char fence[16];
    size_t nf = TS_MIN(longest + 1, sizeof fence - 1);
    memset(fence, '`', nf);
    fence[nf] = '\0';
    bool pad = s[0] == '`' || s[strlen(s) - 1] == '`';
    rp_puts(o, fence);
    if (pad) rp_puts(o, " ");
    escape_with(o, s, table ? map_code : map_none);
    if (pad) rp_puts(o, " ");
    rp_puts(o, fence);
}

int rp_finish(struct rp_out *o, char **ret)
{
    /* Every string from the diagnosis was redacted when the model copied
     * it (before escaping, so quoting cannot hide a key from the
     * redactor); the rest is the renderers' own text. No second pass: the
     * redactor is not idempotent on its own "[REDACTED]" marks. */
    if (o->err) {
        int r = o->err;
        buf_release(&o->b);
        return r;
    }
    char *s = buf_take(&o->b);
    buf_release(&o->b);
    if (!s) return -ENOMEM;
    *ret = s;
    return 0;
}
