/* SPDX-License-Identifier: MIT */
/*
 * parse.c: one log line -> struct log_record.
 *
 * Format detection looks at the first byte: '{' -> JSON (docker json-file
 * when it has "log" and "stream"), a digit -> maybe CRI, an identifier
 * followed by '=' -> maybe logfmt, anything else -> plain text. No
 * allocation: unescaped JSON/logfmt strings go into the caller's scratch
 * buffer; when it is too small the raw (escaped) text is used instead.
 */
#include <stdint.h>
#include <string.h>

#include "logs/logs.h"

#define D(c) ((unsigned)((c) - '0') <= 9)

struct span {
    const char *p;
    size_t n;
};

struct scratch {
    char *p;
    size_t left;
};

enum { C_SPACE = 1, C_IDENT = 2, C_UPPER = 4 };

/* Character classes, indexed by byte. */
static const unsigned char cls[256] = {
    ['\t'] = C_SPACE, [' '] = C_SPACE, ['_'] = C_IDENT, ['.'] = C_IDENT, ['-'] = C_IDENT,
    ['@'] = C_IDENT,  ['0'] = C_IDENT, ['1'] = C_IDENT, ['2'] = C_IDENT, ['3'] = C_IDENT,
    ['4'] = C_IDENT,  ['5'] = C_IDENT, ['6'] = C_IDENT, ['7'] = C_IDENT, ['8'] = C_IDENT,
    ['9'] = C_IDENT,
#define L(c) [c] = C_IDENT, [c - 32] = C_IDENT | C_UPPER
    L('a'),           L('b'),          L('c'),          L('d'),          L('e'),
    L('f'),           L('g'),          L('h'),          L('i'),          L('j'),
    L('k'),           L('l'),          L('m'),          L('n'),          L('o'),
    L('p'),           L('q'),          L('r'),          L('s'),          L('t'),
    L('u'),           L('v'),          L('w'),          L('x'),          L('y'),
    L('z'),
#undef L
};

static inline int is_space(char c)
{
    return cls[(unsigned char)c] & C_SPACE;
}

static inline int is_ident(char c)
{
    return cls[(unsigned char)c] & C_IDENT;
}

static inline int is_upper(char c)
{
    return cls[(unsigned char)c] & C_UPPER;
}

static void put_utf8(char **o, unsigned cp)
{
    char *d = *o;
    if (cp < 0x80)
        *d++ = (char)cp;
    else if (cp < 0x800) {
        *d++ = (char)(0xC0 | (cp >> 6));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | (cp >> 12));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | (cp >> 18));
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = d;
}

static int hex4(const char *s, unsigned *v)
{
    unsigned r = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        r <<= 4;
        if (D(c))
            r |= (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            r |= (unsigned)((c | 0x20) - 'a' + 10);
        else
            return 0;
    }
    *v = r;
    return 1;
}

/* Unescape a JSON string body (no quotes) into scratch. On lack of room the
 * raw text is returned unchanged. */
static struct span json_unescape(struct span raw, struct scratch *sc)
{
    if (!memchr(raw.p, '\\', raw.n)) return raw;
    if (sc->left < raw.n + 1) return raw;
    char *o = sc->p;
    const char *s = raw.p, *e = raw.p + raw.n;
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        if (!bs) {
            memcpy(o, s, (size_t)(e - s));
            o += e - s;
            break;
        }
        memcpy(o, s, (size_t)(bs - s));
        o += bs - s;
        s = bs + 1;
        if (s >= e) break;
        char c = *s++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned cp;
            if (e - s < 4 || !hex4(s, &cp)) {
                *o++ = '?';
                break;
            }
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && e - s >= 6 && s[0] == '\\' && s[1] == 'u') {
                unsigned lo;
                if (hex4(s + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    s += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            /* \u escapes expand to at most 4 bytes from 6 input bytes: fits */
            put_utf8(&o, cp);
            break;
        }
        default: *o++ = c; break; /* \" \\ \/ and unknown escapes */
        }
    }
    struct span r = { sc->p, (size_t)(o - sc->p) };
    *o++ = 0;
    sc->left -= (size_t)(o - sc->p);
    sc->p = o;
    return r;
}

/* Skip a JSON string starting after its opening quote; returns the closing
 * quote position or NULL. */
static const char *json_str_end(const char *s, const char *e)
{
    while (s < e) {
        const char *q = memchr(s, '"', (size_t)(e - s));
        if (!q) return NULL;
        /* count preceding backslashes */
        const char *b = q;
        while (b > s && b[-1] == '\\') b--;
        if (((q - b) & 1) == 0) return q;
        s = q + 1;
    }
    return NULL;
}

/* Skip one JSON value at s; returns the first byte after it, or NULL. */
static const char *json_skip_value(const char *s, const char *e)
{
    if (s >= e) return NULL;
    if (*s == '"') {
        const char *q = json_str_end(s + 1, e);
        return q ? q + 1 : NULL;
    }
    if (*s == '{' || *s == '[') {
        int depth = 0;
        while (s < e) {
            char c = *s;
            if (c == '"') {
                const char *q = json_str_end(s + 1, e);
                if (!q) return NULL;
                s = q + 1;
                continue;
            }
            if (c == '{' || c == '[') {
                if (++depth > 64) return NULL;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return s + 1;
            }
            s++;
        }
        return NULL;
    }
    while (s < e && *s != ',' && *s != '}' && *s != ']' && !is_space(*s) && *s != '\n' &&
           *s != '\r')
        s++;
    return s;
}

struct fields {
    struct span msg, level, time, err, log, stream;
    int msg_prio;
    int level_is_num, time_is_num, msg_is_str, err_is_str, log_found;
};

static inline int keyeq(struct span k, const char *w, size_t wl)
{
    return k.n == wl && memcmp(k.p, w, wl) == 0;
}

static void json_field(struct fields *f, struct span k, struct span v, int is_str)
{
    switch (k.n) {
    case 1:
        if (k.p[0] == 't') goto is_time;
        return;
    case 2:
        if (keyeq(k, "ts", 2)) goto is_time;
        return;
    case 3:
        if (keyeq(k, "msg", 3)) goto is_msg0;
        if (keyeq(k, "lvl", 3)) goto is_level;
        if (keyeq(k, "err", 3)) goto is_err;
        if (keyeq(k, "log", 3)) {
            if (is_str) {
                f->log = v;
                f->log_found = 1;
            }
            return;
        }
        return;
    case 4:
        if (keyeq(k, "time", 4)) goto is_time;
        return;
    case 5:
        if (keyeq(k, "level", 5)) goto is_level;
        if (keyeq(k, "event", 5)) {
            if (is_str && f->msg_prio < 1) {
                f->msg = v;
                f->msg_prio = 1;
                f->msg_is_str = 1;
            }
            return;
        }
        if (keyeq(k, "error", 5)) goto is_err;
        return;
    case 6:
        if (keyeq(k, "stream", 6)) f->stream = v;
        return;
    case 7:
        if (keyeq(k, "message", 7) || keyeq(k, "MESSAGE", 7)) goto is_msg0;
        return;
    case 8:
        if (keyeq(k, "severity", 8) || keyeq(k, "loglevel", 8) || keyeq(k, "PRIORITY", 8))
            goto is_level;
        if (keyeq(k, "datetime", 8)) goto is_time;
        return;
    case 9:
        if (keyeq(k, "log.level", 9) || keyeq(k, "levelname", 9)) goto is_level;
        if (keyeq(k, "timestamp", 9)) goto is_time;
        return;
    case 10:
        if (keyeq(k, "@timestamp", 10)) goto is_time;
        return;
    default: return;
    }
is_msg0:
    if (is_str && f->msg_prio < 2) {
        f->msg = v;
        f->msg_prio = 2;
        f->msg_is_str = 1;
    }
    return;
is_level:
    if (!f->level.p) {
        f->level = v;
        f->level_is_num = !is_str;
    }
    return;
is_time:
    if (!f->time.p) {
        f->time = v;
        f->time_is_num = !is_str;
    }
    return;
is_err:
    if (!f->err.p) {
        f->err = v;
        f->err_is_str = is_str;
    }
    return;
}

/* Scan a top-level JSON object. Returns 1 when well-formed enough. */
static int json_scan(const char *s, size_t n, struct fields *f)
{
    const char *e = s + n, *p = s;
    while (p < e && is_space(*p)) p++;
    if (p >= e || *p != '{') return 0;
    p++;
    for (;;) {
        while (p < e && (is_space(*p) || *p == '\r')) p++;
        if (p >= e) return 0;
        if (*p == '}') return 1;
        if (*p != '"') return 0;
        const char *q = json_str_end(p + 1, e);
        if (!q) return 0;
        struct span k = { p + 1, (size_t)(q - p - 1) };
        p = q + 1;
        while (p < e && is_space(*p)) p++;
        if (p >= e || *p != ':') return 0;
        p++;
        while (p < e && is_space(*p)) p++;
        if (p >= e) return 0;
        const char *ve = json_skip_value(p, e);
        if (!ve) return 0;
        int is_str = *p == '"';
        struct span v = is_str ? (struct span){ p + 1, (size_t)(ve - p - 2) }
                               : (struct span){ p, (size_t)(ve - p) };
        json_field(f, k, v, is_str);
        p = ve;
        while (p < e && is_space(*p)) p++;
        if (p >= e) return 0;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '}') return 1;
        return 0;
    }
}

static enum log_level level_from_value(struct span v, int is_num)
{
    if (!v.p || v.n == 0) return LOG_LEVEL_UNKNOWN;
    if (is_num) {
        long x = 0;
        for (size_t i = 0; i < v.n && i < 6; i++) {
            if (!D(v.p[i])) return LOG_LEVEL_UNKNOWN;
            x = x * 10 + (v.p[i] - '0');
        }
        return log_level_from_number(x);
    }
    if (v.n <= 2 && D(v.p[0])) {
        long x = v.p[0] - '0';
        if (v.n == 2) {
            if (!D(v.p[1])) return LOG_LEVEL_UNKNOWN;
            x = x * 10 + (v.p[1] - '0');
        }
        return log_level_from_number(x);
    }
    return log_level_parse(v.p, v.n);
}

static ts_time_t time_from_value(struct span v, int is_num, int year_hint, int *yearless)
{
    ts_time_t t = TS_TIME_NONE;
    if (!v.p || v.n == 0) return t;
    if (is_num) {
        if (!log_parse_epoch(v.p, v.n, &t)) return TS_TIME_NONE;
        return t;
    }
    int fl = 0;
    if (!log_parse_time_ex(v.p, v.n, year_hint, &t, &fl)) {
        if (!log_parse_epoch(v.p, v.n, &t)) return TS_TIME_NONE;
    }
    if (fl & LOG_TIME_YEARLESS) *yearless = 1;
    return t;
}

static void parse_inner(const char *line, size_t len, int year_hint, struct scratch *sc,
                        struct log_record *rec, int depth);

static int parse_json(const char *line, size_t len, int year_hint, struct scratch *sc,
                      struct log_record *rec, int depth)
{
    struct fields f = { 0 };
    if (!json_scan(line, len, &f)) return 0;
    if (f.log_found && f.stream.p && depth == 0) {
        /* docker json-file: unwrap and parse the payload */
        struct span l = json_unescape(f.log, sc);
        while (l.n && (l.p[l.n - 1] == '\n' || l.p[l.n - 1] == '\r')) l.n--;
        ts_time_t dt = time_from_value(f.time, f.time_is_num, year_hint, &rec->yearless);
        parse_inner(l.p, l.n, year_hint, sc, rec, depth + 1);
        if (rec->time == TS_TIME_NONE) rec->time = dt;
        rec->format = LOG_FORMAT_DOCKER;
        return 1;
    }
    rec->format = LOG_FORMAT_JSON;
    rec->line = line;
    rec->line_len = len;
    if (f.msg.p) {
        struct span m = json_unescape(f.msg, sc);
        rec->msg = m.p;
        rec->msg_len = m.n;
    } else if (f.log_found) {
        struct span m = json_unescape(f.log, sc);
        rec->msg = m.p;
        rec->msg_len = m.n;
    } else {
        rec->msg = line;
        rec->msg_len = len;
    }
    rec->level = level_from_value(f.level, f.level_is_num);
    rec->time = time_from_value(f.time, f.time_is_num, year_hint, &rec->yearless);
    if (f.err.p && f.err.n && !(f.err.n == 4 && memcmp(f.err.p, "null", 4) == 0)) {
        struct span er = f.err_is_str ? json_unescape(f.err, sc) : f.err;
        rec->err = er.p;
        rec->err_len = er.n;
    }
    return 1;
}

/* logfmt: key=value key2="quoted value" ... */
static struct span logfmt_unquote(struct span v, struct scratch *sc)
{
    if (!memchr(v.p, '\\', v.n) || sc->left < v.n + 1) return v;
    char *o = sc->p;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '\\' && i + 1 < v.n) {
            i++;
            *o++ = v.p[i] == 'n' ? '\n' : v.p[i] == 't' ? '\t' : v.p[i];
        } else
            *o++ = v.p[i];
    }
    struct span r = { sc->p, (size_t)(o - sc->p) };
    *o++ = 0;
    sc->left -= (size_t)(o - sc->p);
    sc->p = o;
    return r;
}

static int parse_logfmt(const char *line, size_t len, int year_hint, struct scratch *sc,
                        struct log_record *rec)
{
    const char *p = line, *e = line + len;
    struct fields f = { 0 };
    int pairs = 0, quoted_msg = 0, quoted_err = 0;
    while (p < e) {
        while (p < e && is_space(*p)) p++;
        if (p >= e) break;
        const char *ks = p;
        while (p < e && is_ident(*p)) p++;
        if (p == ks || p >= e || *p != '=') {
            if (pairs >= 2) break; /* trailing free text: keep what we have */
            return 0;
        }
        struct span k = { ks, (size_t)(p - ks) };
        p++;
        struct span v;
        int q = 0;
        if (p < e && *p == '"') {
            const char *qe = json_str_end(p + 1, e);
            if (!qe) return 0;
            v = (struct span){ p + 1, (size_t)(qe - p - 1) };
            p = qe + 1;
            q = 1;
        } else {
            const char *vs = p;
            while (p < e && !is_space(*p)) p++;
            v = (struct span){ vs, (size_t)(p - vs) };
        }
        pairs++;
        struct span oldmsg = f.msg, olderr = f.err;
        json_field(&f, k, v, 1);
        if (f.msg.p != oldmsg.p) quoted_msg = q;
        if (f.err.p != olderr.p) quoted_err = q;
    }
    if (pairs < 2) return 0;
    rec->format = LOG_FORMAT_LOGFMT;
    rec->line = line;
    rec->line_len = len;
    if (f.msg.p) {
        struct span m = quoted_msg ? logfmt_unquote(f.msg, sc) : f.msg;
        rec->msg = m.p;
        rec->msg_len = m.n;
    } else {
        rec->msg = line;
        rec->msg_len = len;
    }
    rec->level = level_from_value(f.level, 0);
    rec->time = time_from_value(f.time, 0, year_hint, &rec->yearless);
    if (f.err.p && f.err.n) {
        struct span er = quoted_err ? logfmt_unquote(f.err, sc) : f.err;
        rec->err = er.p;
        rec->err_len = er.n;
    }
    return 1;
}

/* A level token in plain text: "ERROR", "[error]", "<warn>", "error:",
 * "level=error", "E" in brackets. Returns the level and *adv = bytes of the
 * token including trailing ':' or ']'. */
static enum log_level plain_level_token(const char *p, size_t n, size_t *adv)
{
    /* a level token starts with a bracket, a capital or "level=", or is a
     * short lower-case word ending in ':' */
    if (n == 0) return LOG_LEVEL_UNKNOWN;
    char c0 = p[0];
    int colon =
        n > 3 && (p[3] == ':' || (n > 4 && p[4] == ':') || (n > 5 && p[5] == ':') ||
                  (n > 6 && p[6] == ':') || (n > 7 && p[7] == ':') || (n > 8 && p[8] == ':'));
    int ok = c0 == '[' || c0 == '<' || c0 == '(' || colon ||
             (c0 == 'l' && n > 6 && p[5] == '=') ||     /* level= */
             (is_upper(c0) && n > 1 && is_upper(p[1])); /* ERROR, WARN */
    if (!ok) return LOG_LEVEL_UNKNOWN;
    size_t t = 0;
    while (t < n && t < 17 && !is_space(p[t])) t++;
    if (t < 3 || t > 16) return LOG_LEVEL_UNKNOWN;
    *adv = t;
    if (p[0] == '[' || p[0] == '<' || p[0] == '(') {
        char close = p[0] == '[' ? ']' : p[0] == '<' ? '>' : ')';
        size_t end = t - 1;
        if (p[end] == ':') end--;
        if (p[end] != close) return LOG_LEVEL_UNKNOWN;
        return log_level_parse(p + 1, end - 1);
    }
    if (t > 6 && memcmp(p, "level=", 6) == 0) {
        const char *v = p + 6;
        size_t vn = t - 6;
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') v++, vn -= 2;
        return log_level_parse(v, vn);
    }
    if (p[t - 1] == ':') return log_level_parse(p, t - 1);
    /* bare word: only when written in capitals (INFO, WARN, ERROR) */
    for (size_t i = 0; i < t; i++)
        if (!is_upper(p[i])) return LOG_LEVEL_UNKNOWN;
    return log_level_parse(p, t);
}

/* What parse_inner() already learned about a plain line. */
struct plain_hint {
    int time_known; /* k/t/fl hold log_parse_time_ex() of the line start */
    size_t k;
    ts_time_t t;
    int fl;
    size_t first_sp; /* offset of the first space when known, else SIZE_MAX */
};

static void parse_plain(const char *line, size_t len, int year_hint, struct log_record *rec,
                        const struct plain_hint *h)
{
    const char *p = line, *e = line + len;
    int fl = 0;
    ts_time_t t = TS_TIME_NONE;
    rec->format = LOG_FORMAT_PLAIN;
    rec->line = line;
    rec->line_len = len;
    size_t k;
    if (h->time_known) {
        k = h->k;
        t = h->t;
        fl = h->fl;
    } else
        k = log_parse_time_ex(p, len, year_hint, &t, &fl);
    char first = len ? line[0] : 0;
    if (!k && len > 10) {
        /* one prefix token before the stamp: "[pod/x/c] 2026-...", "file.log 2026-..." */
        size_t sp = 0;
        if (h->first_sp != SIZE_MAX)
            sp = h->first_sp;
        else
            while (sp < 64 && sp < len && line[sp] != ' ') sp++;
        if (sp > 0 && sp + 9 < len && line[sp] == ' ' && (D(line[sp + 1]) || line[sp + 1] == '[')) {
            size_t k2 = log_parse_time_ex(line + sp + 1, len - sp - 1, year_hint, &t, &fl);
            if (k2) {
                k = sp + 1 + k2;
                p = line;
                first = line[sp + 1];
            }
        }
    }
    if (k) {
        rec->time = t;
        rec->yearless = !!(fl & LOG_TIME_YEARLESS);
        p += k;
        if ((first == 'I' || first == 'W' || first == 'E' || first == 'F') && D(line[1])) {
            /* klog: "I0418 10:00:00.123456    1234 file.go:12] msg" */
            rec->level = log_level_parse(line, 1);
            const char *br = memchr(p, ']', (size_t)(e - p) < 64 ? (size_t)(e - p) : 64);
            if (br) p = br + 1;
            while (p < e && is_space(*p)) p++;
            rec->msg = p;
            rec->msg_len = (size_t)(e - p);
            return;
        }
    }
    const char *body = p;
    if (k && first == '<') {
        /* syslog PRI: severity = PRI % 8 */
        int pri = 0;
        for (const char *d = line + 1; d < e && D(*d) && pri < 1000; d++)
            pri = pri * 10 + (*d - '0');
        rec->level = log_level_from_number(pri % 8);
    }
    /* Look for a level among the first few tokens (pid, thread, "-" may precede it). */
    const char *q = p;
    for (int tok = 0; tok < 4 && q < e; tok++) {
        while (q < e && (is_space(*q) || *q == '|')) q++;
        if (q >= e) break;
        size_t adv = 0;
        enum log_level l = plain_level_token(q, (size_t)(e - q), &adv);
        if (l != LOG_LEVEL_UNKNOWN) {
            rec->level = l;
            p = q + adv;
            while (p < e && (is_space(*p) || *p == ':' || *p == '|' ||
                             (*p == '-' && p + 1 < e && is_space(p[1]))))
                p++;
            rec->msg = p;
            rec->msg_len = (size_t)(e - p);
            return;
        }
        if (tok == 0 && !k) break; /* untimed line: level must come first */
        size_t tl = 0;
        while (q + tl < e && !is_space(q[tl])) tl++;
        q += tl;
    }
    p = body;
    if (k && (first == '<' || (first >= 'A' && first <= 'Z'))) {
        /* syslog header after a BSD / RFC 5424 stamp */
        while (p < e && is_space(*p)) p++;
        const char *host = p;
        while (p < e && !is_space(*p)) p++; /* host */
        while (p < e && is_space(*p)) p++;
        const char *tag = p;
        while (p < e && !is_space(*p) && (size_t)(p - tag) < 96) p++;
        if (first == '<' && p > tag) {
            /* RFC 5424: host app procid msgid SD */
            const char *r = p;
            for (int i = 0; i < 2 && r < e; i++) {
                while (r < e && is_space(*r)) r++;
                while (r < e && !is_space(*r)) r++;
            }
            while (r < e && is_space(*r)) r++;
            if (r < e && *r == '-')
                r++;
            else if (r < e && *r == '[') {
                const char *c = memchr(r, ']', (size_t)(e - r));
                r = c ? c + 1 : r;
            }
            while (r < e && is_space(*r)) r++;
            rec->msg = r;
            rec->msg_len = (size_t)(e - r);
            return;
        }
        if (p > tag && p[-1] == ':' && host < tag) {
            while (p < e && is_space(*p)) p++;
            rec->msg = p;
            rec->msg_len = (size_t)(e - p);
            size_t adv = 0;
            enum log_level l = plain_level_token(p, (size_t)(e - p), &adv);
            if (l != LOG_LEVEL_UNKNOWN) rec->level = l;
            return;
        }
        p = body;
    }
    while (p < e && (is_space(*p) || (*p == '-' && p + 1 < e && is_space(p[1])))) p++;
    rec->msg = p;
    rec->msg_len = (size_t)(e - p);
}

static void parse_inner(const char *line, size_t len, int year_hint, struct scratch *sc,
                        struct log_record *rec, int depth)
{
    rec->line = line;
    rec->line_len = len;
    rec->msg = line;
    rec->msg_len = len;
    if (len == 0) return;
    const char *p = line;
    size_t n = len;
    while (n && is_space(*p)) p++, n--;
    struct plain_hint hint = { .first_sp = SIZE_MAX };
    if (n && *p == '{') {
        if (parse_json(p, n, year_hint, sc, rec, depth)) return;
        rec->format = LOG_FORMAT_PLAIN;
        rec->level = LOG_LEVEL_UNKNOWN;
        rec->time = TS_TIME_NONE;
        rec->err = NULL;
        rec->err_len = 0;
    } else if (depth == 0 && n > 36 && D(*p)) {
        /* CRI: "2026-04-18T10:00:00.123456789Z stdout F msg" */
        ts_time_t t = TS_TIME_NONE;
        size_t k = log_parse_time_ex(p, n, year_hint, &t, &hint.fl);
        hint.time_known = 1;
        hint.k = k;
        hint.t = t;
        if (k && k + 10 <= n && p[k] == ' ' &&
            (memcmp(p + k + 1, "stdout ", 7) == 0 || memcmp(p + k + 1, "stderr ", 7) == 0) &&
            (p[k + 8] == 'F' || p[k + 8] == 'P') && (k + 9 == n || p[k + 9] == ' ')) {
            size_t off = k + 9 + (k + 9 < n);
            parse_inner(p + off, n - off, year_hint, sc, rec, depth + 1);
            if (rec->time == TS_TIME_NONE) rec->time = t;
            rec->format = LOG_FORMAT_CRI;
            return;
        }
    } else if (n > 4 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')) {
        /* cheap pre-check: '=' within the first token */
        size_t i = 0;
        while (i < n && i < 48 && is_ident(p[i])) i++;
        if (i < n && p[i] == '=' && parse_logfmt(p, n, year_hint, sc, rec)) return;
        if (i < n && i < 48 && p[i] == ' ') hint.first_sp = i;
    }
    parse_plain(p, n, year_hint, rec, &hint);
}

void log_parse_line(const char *line, size_t len, int year_hint, char *scratch, size_t scratch_size,
                    struct log_record *rec)
{
    const char *src = rec->source;
    uint64_t lineno = rec->lineno;
    int truncated = rec->truncated;
    *rec = (struct log_record){
        .time = TS_TIME_NONE, .source = src, .lineno = lineno, .truncated = truncated
    };
    struct scratch sc = { scratch, scratch ? scratch_size : 0 };
    if (!line) {
        rec->line = rec->msg = "";
        return;
    }
    parse_inner(line, len, year_hint, &sc, rec, 0);
}
