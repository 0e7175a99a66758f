/* SPDX-License-Identifier: MIT */
/*
 * errors.c: warnings and errors by template, first occurrences, spikes,
 * new templates and correlated spikes (see errors.h, docs/logs.md).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/redact.h"
#include "logs/errors.h"
#include "logs/logs.h"
#include "logs/miner.h"

#define MINUTE_NS     (60LL * TS_NSEC_PER_SEC)
#define KEY_MAX       2048  /* bytes of message (and of err) given to the miner */
#define ID_SLOTS      32768 /* > 2 * LOGS_MAX_TEMPLATES, power of two */
#define EXAMPLE_MAX   400
#define MAX_SOURCES   8
#define MAX_SPIKES    5
#define MAX_BUCKETS   720
#define DEFAULT_ITEMS 50
#define MAX_WORKERS   16
#define TMPL_SIGS     4  /* signatures remembered per template */
#define LINE_SIGS     16 /* signatures counted per line */

struct mcount {
    int64_t minute;
    uint32_t n;
};

/* Sparse per-minute counts, sorted by minute. */
struct series {
    struct mcount *v;
    size_t n, cap;
    int capped;
};

struct srcref {
    const char *name; /* interned */
    uint64_t count;
};

struct spike {
    int64_t start, end, peak_minute; /* minutes */
    uint32_t peak;
    double z, median;
};

struct tmpl {
    char *key; /* final template text (set by finalize_keys or on eviction) */
    uint64_t hash;
    uint32_t mid; /* miner template id the lines went to */
    int frozen;   /* key snapshotted before a miner eviction: mid is stale */
    enum log_level level;
    uint64_t count;
    ts_time_t first_time, last_time;
    const char *first_source;
    uint64_t first_line;
    char *example;
    struct srcref src[MAX_SOURCES];
    size_t n_src;
    struct series s;
    struct spike spikes[MAX_SPIKES];
    size_t n_spikes;
    int is_new;
    ts_time_t data_from; /* start of the data the "new" verdict looked at */
    double rank;
    uint32_t sigs[TMPL_SIGS]; /* known signatures that matched its lines */
    size_t n_sigs;
};

/* Hits of one known signature (query->sigs). */
struct sighit {
    uint64_t count;
    ts_time_t first, last;
    const char *first_source; /* interned */
    uint64_t first_line;
    char *example;
};

/* An interned source name with the time range of its records; the name
 * pointer handed out is `name`, SRCINFO() gets back to the struct. */
struct srcinfo {
    ts_time_t first, last;
    char name[];
};
#define SRCINFO(p) ((struct srcinfo *)(void *)((char *)(p)-offsetof(struct srcinfo, name)))

struct interned {
    char **v; /* names (inside struct srcinfo) */
    size_t n, cap;
    size_t *tab; /* hash: index + 1 */
    size_t tabn;
};

struct ctx {
    const struct logs_query *q;
    struct tmpl *t;
    size_t n_t;
    size_t *slots; /* by key text, open addressing: index + 1, 0 = empty */
    size_t n_slots;
    size_t *idslots; /* by miner id, same scheme */
    struct miner *m;
    uint64_t dropped; /* lines of templates past the cap */
    struct series lines, warns, errs;
    uint64_t n_warn, n_err, n_lines, n_untimed_err;
    ts_time_t first, last;
    struct interned src;
    const char *last_src, *last_src_raw; /* intern cache */
    struct buf key;
    struct sighit *sh; /* [q->sigs->n] when q->sigs */
    void *sig_state;
};

static int series_add(struct series *s, int64_t minute, uint32_t k)
{
    if (s->n && s->v[s->n - 1].minute == minute) {
        s->v[s->n - 1].n += k;
        return 0;
    }
    size_t pos = s->n;
    if (s->n && s->v[s->n - 1].minute > minute) {
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->v[mid].minute < minute)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < s->n && s->v[lo].minute == minute) {
            s->v[lo].n += k;
            return 0;
        }
        pos = lo;
    }
    if (s->n >= LOGS_MAX_MINUTES) {
        s->capped = 1;
        return 0;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        struct mcount *nv = realloc(s->v, nc * sizeof(*nv));
        if (!nv) return -ENOMEM;
        s->v = nv;
        s->cap = nc;
    }
    memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
    s->v[pos] = (struct mcount){ minute, k };
    s->n++;
    return 0;
}

static int64_t minute_of(ts_time_t t)
{
    return t >= 0 ? t / MINUTE_NS : -((-t + MINUTE_NS - 1) / MINUTE_NS);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static const char *intern(struct interned *in, const char *s)
{
    uint64_t h = hash_bytes(s, strlen(s));
    if (in->tabn) {
        for (size_t i = (size_t)h & (in->tabn - 1); in->tab[i]; i = (i + 1) & (in->tabn - 1))
            if (streq(in->v[in->tab[i] - 1], s)) return in->v[in->tab[i] - 1];
    }
    if (in->n == in->cap) {
        size_t nc = in->cap ? in->cap * 2 : 16;
        char **nv = realloc(in->v, nc * sizeof(char *));
        if (!nv) return NULL;
        in->v = nv;
        in->cap = nc;
    }
    if (2 * (in->n + 1) > in->tabn) { /* grow and rehash */
        size_t nn = in->tabn ? in->tabn * 2 : 64;
        size_t *nt = calloc(nn, sizeof(size_t));
        if (!nt) return NULL;
        for (size_t k = 0; k < in->n; k++) {
            const char *v = in->v[k];
            size_t i = (size_t)hash_bytes(v, strlen(v)) & (nn - 1);
            while (nt[i]) i = (i + 1) & (nn - 1);
            nt[i] = k + 1;
        }
        free(in->tab);
        in->tab = nt;
        in->tabn = nn;
    }
    size_t len = strlen(s);
    struct srcinfo *si = malloc(sizeof(*si) + len + 1);
    if (!si) return NULL;
    si->first = si->last = TS_TIME_NONE;
    memcpy(si->name, s, len + 1);
    size_t i = (size_t)h & (in->tabn - 1);
    while (in->tab[i]) i = (i + 1) & (in->tabn - 1);
    in->tab[i] = in->n + 1;
    in->v[in->n++] = si->name;
    return si->name;
}

static void srcinfo_span(struct srcinfo *si, ts_time_t first, ts_time_t last)
{
    if (first != TS_TIME_NONE && (si->first == TS_TIME_NONE || first < si->first))
        si->first = first;
    if (last != TS_TIME_NONE && (si->last == TS_TIME_NONE || last > si->last)) si->last = last;
}

static struct tmpl *lookup_id(struct ctx *c, uint32_t mid)
{
    size_t mask = ID_SLOTS - 1, i = ((size_t)mid * 2654435761u) & mask;
    for (;;) {
        size_t s = c->idslots[i];
        if (!s) break;
        if (c->t[s - 1].mid == mid && !c->t[s - 1].frozen) return &c->t[s - 1];
        i = (i + 1) & mask;
    }
    if (c->n_t >= LOGS_MAX_TEMPLATES) return NULL;
    struct tmpl *t = &c->t[c->n_t];
    memset(t, 0, sizeof(*t));
    t->mid = mid;
    t->first_time = TS_TIME_NONE;
    t->last_time = TS_TIME_NONE;
    c->idslots[i] = ++c->n_t;
    return t;
}

/* The miner is about to evict a template: ids given out so far may be
 * reused, so snapshot the text of every live entry and start a new id map. */
static void before_evict(void *userdata)
{
    struct ctx *c = userdata;
    for (size_t i = 0; i < c->n_t; i++) {
        struct tmpl *t = &c->t[i];
        if (t->frozen) continue;
        size_t n = 0;
        const char *txt = miner_text(c->m, miner_resolve(c->m, t->mid), &n);
        t->key = strndup(txt ? txt : "", n);
        t->frozen = 1; /* a NULL key (ENOMEM) is caught by finalize_keys */
    }
    memset(c->idslots, 0, ID_SLOTS * sizeof(size_t));
}

static void tmpl_add_sig(struct tmpl *t, uint32_t sig)
{
    for (size_t i = 0; i < t->n_sigs; i++)
        if (t->sigs[i] == sig) return;
    if (t->n_sigs < TMPL_SIGS) t->sigs[t->n_sigs++] = sig;
}

static void merge_tmpl(struct tmpl *d, struct tmpl *s)
{
    for (size_t i = 0; i < s->n_sigs; i++) tmpl_add_sig(d, s->sigs[i]);
    d->count += s->count;
    if (s->level > d->level) d->level = s->level;
    if (s->first_time != TS_TIME_NONE &&
        (d->first_time == TS_TIME_NONE || s->first_time < d->first_time)) {
        d->first_time = s->first_time;
        d->first_source = s->first_source;
        d->first_line = s->first_line;
        char *e = d->example;
        d->example = s->example;
        s->example = e;
    }
    if (s->last_time != TS_TIME_NONE &&
        (d->last_time == TS_TIME_NONE || s->last_time > d->last_time))
        d->last_time = s->last_time;
    for (size_t i = 0; i < s->n_src; i++) {
        size_t k;
        for (k = 0; k < d->n_src; k++)
            if (d->src[k].name == s->src[i].name) break;
        if (k < d->n_src)
            d->src[k].count += s->src[i].count;
        else if (d->n_src < MAX_SOURCES)
            d->src[d->n_src++] = s->src[i];
    }
    for (size_t i = 0; i < s->s.n; i++)
        if (series_add(&d->s, s->s.v[i].minute, s->s.v[i].n) < 0) d->s.capped = 1;
}

static void tmpl_release(struct tmpl *t)
{
    free(t->key);
    free(t->example);
    free(t->s.v);
    memset(t, 0, sizeof(*t));
}

/* Open-addressing lookup of t's text in c's key table. Returns the entry
 * with the same text, or NULL with *ret_slot set to the free slot. */
static struct tmpl *key_find(const struct ctx *c, const struct tmpl *t, size_t *ret_slot)
{
    size_t mask = c->n_slots - 1, h = (size_t)t->hash & mask;
    while (c->slots[h]) {
        struct tmpl *f = &c->t[c->slots[h] - 1];
        if (f->hash == t->hash && streq(f->key, t->key)) return f;
        h = (h + 1) & mask;
    }
    *ret_slot = h;
    return NULL;
}

/* Give every entry its final template text and merge entries whose text is
 * the same (miner aliases, ids split by an eviction). */
static int finalize_keys(struct ctx *c)
{
    for (size_t i = 0; i < c->n_t; i++) {
        struct tmpl *t = &c->t[i];
        if (!t->frozen) {
            size_t n = 0;
            const char *txt = miner_text(c->m, miner_resolve(c->m, t->mid), &n);
            t->key = strndup(txt ? txt : "", n);
        }
        if (!t->key) return -ENOMEM;
        t->hash = hash_bytes(t->key, strlen(t->key));
    }
    memset(c->slots, 0, c->n_slots * sizeof(size_t));
    size_t out = 0;
    for (size_t i = 0; i < c->n_t; i++) {
        struct tmpl *t = &c->t[i];
        size_t h = 0;
        struct tmpl *found = key_find(c, t, &h);
        if (found) {
            merge_tmpl(found, t);
            tmpl_release(t);
            continue;
        }
        if (out != i) {
            c->t[out] = *t;
            memset(t, 0, sizeof(*t));
        }
        c->slots[h] = ++out;
    }
    c->n_t = out;
    return 0;
}

/* Interned source of rec: the reader's source pointer is stable per input
 * (the journal reuses one buffer for every unit, hence the string compare). */
static const char *source_of(struct ctx *c, const struct log_record *rec)
{
    const char *name = rec->source ? rec->source : "-";
    if (c->last_src && rec->source == c->last_src_raw && streq(c->last_src, name))
        return c->last_src;
    const char *src = intern(&c->src, name);
    if (!src) return NULL;
    c->last_src = src;
    c->last_src_raw = rec->source;
    return src;
}

/* Count the known signatures of rec's line (records before --since are
 * baseline: not counted). Returns how many matched (written to sids) or
 * -errno. */
static int match_sigs(struct ctx *c, const struct log_record *rec, uint32_t *sids)
{
    const struct logs_sigs *sg = c->q->sigs;
    if (c->q->since != TS_TIME_NONE && rec->time != TS_TIME_NONE && rec->time < c->q->since)
        return 0;
    int n = sg->match(c->sig_state, rec->line, rec->line_len, sids, LINE_SIGS);
    if (n <= 0) return n;
    for (int i = 0; i < n; i++) {
        if (sids[i] >= sg->n) return -EINVAL;
        struct sighit *h = &c->sh[sids[i]];
        int earlier = h->count == 0 || (rec->time != TS_TIME_NONE &&
                                        (h->first == TS_TIME_NONE || rec->time < h->first));
        h->count++;
        if (rec->time != TS_TIME_NONE && (h->last == TS_TIME_NONE || rec->time > h->last))
            h->last = rec->time;
        if (earlier) {
            const char *src = source_of(c, rec);
            if (!src) return -ENOMEM;
            h->first = rec->time;
            h->first_source = src;
            h->first_line = rec->lineno;
            free(h->example);
            h->example = strndup(rec->line, TS_MIN(rec->line_len, (size_t)EXAMPLE_MAX));
            if (!h->example) return -ENOMEM;
        }
    }
    return n;
}

static int add_record(struct ctx *c, const struct log_record *rec)
{
    c->n_lines++;
    int64_t minute = 0;
    if (rec->time != TS_TIME_NONE) {
        const char *sn = source_of(c, rec);
        if (!sn) return -ENOMEM;
        srcinfo_span(SRCINFO(sn), rec->time, rec->time);
        if (c->first == TS_TIME_NONE || rec->time < c->first) c->first = rec->time;
        if (c->last == TS_TIME_NONE || rec->time > c->last) c->last = rec->time;
        minute = minute_of(rec->time);
        if (series_add(&c->lines, minute, 1) < 0) return -ENOMEM;
    }
    uint32_t sids[LINE_SIGS];
    int n_sids = 0;
    if (c->sig_state) {
        n_sids = match_sigs(c, rec, sids);
        if (n_sids < 0) return n_sids;
    }
    enum log_level lv = rec->level;
    if (lv == LOG_LEVEL_UNKNOWN) {
        lv = log_level_infer(rec->msg, rec->msg_len);
        if (rec->err && rec->err_len && lv < LOG_LEVEL_ERROR) lv = LOG_LEVEL_ERROR;
    }
    if (lv < LOG_LEVEL_WARN) return 0;
    if (lv >= LOG_LEVEL_ERROR)
        c->n_err++;
    else
        c->n_warn++;
    if (rec->time != TS_TIME_NONE) {
        if (series_add(lv >= LOG_LEVEL_ERROR ? &c->errs : &c->warns, minute, 1) < 0) return -ENOMEM;
    } else if (lv >= LOG_LEVEL_ERROR)
        c->n_untimed_err++;

    buf_reset(&c->key);
    size_t ml = TS_MIN(rec->msg_len, (size_t)KEY_MAX);
    int r = buf_append(&c->key, rec->msg, ml);
    if (r >= 0 && rec->err && rec->err_len) {
        r = buf_puts(&c->key, " | err: ");
        if (r >= 0) r = buf_append(&c->key, rec->err, TS_MIN(rec->err_len, (size_t)KEY_MAX));
    }
    if (r < 0) return r;
    const char *src = source_of(c, rec);
    if (!src) return -ENOMEM;
    uint32_t mid = 0;
    r = miner_add(c->m, c->key.data ? c->key.data : "", c->key.len, rec->time, src, &mid);
    if (r < 0) return r;
    struct tmpl *t = lookup_id(c, mid);
    int created = t && t->count == 0;
    if (!t) {
        c->dropped++;
        return 0;
    }
    t->count++;
    if (lv > t->level) t->level = lv;
    for (int i = 0; i < n_sids; i++) tmpl_add_sig(t, sids[i]);
    size_t si;
    for (si = 0; si < t->n_src; si++)
        if (t->src[si].name == src) break;
    if (si < t->n_src)
        t->src[si].count++;
    else if (t->n_src < MAX_SOURCES)
        t->src[t->n_src++] = (struct srcref){ src, 1 };
    int earlier = created || (rec->time != TS_TIME_NONE &&
                              (t->first_time == TS_TIME_NONE || rec->time < t->first_time));
    if (earlier) {
        t->first_time = rec->time;
        t->first_source = src;
        t->first_line = rec->lineno;
        free(t->example);
        size_t el = TS_MIN(rec->line_len, (size_t)EXAMPLE_MAX);
        t->example = strndup(rec->line, el);
        if (!t->example) return -ENOMEM;
    }
    if (rec->time != TS_TIME_NONE) {
        if (t->last_time == TS_TIME_NONE || rec->time > t->last_time) t->last_time = rec->time;
        if (series_add(&t->s, minute, 1) < 0) return -ENOMEM;
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* k-th smallest (0-based) of the multiset made of `zeros` copies of z plus
 * the sorted values v[0..n): O(log n). */
static double kth_mixed(double z, uint64_t zeros, const double *v, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n; /* lo = number of v below z */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < z)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (k < lo) return v[k];
    if (k < lo + zeros) return z;
    return v[k - zeros];
}

static double median_mixed(double z, uint64_t zeros, const double *v, size_t n)
{
    uint64_t total = zeros + n;
    if (total == 0) return 0;
    return (kth_mixed(z, zeros, v, n, (total - 1) / 2) + kth_mixed(z, zeros, v, n, total / 2)) / 2;
}

/* Robust statistics of the counts of s over minutes [m0, m1]. */
static int robust_stats(const struct series *s, int64_t m0, int64_t m1, double *med, double *mad)
{
    *med = *mad = 0;
    if (m1 < m0) return 0;
    uint64_t minutes = (uint64_t)(m1 - m0 + 1);
    size_t n = 0;
    uint32_t *v = malloc((s->n ? s->n : 1) * sizeof(uint32_t));
    double *dv = malloc((s->n ? s->n : 1) * sizeof(double));
    if (!v || !dv) {
        free(v);
        free(dv);
        return -ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].minute >= m0 && s->v[i].minute <= m1) v[n++] = s->v[i].n;
    qsort(v, n, sizeof(*v), cmp_u32);
    for (size_t i = 0; i < n; i++) dv[i] = v[i];
    uint64_t zeros = minutes > n ? minutes - n : 0;
    *med = median_mixed(0, zeros, dv, n);
    for (size_t i = 0; i < n; i++) dv[i] = fabs(v[i] - *med);
    qsort(dv, n, sizeof(*dv), cmp_dbl);
    *mad = median_mixed(*med, zeros, dv, n);
    free(v);
    free(dv);
    return 0;
}

static int find_spikes(struct tmpl *t, int64_t b0, int64_t b1, int64_t w0, int64_t w1)
{
    double med, mad;
    int r = robust_stats(&t->s, b0, b1, &med, &mad);
    if (r < 0) return r;
    /* counts are Poisson-like: never trust a scale below sqrt(mean) */
    uint64_t sum = 0;
    for (size_t i = 0; i < t->s.n; i++)
        if (t->s.v[i].minute >= b0 && t->s.v[i].minute <= b1) sum += t->s.v[i].n;
    double mean = b1 >= b0 ? (double)sum / (double)(b1 - b0 + 1) : 0;
    double scale = fmax(fmax(1.4826 * mad, 1.0), sqrt(mean));
    struct spike *cur = NULL;
    for (size_t i = 0; i < t->s.n; i++) {
        const struct mcount *m = &t->s.v[i];
        if (m->minute < w0 || m->minute > w1) continue;
        double z = (m->n - med) / scale;
        if (m->n < LOGS_SPIKE_MIN || z < LOGS_SPIKE_Z) continue;
        if (cur && m->minute - cur->end <= 2) {
            cur->end = m->minute;
            if (m->n > cur->peak) {
                cur->peak = m->n;
                cur->peak_minute = m->minute;
                cur->z = z;
            }
            continue;
        }
        if (t->n_spikes >= MAX_SPIKES) break;
        cur = &t->spikes[t->n_spikes++];
        *cur = (struct spike){ m->minute, m->minute, m->minute, m->n, z, med };
    }
    return 0;
}

static json_t *time_json(ts_time_t t, int millis)
{
    if (t == TS_TIME_NONE) return json_null();
    char b[48];
    return json_string(ts_format(t, millis, b, sizeof(b)));
}

static json_t *redacted_string(const char *s)
{
    char *r = redact_dup(s ? s : "", NULL);
    if (!r) return NULL;
    /* jansson needs valid UTF-8: replace bad bytes */
    json_t *j = json_string(r);
    if (!j) {
        for (unsigned char *p = (unsigned char *)r; *p; p++)
            if (*p >= 0x80) *p = '?';
        j = json_string(r);
    }
    free(r);
    return j;
}

/* Dense per-bucket counts of s in minutes [m0, m1], at most MAX_BUCKETS. */
static json_t *series_json(const struct series *s, int64_t m0, int64_t m1)
{
    if (m1 < m0) return json_null();
    int64_t span = m1 - m0 + 1, step = (span + MAX_BUCKETS - 1) / MAX_BUCKETS;
    if (step < 1) step = 1;
    size_t nb = (size_t)((span + step - 1) / step);
    uint64_t *b = calloc(nb, sizeof(uint64_t));
    if (!b) return NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].minute >= m0 && s->v[i].minute <= m1)
            b[(s->v[i].minute - m0) / step] += s->v[i].n;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nb; i++)
        json_array_append_new(arr, json_integer((json_int_t)b[i]));
    free(b);
    return json_pack("{s:o,s:I,s:o}", "start", time_json(m0 * MINUTE_NS, 0), "step_s",
                     (json_int_t)(step * 60), "counts", arr ? arr : json_array());
}

static const char *primary_source(const struct tmpl *t)
{
    const struct srcref *best = NULL;
    for (size_t i = 0; i < t->n_src; i++)
        if (!best || t->src[i].count > best->count) best = &t->src[i];
    return best ? best->name : "-";
}

/* The rule ids of the signatures that matched t's lines, once each. */
static json_t *tmpl_rules_json(const struct tmpl *t, const struct logs_sigs *sg)
{
    json_t *a = json_array();
    for (size_t i = 0; a && sg && i < t->n_sigs; i++) {
        const char *rule = NULL, *cat = NULL, *sig = NULL;
        sg->describe(sg->ctx, t->sigs[i], &rule, &cat, &sig);
        int dup = 0;
        size_t k;
        json_t *v;
        json_array_foreach(a, k, v) if (streq(json_string_value(v), rule)) dup = 1;
        if (!dup) json_array_append_new(a, json_string(rule));
    }
    return a ? a : json_array();
}

static json_t *template_json(const struct tmpl *t, size_t idx, int64_t m0, int64_t m1,
                             ts_time_t since_data, const struct logs_sigs *sg)
{
    char id[32], hm[48];
    snprintf(id, sizeof(id), "t%zu", idx + 1);
    json_t *srcs = json_array();
    for (size_t i = 0; i < t->n_src; i++)
        json_array_append_new(srcs, json_pack("{s:s,s:I}", "source", t->src[i].name, "count",
                                              (json_int_t)t->src[i].count));
    json_t *spikes = json_array();
    for (size_t i = 0; i < t->n_spikes; i++) {
        const struct spike *s = &t->spikes[i];
        json_array_append_new(
            spikes,
            json_pack("{s:o,s:o,s:o,s:I,s:f,s:f}", "start", time_json(s->start * MINUTE_NS, 0),
                      "end", time_json(s->end * MINUTE_NS + MINUTE_NS - TS_NSEC_PER_SEC, 0),
                      "peak_time", time_json(s->peak_minute * MINUTE_NS, 0), "peak",
                      (json_int_t)s->peak, "z", round(s->z * 10) / 10, "baseline_median",
                      s->median));
    }
    json_t *newtext = json_null();
    if (t->is_new) {
        char b1[48], b2[48];
        ts_format(t->first_time, 0, b1, sizeof(b1));
        ts_format(since_data, 0, b2, sizeof(b2));
        snprintf(hm, sizeof(hm), "%.5s", b1 + 11);
        char text[160];
        snprintf(text, sizeof(text), "never seen before %s (data from %s)", hm, b2);
        newtext = json_string(text);
    }
    json_t *first = json_pack("{s:o,s:s,s:I,s:o}", "time", time_json(t->first_time, 1), "source",
                              t->first_source ? t->first_source : "-", "line",
                              (json_int_t)t->first_line, "example", redacted_string(t->example));
    json_t *pm = t->s.n ? series_json(&t->s, TS_MAX(m0, t->s.v[0].minute),
                                      TS_MIN(m1, t->s.v[t->s.n - 1].minute))
                        : json_null();
    return json_pack("{s:s,s:o,s:s,s:I,s:s,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o}", "id", id, "template",
                     redacted_string(t->key), "level", log_level_name(t->level), "count",
                     (json_int_t)t->count, "source", primary_source(t), "sources", srcs, "first",
                     first, "last", time_json(t->last_time, 1), "new", t->is_new, "new_text",
                     newtext, "per_minute", pm ? pm : json_null(), "spikes", spikes, "rules",
                     tmpl_rules_json(t, sg));
}

static int cmp_rank(const void *a, const void *b)
{
    const struct tmpl *x = *(const struct tmpl *const *)a, *y = *(const struct tmpl *const *)b;
    return x->rank > y->rank ? -1 : x->rank < y->rank;
}

struct sp_ref {
    size_t tidx;
    int64_t start;
    const char *source;
};

static int cmp_spref(const void *a, const void *b)
{
    const struct sp_ref *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void ctx_free(struct ctx *c)
{
    for (size_t i = 0; i < c->n_t; i++) {
        free(c->t[i].key);
        free(c->t[i].example);
        free(c->t[i].s.v);
    }
    free(c->t);
    free(c->slots);
    free(c->idslots);
    miner_free(c->m);
    free(c->lines.v);
    free(c->warns.v);
    free(c->errs.v);
    for (size_t i = 0; i < c->src.n; i++) free(SRCINFO(c->src.v[i]));
    free(c->src.v);
    free(c->src.tab);
    buf_release(&c->key);
    if (c->sh)
        for (size_t i = 0; i < c->q->sigs->n; i++) free(c->sh[i].example);
    free(c->sh);
    if (c->sig_state) c->q->sigs->state_free(c->sig_state);
}

static json_t *inputs_json(struct log_reader *const *rds, size_t n)
{
    struct log_reader_stats t = { 0 };
    json_t *probs = json_array();
    uint64_t dups = 0;
    for (size_t k = 0; k < n; k++) {
        const struct log_reader_stats *st = log_reader_stats(rds[k]);
        t.files += st->files;
        t.lines += st->lines;
        t.bytes += st->bytes;
        t.untimed += st->untimed;
        t.truncated += st->truncated;
        t.skipped_binary += st->skipped_binary;
        t.filtered += st->filtered;
        t.errors += st->errors;
        if (k == 0) t.skipped_symlink = st->skipped_symlink; /* every shard walks the dirs */
        for (size_t i = 0;; i++) {
            const char *e = log_reader_error(rds[k], i);
            if (!e) break;
            /* directory-walk problems are seen by every shard: list them once */
            int seen = 0;
            for (size_t p = 0; k > 0 && p < i + 1 && !seen; p++) {
                const char *o = log_reader_error(rds[0], p);
                if (o && streq(o, e)) seen = 1;
            }
            if (seen) {
                dups++;
                continue;
            }
            json_array_append_new(probs, redacted_string(e));
        }
    }
    if (t.errors >= dups) t.errors -= dups;
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "files", (json_int_t)t.files,
                     "lines", (json_int_t)t.lines, "bytes", (json_int_t)t.bytes, "untimed",
                     (json_int_t)t.untimed, "truncated", (json_int_t)t.truncated, "skipped_binary",
                     (json_int_t)t.skipped_binary, "skipped_symlink", (json_int_t)t.skipped_symlink,
                     "filtered", (json_int_t)t.filtered, "errors", (json_int_t)t.errors, "problems",
                     probs);
}

/* Progress shared by the workers: each publishes its own counters, shard 0
 * reports the sums. */
struct progress_share {
    uint64_t bytes[MAX_WORKERS], done[MAX_WORKERS], total[MAX_WORKERS];
    unsigned n;
};

struct worker {
    const struct logs_query *q;
    unsigned shard, n;
    struct ctx c;
    struct log_reader *rd;
    struct progress_share *ps;
    int r;
};

static void publish_progress(struct worker *w, int report)
{
    const struct log_reader_stats *st = log_reader_stats(w->rd);
    __atomic_store_n(&w->ps->bytes[w->shard], st->bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&w->ps->done[w->shard], st->disk_done, __ATOMIC_RELAXED);
    __atomic_store_n(&w->ps->total[w->shard], st->disk_total, __ATOMIC_RELAXED);
    if (!report) return;
    uint64_t b = 0, d = 0, t = 0;
    for (unsigned k = 0; k < w->ps->n; k++) {
        b += __atomic_load_n(&w->ps->bytes[k], __ATOMIC_RELAXED);
        d += __atomic_load_n(&w->ps->done[k], __ATOMIC_RELAXED);
        t += __atomic_load_n(&w->ps->total[k], __ATOMIC_RELAXED);
    }
    w->q->progress(w->q->progress_userdata, b, d, t);
}

static int ctx_init(struct ctx *c, const struct logs_query *q)
{
    *c = (struct ctx){ .q = q, .first = TS_TIME_NONE, .last = TS_TIME_NONE };
    buf_init(&c->key, 2 * KEY_MAX + 16);
    c->n_slots = ID_SLOTS;
    c->slots = calloc(c->n_slots, sizeof(size_t));
    c->idslots = calloc(ID_SLOTS, sizeof(size_t));
    c->t = calloc(LOGS_MAX_TEMPLATES, sizeof(struct tmpl));
    if (!c->slots || !c->idslots || !c->t) return -ENOMEM;
    if (q->sigs && q->sigs->n) {
        c->sh = calloc(q->sigs->n, sizeof(*c->sh));
        if (!c->sh) return -ENOMEM;
        for (size_t i = 0; i < q->sigs->n; i++) c->sh[i].first = c->sh[i].last = TS_TIME_NONE;
        int r = q->sigs->state_new(q->sigs->ctx, &c->sig_state);
        if (r < 0) return r;
    }
    struct miner_opts mo = { .before_evict = before_evict, .userdata = c };
    return miner_new(&mo, &c->m);
}

/* One worker: read its shard of the inputs into its own ctx. */
static int read_shard(struct worker *w)
{
    const struct logs_query *q = w->q;
    int r = ctx_init(&w->c, q);
    if (r < 0) return r;
    struct log_reader_opts ro = { .max_line = q->max_line,
                                  .since = TS_TIME_NONE,
                                  .until = q->until,
                                  .shard = w->shard,
                                  .n_shards = w->n };
    if (q->since != TS_TIME_NONE) ro.since = q->since - LOGS_BASELINE_LOOKBACK;
    r = log_reader_new(&ro, &w->rd);
    if (r < 0) return r;
    for (size_t i = 0; i < q->n_paths; i++) {
        r = log_reader_add_path(w->rd, q->paths[i]);
        if (r < 0) return r;
    }
    if (q->journal) {
        r = logs_query_add_journal(w->rd, q);
        if (r < 0) return r;
    }
    struct log_record rec;
    int64_t last_prog = ts_mono_ns();
    uint64_t nrec = 0;
    while ((r = log_reader_next(w->rd, &rec)) > 0) {
        r = add_record(&w->c, &rec);
        if (r < 0) return r;
        if (q->progress && (++nrec & 0xffff) == 0) {
            int64_t now = ts_mono_ns();
            if (w->shard != 0 || now - last_prog > 200000000) {
                last_prog = now;
                publish_progress(w, w->shard == 0);
            }
        }
    }
    if (r < 0) return r;
    if (q->progress) publish_progress(w, 0);
    return finalize_keys(&w->c);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->r = read_shard(w);
    return NULL;
}

/* Move everything of b into a (b is left empty). Both are finalized. */
static int merge_ctx(struct ctx *a, struct ctx *b)
{
    a->n_lines += b->n_lines;
    a->n_warn += b->n_warn;
    a->n_err += b->n_err;
    a->n_untimed_err += b->n_untimed_err;
    a->dropped += b->dropped;
    if (b->first != TS_TIME_NONE && (a->first == TS_TIME_NONE || b->first < a->first))
        a->first = b->first;
    if (b->last != TS_TIME_NONE && (a->last == TS_TIME_NONE || b->last > a->last))
        a->last = b->last;
    struct series *sa[] = { &a->lines, &a->warns, &a->errs },
                  *sb[] = { &b->lines, &b->warns, &b->errs };
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < sb[k]->n; i++)
            if (series_add(sa[k], sb[k]->v[i].minute, sb[k]->v[i].n) < 0) return -ENOMEM;
    for (size_t i = 0; i < b->src.n; i++) {
        const char *an = intern(&a->src, b->src.v[i]);
        if (!an) return -ENOMEM;
        srcinfo_span(SRCINFO(an), SRCINFO(b->src.v[i])->first, SRCINFO(b->src.v[i])->last);
    }
    a->last_src = a->last_src_raw = NULL;
    for (size_t i = 0; a->sh && b->sh && i < a->q->sigs->n; i++) {
        struct sighit *x = &a->sh[i], *y = &b->sh[i];
        if (!y->count) continue;
        int earlier = !x->count || (y->first != TS_TIME_NONE &&
                                    (x->first == TS_TIME_NONE || y->first < x->first));
        x->count += y->count;
        if (y->last != TS_TIME_NONE && (x->last == TS_TIME_NONE || y->last > x->last))
            x->last = y->last;
        if (earlier) {
            x->first = y->first;
            x->first_line = y->first_line;
            if (y->first_source && !(x->first_source = intern(&a->src, y->first_source)))
                return -ENOMEM;
            char *e = x->example;
            x->example = y->example;
            y->example = e;
        }
    }
    for (size_t i = 0; i < b->n_t; i++) {
        struct tmpl *t = &b->t[i];
        /* sources are interned per ctx */
        if (t->first_source && !(t->first_source = intern(&a->src, t->first_source)))
            return -ENOMEM;
        for (size_t k = 0; k < t->n_src; k++)
            if (!(t->src[k].name = intern(&a->src, t->src[k].name))) return -ENOMEM;
        size_t h = 0;
        struct tmpl *found = key_find(a, t, &h);
        if (found) {
            merge_tmpl(found, t);
            tmpl_release(t);
        } else if (a->n_t < LOGS_MAX_TEMPLATES) {
            a->t[a->n_t] = *t;
            memset(t, 0, sizeof(*t));
            a->slots[h] = ++a->n_t;
        } else {
            a->dropped += t->count;
            tmpl_release(t);
        }
    }
    b->n_t = 0;
    return 0;
}

static int cmp_sighit(const void *a, const void *b)
{
    const struct sighit *x = *(const struct sighit *const *)a,
                        *y = *(const struct sighit *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    if (x->first != y->first) {
        if (x->first == TS_TIME_NONE) return 1;
        if (y->first == TS_TIME_NONE) return -1;
        return x->first < y->first ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

/* The known signatures seen, most hits first (an empty array without a
 * matcher). */
static json_t *signatures_json(const struct ctx *c, const struct logs_sigs *sg, size_t max)
{
    json_t *arr = json_array();
    if (!arr || !sg || !c->sh) return arr;
    size_t n = 0;
    const struct sighit **v = calloc(sg->n ? sg->n : 1, sizeof(*v));
    if (!v) return arr;
    for (size_t i = 0; i < sg->n; i++)
        if (c->sh[i].count) v[n++] = &c->sh[i];
    qsort(v, n, sizeof(*v), cmp_sighit);
    for (size_t i = 0; i < n && i < max; i++) {
        const struct sighit *h = v[i];
        const char *rule = NULL, *cat = NULL, *sig = NULL;
        sg->describe(sg->ctx, (size_t)(h - c->sh), &rule, &cat, &sig);
        char ref[1024];
        snprintf(ref, sizeof(ref), "%s:%llu", h->first_source ? h->first_source : "-",
                 (unsigned long long)h->first_line);
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "rule", rule, "category", cat,
                           "signal", sig, "count", (json_int_t)h->count, "first",
                           time_json(h->first, 1), "last", time_json(h->last, 1), "first_ref",
                           redacted_string(ref), "example", redacted_string(h->example)));
    }
    free(v);
    return arr;
}

static unsigned worker_count(const struct logs_query *q)
{
    if (q->threads == 1) return 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = q->threads > 0 ? (unsigned)q->threads : (unsigned)(ncpu > 0 ? ncpu : 1);
    if (n > 4 && q->threads <= 0) n = 4;
    if (n > MAX_WORKERS) n = MAX_WORKERS;
    if (q->n_paths == 1 && !q->journal) {
        struct stat st;
        if (streq(q->paths[0], "-") || (stat(q->paths[0], &st) == 0 && !S_ISDIR(st.st_mode)))
            return 1;
    }
    if (q->n_paths == 0) return 1;
    return n;
}

int logs_errors_run(const struct logs_query *q, json_t **ret)
{
    if (!q || !ret) return -EINVAL;
    json_t *doc = NULL;
    int r = 0;
    struct tmpl **order = NULL, **byfirst = NULL;
    size_t *rank_of = NULL;
    struct sp_ref *sp = NULL;
    json_t *templates = NULL, *first_errors = NULL, *news = NULL, *spikes = NULL,
           *correlated = NULL;
    struct progress_share ps = { .n = worker_count(q) };
    unsigned nw = ps.n;
    struct worker w[MAX_WORKERS];
    pthread_t th[MAX_WORKERS];
    int started[MAX_WORKERS] = { 0 };
    struct log_reader *rds[MAX_WORKERS];
    for (unsigned k = 0; k < nw; k++)
        w[k] = (struct worker){ .q = q, .shard = k, .n = nw, .ps = &ps };
    if (nw > 1) {
        /* run every lazily initialised table (masking classes) once before
         * the threads start, so that no worker sees a half-built one */
        struct miner *warm = NULL;
        struct miner_opts wo = { .max_templates = 16 };
        if (miner_new(&wo, &warm) == 0) {
            (void)miner_add(warm, "warm up 1 0x1f /a/b 10.0.0.1", 28, TS_TIME_NONE, NULL, NULL);
            miner_free(warm);
        }
        (void)log_level_infer("warm", 4);
    }
    for (unsigned k = 1; k < nw; k++)
        started[k] = pthread_create(&th[k], NULL, worker_main, &w[k]) == 0;
    worker_main(&w[0]);
    for (unsigned k = 1; k < nw; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            worker_main(&w[k]); /* no thread: do its share here */
    }
    for (unsigned k = 0; k < nw; k++) {
        rds[k] = w[k].rd;
        if (w[k].r < 0 && r == 0) r = w[k].r;
    }
    for (unsigned k = 1; k < nw && r == 0; k++) r = merge_ctx(&w[0].c, &w[k].c);
    if (r < 0) goto out;
    if (q->progress) publish_progress(&w[0], 1);
    struct ctx c = w[0].c; /* shorthand; w[0].c keeps ownership */

    /* Window (global) and baseline (per template: the time range of the source
     * it first appeared in), in minutes. */
    int timed = c.first != TS_TIME_NONE;
    int64_t d0 = timed ? minute_of(c.first) : 0, d1 = timed ? minute_of(c.last) : 0;
    int64_t w0 = d0, w1 = d1;
    if (q->since != TS_TIME_NONE) w0 = minute_of(q->since);
    if (q->until != TS_TIME_NONE) w1 = TS_MIN(d1, minute_of(q->until));
    int have_baseline = q->since == TS_TIME_NONE || (timed && w0 - d0 >= 10);

    order = calloc(c.n_t ? c.n_t : 1, sizeof(*order));
    if (!order) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < c.n_t; i++) {
        struct tmpl *t = &c.t[i];
        order[i] = t;
        /* the source's own data range; the whole input when unknown */
        ts_time_t sf = c.first, sl = c.last;
        if (t->first_source && SRCINFO(t->first_source)->first != TS_TIME_NONE) {
            sf = SRCINFO(t->first_source)->first;
            sl = SRCINFO(t->first_source)->last;
        }
        if (timed && t->s.n) {
            int64_t b0 = minute_of(sf), b1 = minute_of(sl);
            if (q->since != TS_TIME_NONE && w0 - b0 >= 10) b1 = w0 - 1;
            r = find_spikes(t, b0, b1, w0, w1);
            if (r < 0) goto out;
        }
        /* "New": first seen inside the window after a stretch of its source's
         * data without it. */
        ts_time_t new_after = TS_TIME_NONE;
        if (timed && q->since != TS_TIME_NONE) {
            if (sf < q->since) new_after = q->since;
        } else if (timed) {
            ts_time_t span = sl - sf, quiet = TS_MAX(span / 10, 5 * MINUTE_NS);
            if (span > quiet) new_after = sf + quiet;
        }
        t->is_new = new_after != TS_TIME_NONE && t->first_time != TS_TIME_NONE &&
                    t->first_time >= new_after;
        t->data_from = sf;
        t->rank = (t->is_new || t->n_spikes ? 1e6 : 0) + t->level * 1e5 +
                  fmin(log10((double)t->count + 1) * 1e3, 9e4);
    }
    qsort(order, c.n_t, sizeof(*order), cmp_rank);

    size_t max_items = q->max_items ? q->max_items : DEFAULT_ITEMS;
    templates = json_array();
    first_errors = json_array();
    news = json_array();
    spikes = json_array();
    correlated = json_array();
    doc = json_object();
    if (!templates || !first_errors || !news || !spikes || !correlated || !doc) {
        r = -ENOMEM;
        goto out_docs;
    }
    /* ids follow the ranking; index by pointer */
    size_t shown = TS_MIN(c.n_t, max_items);
    for (size_t i = 0; i < shown; i++)
        json_array_append_new(templates,
                              template_json(order[i], i, w0, w1, order[i]->data_from, q->sigs));

    /* first occurrence of every error template, by time */
    byfirst = calloc(c.n_t ? c.n_t : 1, sizeof(*byfirst));
    rank_of = calloc(c.n_t ? c.n_t : 1, sizeof(size_t));
    if (!byfirst || !rank_of) {
        r = -ENOMEM;
        goto out_docs;
    }
    for (size_t i = 0; i < c.n_t; i++) rank_of[order[i] - c.t] = i;
    size_t nf = 0;
    for (size_t i = 0; i < c.n_t; i++)
        if (c.t[i].level >= LOG_LEVEL_ERROR) byfirst[nf++] = &c.t[i];
    for (size_t i = 1; i < nf; i++) { /* insertion sort by first time (untimed last) */
        struct tmpl *x = byfirst[i];
        size_t k = i;
        while (k > 0) {
            struct tmpl *p = byfirst[k - 1];
            int before = x->first_time != TS_TIME_NONE &&
                         (p->first_time == TS_TIME_NONE || x->first_time < p->first_time);
            if (!before) break;
            byfirst[k] = p;
            k--;
        }
        byfirst[k] = x;
    }
    for (size_t i = 0; i < nf && i < max_items; i++) {
        struct tmpl *t = byfirst[i];
        char id[32];
        snprintf(id, sizeof(id), "t%zu", rank_of[t - c.t] + 1);
        json_array_append_new(
            first_errors,
            json_pack("{s:s,s:o,s:s,s:I,s:o,s:o,s:I}", "template_id", id, "time",
                      time_json(t->first_time, 1), "source",
                      t->first_source ? t->first_source : "-", "line", (json_int_t)t->first_line,
                      "template", redacted_string(t->key), "example", redacted_string(t->example),
                      "count", (json_int_t)t->count));
    }
    size_t n_sp = 0;
    for (size_t i = 0; i < c.n_t; i++) n_sp += c.t[i].n_spikes;
    sp = calloc(n_sp ? n_sp : 1, sizeof(*sp));
    if (!sp) {
        r = -ENOMEM;
        goto out_docs;
    }
    n_sp = 0;
    for (size_t i = 0; i < c.n_t; i++) {
        struct tmpl *t = &c.t[i];
        for (size_t k = 0; k < t->n_spikes; k++)
            sp[n_sp++] = (struct sp_ref){ i, t->spikes[k].start * MINUTE_NS, primary_source(t) };
    }
    qsort(sp, n_sp, sizeof(*sp), cmp_spref);
    for (size_t i = 0; i < n_sp && json_array_size(spikes) < max_items; i++) {
        struct tmpl *t = &c.t[sp[i].tidx];
        const struct spike *s = NULL;
        for (size_t k = 0; k < t->n_spikes; k++)
            if (t->spikes[k].start * MINUTE_NS == sp[i].start) s = &t->spikes[k];
        char id[32];
        snprintf(id, sizeof(id), "t%zu", rank_of[sp[i].tidx] + 1);
        json_array_append_new(
            spikes, json_pack("{s:s,s:s,s:o,s:o,s:I,s:f,s:f,s:o}", "template_id", id, "source",
                              sp[i].source, "start", time_json(sp[i].start, 0), "end",
                              time_json(s->end * MINUTE_NS + MINUTE_NS - TS_NSEC_PER_SEC, 0),
                              "peak", (json_int_t)s->peak, "z", round(s->z * 10) / 10,
                              "baseline_median", s->median, "template", redacted_string(t->key)));
    }
    /* correlated: spikes of different sources starting within LOGS_CORRELATE_NS */
    for (size_t i = 0; i < n_sp;) {
        size_t j = i + 1;
        while (j < n_sp && sp[j].start - sp[i].start <= LOGS_CORRELATE_NS) j++;
        int distinct = 0;
        for (size_t k = i + 1; k < j; k++)
            if (!streq(sp[k].source, sp[i].source)) distinct = 1;
        if (distinct && json_array_size(correlated) < max_items) {
            json_t *members = json_array();
            for (size_t k = i; k < j; k++) {
                char id[32];
                snprintf(id, sizeof(id), "t%zu", rank_of[sp[k].tidx] + 1);
                json_array_append_new(members,
                                      json_pack("{s:s,s:s,s:o,s:o}", "template_id", id, "source",
                                                sp[k].source, "start", time_json(sp[k].start, 0),
                                                "template", redacted_string(c.t[sp[k].tidx].key)));
            }
            json_array_append_new(
                correlated,
                json_pack("{s:o,s:o}", "start", time_json(sp[i].start, 0), "spikes", members));
        }
        i = j;
    }
    for (size_t i = 0; i < c.n_t && json_array_size(news) < max_items; i++) {
        struct tmpl *t = order[i];
        if (!t->is_new) continue;
        char id[32];
        snprintf(id, sizeof(id), "t%zu", i + 1);
        char f1[48], f2[48], text[160];
        ts_format(t->first_time, 0, f1, sizeof(f1));
        ts_format(t->data_from, 0, f2, sizeof(f2));
        snprintf(text, sizeof(text), "never seen before %.5s (data from %s)", f1 + 11, f2);
        json_array_append_new(news,
                              json_pack("{s:s,s:o,s:s,s:s,s:I,s:s,s:o}", "template_id", id, "first",
                                        time_json(t->first_time, 1), "source",
                                        t->first_source ? t->first_source : "-", "level",
                                        log_level_name(t->level), "count", (json_int_t)t->count,
                                        "text", text, "template", redacted_string(t->key)));
    }
    int64_t tl0 = timed ? w0 : 0, tl1 = timed ? w1 : -1;
    json_t *timeline =
        json_pack("{s:o,s:o,s:o}", "lines", series_json(&c.lines, tl0, tl1), "warnings",
                  series_json(&c.warns, tl0, tl1), "errors", series_json(&c.errs, tl0, tl1));
    json_object_set_new(doc, "schema", json_string("tshoot.logs.errors/1"));
    json_object_set_new(doc, "generated_at", time_json(ts_now(), 0));
    json_object_set_new(doc, "window",
                        json_pack("{s:o,s:o,s:o,s:o,s:b}", "since", time_json(q->since, 0), "until",
                                  time_json(q->until, 0), "first", time_json(c.first, 1), "last",
                                  time_json(c.last, 1), "baseline",
                                  have_baseline || q->since == TS_TIME_NONE));
    json_object_set_new(doc, "inputs", inputs_json(rds, nw));
    json_object_set_new(doc, "totals",
                        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "lines", (json_int_t)c.n_lines,
                                  "warnings", (json_int_t)c.n_warn, "errors", (json_int_t)c.n_err,
                                  "untimed_errors", (json_int_t)c.n_untimed_err, "templates",
                                  (json_int_t)c.n_t, "dropped", (json_int_t)c.dropped));
    json_object_set_new(doc, "templates", templates);
    json_object_set_new(doc, "first_errors", first_errors);
    json_object_set_new(doc, "new_templates", news);
    json_object_set_new(doc, "spikes", spikes);
    json_object_set_new(doc, "correlated", correlated);
    json_object_set_new(doc, "signatures", signatures_json(&c, q->sigs, max_items));
    json_object_set_new(doc, "timeline", timeline ? timeline : json_null());
    *ret = TAKE_PTR(doc);
    r = 0;
    goto out;
out_docs:
    json_decref(templates);
    json_decref(first_errors);
    json_decref(news);
    json_decref(spikes);
    json_decref(correlated);
out:
    json_decref(doc);
    free(order);
    free(byfirst);
    free(rank_of);
    free(sp);
    for (unsigned k = 0; k < nw; k++) {
        ctx_free(&w[k].c);
        log_reader_free(w[k].rd);
    }
    return r;
}
