/* SPDX-License-Identifier: MIT */
/*
 * evidence.c: the evidence engine: sources, the per-line Hyperscan scan,
 * hit statistics with samples and references, line splitting, log reading.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/redact.h"
#include "logs/logs.h"
#include "rca/internal.h"

const char *ev_kind_name(enum ev_kind k)
{
    static const char *const n[] = { "log", "snapshot", "k8s", "metrics", "notes", "deps" };
    return n[k];
}

const char *ev_kind_evname(enum ev_kind k)
{
    static const char *const n[] = { "log", "snapshot", "k8s", "metric", "note", "note" };
    return n[k];
}

static void hit_done(struct ev_hit *h)
{
    for (int i = 0; i < h->n_samples; i++) {
        free(h->ref[i]);
        free(h->text[i]);
    }
}

int ev_init(struct ev *e, const struct kb *kb, struct sigdb *db)
{
    memset(e, 0, sizeof *e);
    e->kb = kb;
    e->db = db;
    e->max_line = 64 * 1024;
    e->max_bytes = 4ULL << 30;
    e->since = TS_TIME_NONE;
    size_t np = sigdb_n_patterns(db);
    e->pat = calloc(np, sizeof *e->pat);
    e->sig = calloc(kb->n_rules + 1, sizeof *e->sig);
    e->against_hits = calloc(kb->n_rules + 1, sizeof *e->against_hits);
    e->idbuf_n = np + 1;
    e->idbuf = calloc(e->idbuf_n, sizeof *e->idbuf);
    e->unreadable = json_array();
    e->timeline = json_array();
    e->notes = json_array();
    e->snapshots = json_array();
    if (!e->pat || !e->sig || !e->against_hits || !e->idbuf || !e->unreadable || !e->timeline ||
        !e->notes || !e->snapshots)
        return -ENOMEM;
    for (size_t i = 0; i < np; i++)
        e->pat[i].first_time = TS_TIME_NONE, e->pat[i].first_source = -1;
    for (size_t r = 0; r < kb->n_rules; r++) {
        e->sig[r] = calloc(kb->rules[r].n_signals + 1, sizeof(struct ev_hit));
        e->against_hits[r] = calloc(kb->rules[r].n_against + 1, sizeof(struct ev_hit));
        if (!e->sig[r] || !e->against_hits[r]) return -ENOMEM;
        for (size_t s = 0; s < kb->rules[r].n_signals; s++)
            e->sig[r][s].first_time = TS_TIME_NONE, e->sig[r][s].first_source = -1;
        for (size_t s = 0; s < kb->rules[r].n_against; s++)
            e->against_hits[r][s].first_time = TS_TIME_NONE,
            e->against_hits[r][s].first_source = -1;
    }
    return 0;
}

void ev_done(struct ev *e)
{
    if (e->pat)
        for (size_t i = 0; i < sigdb_n_patterns(e->db); i++) hit_done(&e->pat[i]);
    free(e->pat);
    if (e->sig)
        for (size_t r = 0; r < e->kb->n_rules; r++) {
            if (e->sig[r])
                for (size_t s = 0; s < e->kb->rules[r].n_signals; s++) hit_done(&e->sig[r][s]);
            free(e->sig[r]);
        }
    free(e->sig);
    if (e->against_hits)
        for (size_t r = 0; r < e->kb->n_rules; r++) {
            if (e->against_hits[r])
                for (size_t s = 0; s < e->kb->rules[r].n_against; s++)
                    hit_done(&e->against_hits[r][s]);
            free(e->against_hits[r]);
        }
    free(e->against_hits);
    free(e->idbuf);
    for (size_t i = 0; i < e->n_src; i++) {
        free(e->src[i].path);
        free(e->src[i].service);
        free(e->src[i].first_error_text);
        free(e->src[i].first_http_text);
    }
    free(e->src);
    for (size_t i = 0; i < e->n_fs; i++) {
        free(e->fs[i].ref);
        free(e->fs[i].mountpoint);
        free(e->fs[i].fstype);
        free(e->fs[i].device);
        free(e->fs[i].subject);
    }
    free(e->fs);
    for (size_t i = 0; i < e->n_hot; i++) {
        free(e->hot[i].ref);
        free(e->hot[i].dir);
        free(e->hot[i].prefix);
        free(e->hot[i].fs);
        free(e->hot[i].subject);
    }
    free(e->hot);
    for (size_t i = 0; i < e->n_find; i++) {
        free(e->find[i].ref);
        free(e->find[i].id);
        free(e->find[i].severity);
        free(e->find[i].subject);
        free(e->find[i].message);
    }
    free(e->find);
    for (size_t i = 0; i < e->n_met; i++) {
        free(e->met[i].name);
        free(e->met[i].labels);
        free(e->met[i].ref);
    }
    free(e->met);
    for (size_t i = 0; i < e->n_edges; i++) {
        free(e->edges[i].from);
        free(e->edges[i].to);
        free(e->edges[i].why);
    }
    free(e->edges);
    json_decref(e->unreadable);
    json_decref(e->timeline);
    json_decref(e->notes);
    json_decref(e->snapshots);
    free(e->notes_text);
    free(e->scratch);
    free(e->monitors_down_names);
    free(e->monitors_ref);
    memset(e, 0, sizeof *e);
}

int ev_source_add(struct ev *e, const char *path, const char *service, enum ev_kind kind)
{
    if (e->n_src >= EV_MAX_SOURCES) return -E2BIG;
    struct ev_source *n = realloc(e->src, (e->n_src + 1) * sizeof *n);
    if (!n) return -ENOMEM;
    e->src = n;
    struct ev_source *s = &n[e->n_src];
    memset(s, 0, sizeof *s);
    s->path = strdup(path);
    s->service = strdup(service ? service : "");
    if (!s->path || !s->service) {
        free(s->path);
        free(s->service);
        return -ENOMEM;
    }
    s->kind = kind;
    s->first_time = s->last_time = s->first_error_time = s->first_http_time = TS_TIME_NONE;
    return (int)e->n_src++;
}

/* A short, redacted, single-line copy of a line for evidence text. */
static char *evidence_text(const char *line, size_t len)
{
    while (len && isspace((unsigned char)*line)) line++, len--;
    while (len && isspace((unsigned char)line[len - 1])) len--;
    size_t n = TS_MIN(len, (size_t)EV_TEXT_MAX);
    struct buf b = BUF_INIT(EV_TEXT_MAX * 4 + 64);
    if (redact_append(&b, line, n) < 0) {
        buf_release(&b);
        return NULL;
    }
    if (n < len && buf_puts(&b, " ...") < 0) {}
    char *s = buf_take(&b);
    buf_release(&b);
    for (char *p = s; p && *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    return s;
}

static void hit_record(struct ev *e, struct ev_hit *h, int src, const char *ref, const char *line,
                       size_t len, ts_time_t t, char *owned_text)
{
    h->count++;
    if (src >= 0 && src < 32) h->services |= 1u << src;
    if (h->first_source < 0) h->first_source = src;
    if (h->count == 1 ||
        (t != TS_TIME_NONE && (h->first_time == TS_TIME_NONE || t < h->first_time))) {
        if (h->count == 1) h->first_seq = e->seq;
        if (t != TS_TIME_NONE) h->first_time = t;
    }
    /* keep the first samples, but at most one per source to show spread */
    if (h->n_samples < EV_MAX_SAMPLES) {
        int same_src = 0;
        for (int i = 0; i < h->n_samples; i++)
            if (h->kind[i] == e->src[src].kind && h->ref[i] && ref &&
                strncmp(h->ref[i], ref, strlen(e->src[src].path)) == 0)
                same_src++;
        if (same_src < 2) {
            int i = h->n_samples;
            h->ref[i] = strdup(ref);
            h->text[i] = owned_text ? owned_text : evidence_text(line, len);
            owned_text = NULL;
            h->time[i] = t;
            h->kind[i] = e->src[src].kind;
            if (h->ref[i] && h->text[i])
                h->n_samples++;
            else {
                free(h->ref[i]);
                free(h->text[i]);
                h->ref[i] = h->text[i] = NULL;
            }
        }
    }
    free(owned_text);
}

static int http_status(const char *line, size_t len)
{
    /* access log: ... HTTP/1.1" 502 173 ...  or JSON "status":400 */
    const char *end = line + len;
    const char *p = memmem(line, len, "HTTP/", 5);
    while (p) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (q && q + 5 < end) {
            q++;
            while (q < end && *q == ' ') q++;
            if (q + 3 <= end && isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
                isdigit((unsigned char)q[2]) && (q + 3 == end || !isdigit((unsigned char)q[3])))
                return (q[0] - '0') * 100 + (q[1] - '0') * 10 + (q[2] - '0');
        }
        const char *next = p + 5;
        p = next < end ? memmem(next, (size_t)(end - next), "HTTP/", 5) : NULL;
    }
    static const char *const keys[] = { "status", "code" };
    for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
        size_t kl = strlen(keys[k]);
        const char *s = line;
        while ((s = memmem(s, (size_t)(end - s), keys[k], kl))) {
            const char *q = s + kl;
            s = q;
            while (q < end && (*q == '"' || *q == '\'' || *q == '_' || isalpha((unsigned char)*q)))
                q++;
            while (q < end && (*q == ' ' || *q == ':' || *q == '=' || *q == '"')) q++;
            if (q + 3 <= end && q[0] >= '1' && q[0] <= '5' && isdigit((unsigned char)q[1]) &&
                isdigit((unsigned char)q[2]) && (q + 3 == end || !isdigit((unsigned char)q[3])))
                return (q[0] - '0') * 100 + (q[1] - '0') * 10 + (q[2] - '0');
        }
    }
    return 0;
}

/* nginx: upstream: "http://name:port/..." names the service behind the proxy */
static void proxy_edge(struct ev *e, int src, const char *line, size_t len)
{
    const char *p = memmem(line, len, "upstream: \"", 11);
    if (!p) return;
    p += 11;
    const char *end = line + len;
    const char *h = memmem(p, (size_t)(end - p), "://", 3);
    if (!h) return;
    h += 3;
    size_t n = 0;
    while (h + n < end && h[n] != ':' && h[n] != '/' && h[n] != '"' && n < 200) n++;
    if (n == 0) return;
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)n, h);
    const char *svc = e->src[src].service[0] ? e->src[src].service : e->src[src].path;
    (void)ev_edge_add(e, svc, host, "proxy upstream in log");
}

/* level_err: 1 the parser saw an error level, 0 a lower level, -1 unknown */
static int scan_text(struct ev *e, int src, const char *line, size_t len, const char *ref,
                     ts_time_t t, uint64_t lineno, int level_err)
{
    struct ev_source *s = &e->src[src];
    int n = sigdb_scan(e->db, line, len, e->idbuf, e->idbuf_n);
    if (n < 0) return n;
    e->seq++;
    int any_rule = 0;
    char refbuf[1024];
    /* the "path:line" reference only when a rule pattern matched or a window is
     * open (not for the builtin error-word / HTTP ids alone: most lines) */
    int need_ref = e->n_windows > 0;
    for (int i = 0; i < n && !need_ref; i++)
        if (e->idbuf[i] >= _SIG_BUILTIN_MAX) need_ref = 1;
    if (!ref && need_ref) {
        snprintf(refbuf, sizeof refbuf, "%s:%llu", s->path, (unsigned long long)lineno);
        ref = refbuf;
    }
    for (int i = 0; i < n; i++) {
        uint32_t id = e->idbuf[i];
        if (id == SIG_BUILTIN_ERROR) {
            if (level_err == 0) continue;
            level_err = 0; /* counted once */
            s->errors++;
            if (s->first_error_text == NULL ||
                (t != TS_TIME_NONE && s->first_error_time != TS_TIME_NONE &&
                 t < s->first_error_time)) {
                free(s->first_error_text);
                s->first_error_text = evidence_text(line, len);
                s->first_error_time = t;
                s->first_error_seq = e->seq;
                s->first_error_line = lineno;
            }
            continue;
        }
        if (id == SIG_BUILTIN_HTTP) {
            int st = http_status(line, len);
            if (st >= 400 && st < 600) {
                if (st >= 500)
                    s->http_5xx++;
                else
                    s->http_4xx++;
                if (st == 400) s->status_400++;
                if (!s->first_http_text) {
                    s->first_http_text = evidence_text(line, len);
                    s->first_http_time = t;
                    s->first_http_line = lineno;
                }
            }
            continue;
        }
        struct ev_hit *h = &e->pat[id];
        hit_record(e, h, src, ref, line, len, t, NULL);
        any_rule = 1;
        const struct sig_pattern *p = sigdb_pattern(e->db, id);
        for (size_t u = 0; u < p->n_uses; u++) {
            const struct sig_use *use = &p->uses[u];
            if (use->against) continue;
            const struct kb_signal *sg = &e->kb->rules[use->rule].signals[use->signal];
            if (!sg->capture) continue;
            if (sg->window) {
                /* open (or extend) a window: the capture runs on the next lines */
                size_t w;
                for (w = 0; w < e->n_windows; w++)
                    if (e->windows[w].rule == use->rule && e->windows[w].signal == use->signal &&
                        e->windows[w].src == src)
                        break;
                if (w == e->n_windows && e->n_windows < ELEMENTSOF(e->windows)) e->n_windows++;
                if (w < e->n_windows)
                    e->windows[w] =
                        (struct ev_window){ use->rule, use->signal, src, lineno + sg->window };
                continue;
            }
            struct ev_hit *sh = &e->sig[use->rule][use->signal];
            if (sh->count > 100000) continue; /* bounded work */
            char *txt = NULL;
            int c = sigdb_capture(e->db, use->rule, use->signal, line, len, &txt);
            if (c == 1) {
                char *et = evidence_text(line, len);
                char *both = NULL;
                if (et && txt && asprintf(&both, "%s  [%s]", et, txt) < 0) both = NULL;
                free(et);
                hit_record(e, sh, src, ref, line, len, t, both);
            }
            free(txt);
        }
    }
    if (any_rule) proxy_edge(e, src, line, len);
    for (size_t w = 0; ref && w < e->n_windows; w++) {
        struct ev_window *win = &e->windows[w];
        if (win->src != src) continue;
        if (lineno > win->until) {
            e->windows[w--] = e->windows[--e->n_windows]; /* closed */
            continue;
        }
        struct ev_hit *sh = &e->sig[win->rule][win->signal];
        char *txt = NULL;
        if (sigdb_capture(e->db, win->rule, win->signal, line, len, &txt) == 1) {
            char *et = evidence_text(line, len);
            char *both = NULL;
            if (et && txt && asprintf(&both, "%s  [%s]", et, txt) < 0) both = NULL;
            free(et);
            hit_record(e, sh, src, ref, line, len, t, both);
        }
        free(txt);
    }
    return 0;
}

int ev_line(struct ev *e, int src, const char *line, size_t len, uint64_t lineno)
{
    return ev_line_at(e, src, line, len, lineno, TS_TIME_NONE, LOG_LEVEL_UNKNOWN);
}

int ev_line_at(struct ev *e, int src, const char *line, size_t len, uint64_t lineno, ts_time_t time,
               enum log_level level)
{
    struct ev_source *s = &e->src[src];
    struct log_record rec;
    if (!e->scratch) {
        e->scratch = malloc(e->max_line + 64);
        if (!e->scratch) return -ENOMEM;
    }
    log_parse_line(line, len, e->year_hint, e->scratch, e->max_line + 64, &rec);
    ts_time_t t = time != TS_TIME_NONE ? time : rec.time;
    if (level > rec.level) rec.level = level;
    /* the fallback stamp finder only while it keeps paying off for this source */
    if (t == TS_TIME_NONE && (s->fallback_hits > 0 || s->fallback_tries < 256)) {
        s->fallback_tries++;
        t = rca_line_time(line, len, e->year_hint);
        if (t != TS_TIME_NONE) s->fallback_hits++;
    }
    int level_err = rec.level >= LOG_LEVEL_ERROR                                      ? 1
                    : (rec.level == LOG_LEVEL_UNKNOWN || rec.level == LOG_LEVEL_WARN) ? -1
                                                                                      : 0;
    if (rec.line && rec.line_len && rec.line != line) {
        line = rec.line;
        len = rec.line_len;
    }
    if (t != TS_TIME_NONE && e->since != TS_TIME_NONE && t < e->since) return 0;
    s->lines++;
    if (t != TS_TIME_NONE) {
        s->timed++;
        if (s->first_time == TS_TIME_NONE || t < s->first_time) s->first_time = t;
        if (s->last_time == TS_TIME_NONE || t > s->last_time) s->last_time = t;
    }
    int r = scan_text(e, src, line, len, NULL, t, lineno, level_err);
    if (r >= 0 && level_err == 1 && !s->first_error_text) {
        /* an error level without error words still is the first error */
        s->errors++;
        s->first_error_text = evidence_text(line, len);
        s->first_error_time = t;
        s->first_error_seq = e->seq;
        s->first_error_line = lineno;
    }
    return r;
}

int ev_fact(struct ev *e, int src, const char *text, ts_time_t time, const char *ref)
{
    struct ev_source *s = &e->src[src];
    s->lines++;
    if (time != TS_TIME_NONE) {
        s->timed++;
        if (s->first_time == TS_TIME_NONE || time < s->first_time) s->first_time = time;
        if (s->last_time == TS_TIME_NONE || time > s->last_time) s->last_time = time;
    }
    return scan_text(e, src, text, strlen(text), ref, time, s->lines, -1);
}

int ev_unreadable(struct ev *e, const char *path, const char *reason)
{
    return json_array_append_new(e->unreadable,
                                 json_pack("{s:s,s:s}", "path", path, "reason", reason))
               ? -ENOMEM
               : 0;
}

int ev_timeline(struct ev *e, ts_time_t t, const char *source, const char *kind, const char *text)
{
    char tb[64];
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "time", ts_format(t, 0, tb, sizeof tb), "source",
                          source, "kind", kind, "text", text);
    if (!o) return -ENOMEM;
    if (t == TS_TIME_NONE) json_object_set_new(o, "time", json_null());
    return json_array_append_new(e->timeline, o) ? -ENOMEM : 0;
}

int ev_edge_add(struct ev *e, const char *from, const char *to, const char *why)
{
    if (!from || !to || !*from || !*to || streq(from, to)) return 0;
    for (size_t i = 0; i < e->n_edges; i++)
        if (streq(e->edges[i].from, from) && streq(e->edges[i].to, to)) return 0;
    if (e->n_edges >= 10000) return 0;
    struct ev_edge *n = realloc(e->edges, (e->n_edges + 1) * sizeof *n);
    if (!n) return -ENOMEM;
    e->edges = n;
    n[e->n_edges] = (struct ev_edge){ strdup(from), strdup(to), strdup(why) };
    if (!n[e->n_edges].from || !n[e->n_edges].to || !n[e->n_edges].why) return -ENOMEM;
    e->n_edges++;
    return 0;
}

/* ---- line splitting ---- */

int linesplit_init(struct linesplit *ls, size_t cap)
{
    memset(ls, 0, sizeof *ls);
    ls->cap = cap ? cap : 64 * 1024;
    ls->buf = malloc(ls->cap + 1);
    return ls->buf ? 0 : -ENOMEM;
}

void linesplit_done(struct linesplit *ls)
{
    free(ls->buf);
    ls->buf = NULL;
}

static int emit(struct linesplit *ls, const char *p, size_t n, line_fn fn, void *u)
{
    if (n && p[n - 1] == '\r') n--;
    ls->lineno++;
    return fn(u, p, n, ls->lineno);
}

int linesplit_feed(struct linesplit *ls, const char *p, size_t n, line_fn fn, void *u)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (ls->skipping) {
            if (nl) ls->skipping = 0;
        } else if (ls->len == 0 && nl && take <= ls->cap) {
            int r = emit(ls, p, take, fn, u); /* fast path: no copy */
            if (r < 0) return r;
        } else {
            size_t room = ls->cap - ls->len;
            size_t c = TS_MIN(room, take);
            memcpy(ls->buf + ls->len, p, c);
            ls->len += c;
            if (take > room) {
                /* over-long line: emit the capped prefix, skip the rest */
                ls->truncated++;
                int r = emit(ls, ls->buf, ls->len, fn, u);
                ls->len = 0;
                if (r < 0) return r;
                if (!nl) ls->skipping = 1;
            } else if (nl) {
                int r = emit(ls, ls->buf, ls->len, fn, u);
                ls->len = 0;
                if (r < 0) return r;
            }
        }
        if (!nl) break;
        n -= take + 1;
        p += take + 1;
    }
    return 0;
}

int linesplit_finish(struct linesplit *ls, line_fn fn, void *u)
{
    int r = 0;
    if (ls->len && !ls->skipping) r = emit(ls, ls->buf, ls->len, fn, u);
    ls->len = 0;
    ls->skipping = 0;
    return r;
}

struct line_ctx {
    struct ev *e;
    int src;
};

static int on_line(void *u, const char *line, size_t len, uint64_t lineno)
{
    struct line_ctx *c = u;
    return ev_line(c->e, c->src, line, len, lineno ? lineno : 1);
}

int ev_read_log(struct ev *e, const char *path, const char *shown, const char *service)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) return errno ? -errno : -ENOMEM;
    gzbuffer(gz, 128 * 1024);
    int src = ev_source_add(e, shown, service, EV_LOG);
    if (src < 0) {
        gzclose(gz);
        return src;
    }
    struct linesplit ls;
    int r = linesplit_init(&ls, e->max_line);
    if (r < 0) {
        gzclose(gz);
        return r;
    }
    struct line_ctx c = { e, src };
    enum { CHUNK = 256 * 1024 };
    _cleanup_free_ char *chunk = malloc(CHUNK);
    if (!chunk) {
        linesplit_done(&ls);
        gzclose(gz);
        return -ENOMEM;
    }
    int binary_checked = 0;
    for (;;) {
        int n = gzread(gz, chunk, CHUNK);
        if (n < 0) {
            int en;
            const char *m = gzerror(gz, &en);
            char reason[256];
            snprintf(reason, sizeof reason, "read error after %llu lines: %s",
                     (unsigned long long)ls.lineno, m ? m : "?");
            r = ev_unreadable(e, shown, reason);
            break;
        }
        if (n == 0) break;
        if (!binary_checked) {
            binary_checked = 1;
            if (memchr(chunk, 0, (size_t)TS_MIN(n, 4096))) {
                r = ev_unreadable(e, shown, "binary file skipped");
                break;
            }
        }
        e->bytes += (uint64_t)n;
        r = linesplit_feed(&ls, chunk, (size_t)n, on_line, &c);
        if (r < 0) break;
        if (e->bytes > e->max_bytes) {
            r = ev_unreadable(e, shown, "byte budget reached: rest of file not read");
            break;
        }
    }
    if (r >= 0) r = linesplit_finish(&ls, on_line, &c);
    linesplit_done(&ls);
    gzclose(gz);
    return r;
}

char *service_from_path(const char *rel)
{
    const char *p = rel;
    const char *l = startswith(p, "logs/");
    if (l) p = l;
    const char *slash = strchr(p, '/');
    if (l && slash) return strndup(p, (size_t)(slash - p));
    const char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    size_t n = strcspn(base, ".");
    if (n == 0) n = strlen(base);
    return strndup(base, n);
}

/* ---- timestamps ---- */

static int num(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static ts_time_t mk(int y, int mo, int d, int h, int mi, int s, int64_t ns, int64_t off_s)
{
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return TS_TIME_NONE;
    int64_t days = ts_days_from_civil(y, (unsigned)mo, (unsigned)d);
    return ((days * 86400 + h * 3600 + mi * 60 + s) - off_s) * TS_NSEC_PER_SEC + ns;
}

static int month_of(const char *s)
{
    static const char m[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char l[3];
    for (int i = 0; i < 3; i++) l[i] = (char)tolower((unsigned char)s[i]);
    for (int i = 0; i < 12; i++)
        if (memcmp(m + i * 3, l, 3) == 0) return i + 1;
    return 0;
}

/* fraction and zone after HH:MM:SS at p; returns ns and sets *off */
static int64_t frac_zone(const char *p, const char *end, int64_t *off)
{
    int64_t ns = 0;
    *off = 0;
    if (p < end && (*p == '.' || *p == ',')) {
        p++;
        int64_t scale = 100000000;
        while (p < end && isdigit((unsigned char)*p)) {
            ns += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    while (p < end && *p == ' ') p++;
    if (p < end && (*p == '+' || *p == '-') && p + 3 <= end) {
        int sign = *p == '-' ? -1 : 1, hh, mm = 0;
        if (num(p + 1, 2, &hh)) {
            const char *q = p + 3;
            if (q < end && *q == ':') q++;
            if (q + 2 <= end && num(q, 2, &mm)) {}
            *off = sign * (hh * 3600 + mm * 60);
        }
    }
    return ns;
}

static ts_time_t iso_at(const char *s, const char *end)
{
    /* YYYY-MM-DD[T ]HH:MM:SS or YYYY/MM/DD HH:MM:SS */
    if (end - s < 19) return TS_TIME_NONE;
    int y, mo, d, h, mi, se;
    if (!num(s, 4, &y) || (s[4] != '-' && s[4] != '/') || !num(s + 5, 2, &mo) || s[7] != s[4] ||
        !num(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || !num(s + 11, 2, &h) ||
        s[13] != ':' || !num(s + 14, 2, &mi) || s[16] != ':' || !num(s + 17, 2, &se))
        return TS_TIME_NONE;
    int64_t off;
    int64_t ns = frac_zone(s + 19, end, &off);
    return mk(y, mo, d, h, mi, se, ns, off);
}

ts_time_t rca_line_time(const char *s, size_t n, int year_hint)
{
    const char *end = s + TS_MIN(n, (size_t)512);
    const char *p = s;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (end - p < 14) return TS_TIME_NONE;
    ts_time_t t = iso_at(p, end);
    if (t != TS_TIME_NONE) return t;
    if (!year_hint) year_hint = 2026;
    /* syslog: "Mon dd HH:MM:SS" (English month names only) */
    int d, h, mi, se, mo;
    if (end - p >= 15 && (mo = month_of(p)) && p[3] == ' ') {
        const char *q = p + 4;
        if (*q == ' ') q++;
        int dl = isdigit((unsigned char)q[1]) ? 2 : 1;
        if (num(q, (size_t)dl, &d) && q[dl] == ' ' && num(q + dl + 1, 2, &h) && q[dl + 3] == ':' &&
            num(q + dl + 4, 2, &mi) && q[dl + 6] == ':' && num(q + dl + 7, 2, &se)) {
            int64_t off;
            int64_t ns = frac_zone(q + dl + 9, end, &off);
            return mk(year_hint, mo, d, h, mi, se, ns, 0);
        }
    }
    /* klog: "E0118 17:33:58.888700" */
    if (strchr("IWEF", *p) && end - p >= 21 && num(p + 1, 2, &mo) && num(p + 3, 2, &d) &&
        p[5] == ' ' && num(p + 6, 2, &h) && p[8] == ':' && num(p + 9, 2, &mi) && p[11] == ':' &&
        num(p + 12, 2, &se)) {
        int64_t off;
        return mk(year_hint, mo, d, h, mi, se, frac_zone(p + 14, end, &off), 0);
    }
    /* JSON / logfmt time fields and bracketed access-log stamps, anywhere early */
    static const char *const keys[] = {
        "\"timestamp\":\"", "\"time\":\"", "\"ts\":\"", "\"@timestamp\":\"",
        "time=\"",          "ts=",         "time="
    };
    for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
        const char *q = memmem(s, (size_t)(end - s), keys[k], strlen(keys[k]));
        if (q) {
            t = iso_at(q + strlen(keys[k]), end);
            if (t != TS_TIME_NONE) return t;
        }
    }
    const char *b = memchr(s, '[', (size_t)(end - s));
    while (b && end - b >= 21) {
        /* [21/Oct/2018:05:57:35 +0000] */
        if (num(b + 1, 2, &d) && b[3] == '/' && (mo = month_of(b + 4)) && b[7] == '/' &&
            num(b + 8, 4, &year_hint) && b[12] == ':' && num(b + 13, 2, &h) && b[15] == ':' &&
            num(b + 16, 2, &mi) && b[18] == ':' && num(b + 19, 2, &se)) {
            int64_t off;
            int64_t ns = frac_zone(b + 21, end, &off);
            return mk(year_hint, mo, d, h, mi, se, ns, off);
        }
        b = memchr(b + 1, '[', (size_t)(end - b - 1));
    }
    /* ISO stamp after a short prefix ("pod | 2026-..", "time=..") */
    for (const char *q = p; q + 19 <= end && q - p < 120; q++)
        if (isdigit((unsigned char)*q) && (q == s || !isdigit((unsigned char)q[-1]))) {
            t = iso_at(q, end);
            if (t != TS_TIME_NONE) return t;
        }
    return TS_TIME_NONE;
}
