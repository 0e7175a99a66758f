/* SPDX-License-Identifier: MIT */
/*
 * miner.c: online template mining (the algorithm and the eviction rule are
 * described in miner.h and docs/patterns.md).
 *
 * Data structures, all bounded by max_templates:
 *   cl[]      template slots (a root template, or an alias merged into one)
 *   tindex    exact index: hash of a slot's token sequence -> slot
 *   shapes    cache: hash of a masked line -> slot (+generation); cleared when full
 *   wild      per (sequence without position p, p): the distinct tokens seen
 *             at p and the slots holding them; marked once p is a variable
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "logs/mask.h"
#include "logs/miner.h"

#define NONE          UINT32_MAX
#define MAX_DISTINCT  8
#define LRU_SCAN      64
#define MAX_SRC_NAMES 1024

struct cluster {
    uint64_t h;
    char *text; /* one allocation: text, then off[], tlen[], th[] */
    uint32_t *off, *tlen;
    uint64_t *th;
    uint32_t len, ntok;
    uint32_t parent, parent_gen;
    uint32_t gen;
    uint32_t prev, next; /* LRU list, most recent at head */
    uint64_t count;
    ts_time_t first, last;
    char *example;
    uint16_t src[MINER_MAX_SOURCES];
    uint8_t nsrc, more_src, live;
    uint32_t epoch; /* last LRU move, in units of 1024 lines */
};

struct shape_ent {
    uint64_t h;
    uint32_t idx, gen;
};

struct tidx_ent {
    uint64_t h;
    uint32_t idx;
};

struct wild_ent {
    uint64_t key;
    uint8_t n, marked;
    uint32_t val[MAX_DISTINCT - 1];
    uint32_t cl[MAX_DISTINCT - 1];
    uint32_t clgen[MAX_DISTINCT - 1];
};

struct miner {
    struct miner_opts o;
    unsigned k;
    struct cluster *cl;
    uint32_t ncl, cap, free_head, nlive;
    uint32_t lru_head, lru_tail;
    struct tidx_ent *tidx;
    size_t tidx_mask;
    struct shape_ent *shapes;
    size_t shapes_mask, shapes_used;
    struct wild_ent *wild;
    size_t wild_mask, wild_used;
    char *src_names[MAX_SRC_NAMES];
    size_t nsrc_names;
    uint16_t last_src;
    char *scratch;
    size_t scratch_size;
    struct mask_tokens mt;
    struct miner_stats st;
    uint64_t star_h;
};

static inline uint64_t mix(uint32_t pos, uint64_t th)
{
    uint64_t x = th + (uint64_t)(pos + 1) * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t seq_hash(uint32_t ntok, const uint64_t *th)
{
    uint64_t h = mix(1000003, ntok);
    for (uint32_t i = 0; i < ntok; i++) h += mix(i, th[i]);
    return h;
}

static inline uint64_t key_without(uint64_t h, uint32_t p, uint64_t thp)
{
    uint64_t k = h - mix(p, thp);
    return mix(p + 7777, k) | 1;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

int miner_new(const struct miner_opts *opts, struct miner **ret)
{
    struct miner *m = calloc(1, sizeof(*m));
    if (!m) return -ENOMEM;
    if (opts) m->o = *opts;
    size_t cap = m->o.max_templates ? m->o.max_templates : MINER_DEFAULT_MAX_TEMPLATES;
    if (cap < 16) cap = 16;
    if (cap > (1u << 24)) cap = 1u << 24;
    m->k = m->o.min_distinct ? m->o.min_distinct : MINER_DEFAULT_MIN_DISTINCT;
    if (m->k < 2) m->k = 2;
    if (m->k > MAX_DISTINCT - 1) m->k = MAX_DISTINCT - 1;
    m->cap = (uint32_t)cap;
    m->cl = calloc(cap, sizeof(*m->cl));
    m->tidx_mask = pow2_at_least(cap * 2) - 1;
    m->tidx = calloc(m->tidx_mask + 1, sizeof(*m->tidx));
    m->shapes_mask = pow2_at_least(cap * 4) - 1;
    m->shapes = calloc(m->shapes_mask + 1, sizeof(*m->shapes));
    size_t w = cap * 8;
    if (w > 262144) w = 262144;
    m->wild_mask = pow2_at_least(w) - 1;
    m->wild = calloc(m->wild_mask + 1, sizeof(*m->wild));
    m->scratch_size = MASK_OUT_SIZE(MASK_MAX_LINE);
    m->scratch = malloc(m->scratch_size);
    if (!m->cl || !m->tidx || !m->shapes || !m->wild || !m->scratch) {
        miner_free(m);
        return -ENOMEM;
    }
    m->free_head = NONE;
    m->lru_head = m->lru_tail = NONE;
    m->last_src = UINT16_MAX;
    m->star_h = mask_hash(MASK_WILDCARD, 3);
    *ret = m;
    return 0;
}

struct miner *miner_free(struct miner *m)
{
    if (!m) return NULL;
    if (m->cl)
        for (uint32_t i = 0; i < m->ncl; i++) {
            free(m->cl[i].text);
            free(m->cl[i].example);
        }
    for (size_t i = 0; i < m->nsrc_names; i++) free(m->src_names[i]);
    free(m->cl);
    free(m->tidx);
    free(m->shapes);
    free(m->wild);
    free(m->scratch);
    free(m);
    return NULL;
}

/* --- LRU ---------------------------------------------------------------- */

static void lru_unlink(struct miner *m, uint32_t i)
{
    struct cluster *c = &m->cl[i];
    if (c->prev != NONE)
        m->cl[c->prev].next = c->next;
    else
        m->lru_head = c->next;
    if (c->next != NONE)
        m->cl[c->next].prev = c->prev;
    else
        m->lru_tail = c->prev;
    c->prev = c->next = NONE;
}

static void lru_push_front(struct miner *m, uint32_t i)
{
    struct cluster *c = &m->cl[i];
    c->prev = NONE;
    c->next = m->lru_head;
    if (m->lru_head != NONE) m->cl[m->lru_head].prev = i;
    m->lru_head = i;
    if (m->lru_tail == NONE) m->lru_tail = i;
}

static inline void lru_touch(struct miner *m, uint32_t i)
{
    /* approximate LRU: an entry moves to the front at most once per 1024
     * lines, which keeps the list work off the hot path */
    uint32_t ep = (uint32_t)(m->st.lines >> 10);
    if (m->cl[i].epoch == ep && m->st.lines > 1024) return;
    m->cl[i].epoch = ep;
    if (m->lru_head == i) return;
    lru_unlink(m, i);
    lru_push_front(m, i);
}

/* --- exact template index ----------------------------------------------- */

static int same_tokens(const struct cluster *c, uint32_t ntok, const uint64_t *th)
{
    if (c->ntok != ntok) return 0;
    for (uint32_t i = 0; i < ntok; i++)
        if (c->th[i] != th[i]) return 0;
    return 1;
}

static uint32_t tidx_find(struct miner *m, uint64_t h, uint32_t ntok, const uint64_t *th)
{
    h |= 1;
    for (size_t i = h & m->tidx_mask;; i = (i + 1) & m->tidx_mask) {
        struct tidx_ent *e = &m->tidx[i];
        if (!e->h) return NONE;
        if (e->h == h && same_tokens(&m->cl[e->idx], ntok, th)) return e->idx;
    }
}

static void tidx_insert(struct miner *m, uint64_t h, uint32_t idx)
{
    h |= 1;
    size_t i = h & m->tidx_mask;
    while (m->tidx[i].h) i = (i + 1) & m->tidx_mask;
    m->tidx[i].h = h;
    m->tidx[i].idx = idx;
}

static void tidx_remove(struct miner *m, uint64_t h, uint32_t idx)
{
    h |= 1;
    size_t i = h & m->tidx_mask;
    while (m->tidx[i].h && !(m->tidx[i].h == h && m->tidx[i].idx == idx))
        i = (i + 1) & m->tidx_mask;
    if (!m->tidx[i].h) return;
    /* backward-shift deletion keeps probe chains intact */
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->tidx_mask;
        if (!m->tidx[j].h) break;
        size_t home = m->tidx[j].h & m->tidx_mask;
        /* can entry j move to i? yes if home is cyclically outside (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            m->tidx[i] = m->tidx[j];
            i = j;
        }
    }
    m->tidx[i].h = 0;
}

/* --- shape cache -------------------------------------------------------- */

static void shapes_put(struct miner *m, uint64_t h, uint32_t idx)
{
    h |= 1;
    if (m->shapes_used * 4 >= (m->shapes_mask + 1) * 3) {
        memset(m->shapes, 0, (m->shapes_mask + 1) * sizeof(*m->shapes));
        m->shapes_used = 0;
    }
    size_t i = h & m->shapes_mask;
    while (m->shapes[i].h && m->shapes[i].h != h) i = (i + 1) & m->shapes_mask;
    if (!m->shapes[i].h) m->shapes_used++;
    m->shapes[i].h = h;
    m->shapes[i].idx = idx;
    m->shapes[i].gen = m->cl[idx].gen;
}

/* --- templates ---------------------------------------------------------- */

static uint32_t resolve_slow(struct miner *m, uint32_t i);

static inline uint32_t resolve(struct miner *m, uint32_t i)
{
    return m->cl[i].parent == NONE ? i : resolve_slow(m, i);
}

static uint32_t resolve_slow(struct miner *m, uint32_t i)
{
    uint32_t r = i;
    while (m->cl[r].parent != NONE) {
        uint32_t p = m->cl[r].parent;
        if (!m->cl[p].live || m->cl[p].gen != m->cl[r].parent_gen) {
            m->cl[r].parent = NONE; /* parent evicted: stand alone again */
            break;
        }
        r = p;
    }
    /* path compression */
    while (i != r && m->cl[i].parent != NONE && m->cl[i].parent != r) {
        uint32_t p = m->cl[i].parent;
        m->cl[i].parent = r;
        m->cl[i].parent_gen = m->cl[r].gen;
        i = p;
    }
    return r;
}

uint32_t miner_resolve(struct miner *m, uint32_t id)
{
    if (id >= m->ncl || !m->cl[id].live) return id;
    return resolve(m, id);
}

static void evict_one(struct miner *m)
{
    uint32_t victim = NONE, i = m->lru_tail;
    for (int n = 0; n < LRU_SCAN && i != NONE; n++, i = m->cl[i].prev) {
        struct cluster *c = &m->cl[i];
        if (c->parent != NONE || c->count <= 1) {
            victim = i;
            break;
        }
    }
    if (victim == NONE) victim = m->lru_tail;
    if (victim == NONE) return;
    if (m->o.before_evict) m->o.before_evict(m->o.userdata);
    struct cluster *c = &m->cl[victim];
    lru_unlink(m, victim);
    tidx_remove(m, c->h, victim);
    free(c->text);
    free(c->example);
    c->text = c->example = NULL;
    c->live = 0;
    c->gen++;
    c->parent = NONE;
    c->next = m->free_head;
    m->free_head = victim;
    m->nlive--;
    m->st.evictions++;
    m->st.entries = m->nlive;
}

/* New slot holding ntok tokens given by (text, off, tlen, th). */
static uint32_t cluster_new(struct miner *m, uint64_t h, const char *text, uint32_t ntok,
                            const uint32_t *off, const uint32_t *tlen, const uint64_t *th)
{
    size_t len = 0;
    for (uint32_t i = 0; i < ntok; i++) len += tlen[i] + (i ? 1 : 0);
    size_t sz = len + 1;
    sz = (sz + 7) & ~(size_t)7;
    char *mem = malloc(sz + ntok * (sizeof(uint64_t) + 2 * sizeof(uint32_t)));
    if (!mem) return NONE;
    if (m->nlive >= m->cap) evict_one(m);
    uint32_t idx;
    if (m->free_head != NONE) {
        idx = m->free_head;
        m->free_head = m->cl[idx].next;
    } else if (m->ncl < m->cap) {
        idx = m->ncl++;
        m->cl[idx].gen = 1;
    } else {
        free(mem);
        return NONE;
    }
    struct cluster *c = &m->cl[idx];
    uint32_t gen = c->gen;
    memset(c, 0, sizeof(*c));
    c->gen = gen;
    c->text = mem;
    c->th = (uint64_t *)(mem + sz);
    c->off = (uint32_t *)(c->th + ntok);
    c->tlen = c->off + ntok;
    size_t k = 0;
    for (uint32_t i = 0; i < ntok; i++) {
        if (i) mem[k++] = ' ';
        c->off[i] = (uint32_t)k;
        c->tlen[i] = tlen[i];
        c->th[i] = th[i];
        memcpy(mem + k, text + off[i], tlen[i]);
        k += tlen[i];
    }
    mem[k] = '\0';
    c->len = (uint32_t)k;
    c->ntok = ntok;
    c->h = h;
    c->parent = NONE;
    c->first = c->last = TS_TIME_NONE;
    c->live = 1;
    c->prev = c->next = NONE;
    lru_push_front(m, idx);
    tidx_insert(m, h, idx);
    m->nlive++;
    m->st.created++;
    m->st.entries = m->nlive;
    return idx;
}

/* A generalised token is a pattern: text before the first <*> (prefix),
 * text after the last one (suffix). Does tok match pattern g? */
static int pattern_match(const char *g, size_t gn, const char *tok, size_t tn)
{
    const char *w = memmem(g, gn, MASK_WILDCARD, 3);
    if (!w) return gn == tn && memcmp(g, tok, gn) == 0;
    size_t pre = (size_t)(w - g);
    const char *lw = w;
    for (const char *q = w; q; q = memmem(q + 3, gn - (size_t)(q + 3 - g), MASK_WILDCARD, 3))
        lw = q;
    size_t suf = gn - (size_t)(lw + 3 - g);
    if (tn < pre + suf) return 0;
    return memcmp(g, tok, pre) == 0 && memcmp(g + gn - suf, tok + tn - suf, suf) == 0;
}

static inline int has_wild(const char *t, size_t n)
{
    return memmem(t, n, MASK_WILDCARD, 3) != NULL;
}

/* Does root w cover r (same length, each token equal or matched by w's
 * pattern at that position)? */
static int covers(const struct cluster *w, const struct cluster *r)
{
    if (w->ntok != r->ntok) return 0;
    for (uint32_t i = 0; i < w->ntok; i++) {
        if (w->th[i] == r->th[i]) continue;
        if (!pattern_match(w->text + w->off[i], w->tlen[i], r->text + r->off[i], r->tlen[i]))
            return 0;
    }
    return 1;
}

static void merge_into(struct miner *m, uint32_t w, uint32_t r)
{
    struct cluster *W = &m->cl[w], *R = &m->cl[r];
    W->count += R->count;
    R->count = 0;
    if (R->first != TS_TIME_NONE && (W->first == TS_TIME_NONE || R->first < W->first))
        W->first = R->first;
    if (R->last != TS_TIME_NONE && (W->last == TS_TIME_NONE || R->last > W->last))
        W->last = R->last;
    if (!W->example && R->example) W->example = TAKE_PTR(R->example);
    for (uint8_t i = 0; i < R->nsrc; i++) {
        uint8_t j;
        for (j = 0; j < W->nsrc; j++)
            if (W->src[j] == R->src[i]) break;
        if (j < W->nsrc) continue;
        if (W->nsrc < MINER_MAX_SOURCES)
            W->src[W->nsrc++] = R->src[i];
        else
            W->more_src = 1;
    }
    W->more_src |= R->more_src;
    R->parent = w;
    R->parent_gen = W->gen;
    m->st.merges++;
}

static struct wild_ent *wild_get(struct miner *m, uint64_t key)
{
    if (m->wild_used * 4 >= (m->wild_mask + 1) * 3) {
        memset(m->wild, 0, (m->wild_mask + 1) * sizeof(*m->wild));
        m->wild_used = 0;
    }
    size_t i = key & m->wild_mask;
    while (m->wild[i].key && m->wild[i].key != key) i = (i + 1) & m->wild_mask;
    if (!m->wild[i].key) {
        m->wild[i].key = key;
        m->wild_used++;
    }
    return &m->wild[i];
}

static const struct wild_ent *wild_peek(const struct miner *m, uint64_t key)
{
    for (size_t i = key & m->wild_mask;; i = (i + 1) & m->wild_mask) {
        if (!m->wild[i].key) return NULL;
        if (m->wild[i].key == key) return &m->wild[i];
    }
}

static inline int slot_ok(const struct miner *m, uint32_t c, uint32_t gen)
{
    return c < m->ncl && m->cl[c].live && m->cl[c].gen == gen;
}

static inline int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

#define MAX_GTOK 256

/* Characters of a dotted name (com.android.phone, org.x.Y/.Z, a-b_c.d). */
static inline int is_name_char(char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '/';
}

static inline int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A dotted name: name characters only, with a dot between two letters
 * (com.android.phone, system.call.count; not 1.5 or 6.1.1.2). */
static int is_dotted_name(const char *v, size_t n)
{
    if (n < 3 || !is_alpha(v[0])) return 0;
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_name_char(v[i])) return 0;
        if (v[i] == '.' && i > 0 && i + 1 < n && is_alpha(v[i - 1]) && is_alpha(v[i + 1])) dot = 1;
    }
    return dot;
}

/* An upper-case constant (SCREEN_ON, TIME_TICK): an enum value, which
 * names the event as a keyword does. */
static int is_constant(const char *v, size_t n)
{
    int letter = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] >= 'A' && v[i] <= 'Z')
            letter = 1;
        else if (!(v[i] >= '0' && v[i] <= '9') && v[i] != '_')
            return 0;
    }
    return letter;
}

/* A first token that names a source rather than the event: a dotted name
 * or a Class::method ending in ':' (com.apple.xpc.launchd:, Foo::bar:). */
static int is_source_token(const char *t, size_t n)
{
    if (n < 4 || t[n - 1] != ':' || t[n - 2] == ':') return 0;
    if (memmem(t, n - 1, "::", 2)) return 1;
    return is_dotted_name(t, n - 1);
}

/* The pattern covering tokens tok[0..n): a token holding <*> that matches
 * all the others, else (when n reaches the threshold) common prefix + <*> +
 * common suffix, cut at punctuation so no word is split. Returns its length
 * in g (0: no pattern). */
static size_t make_pattern(const struct miner *m, const char **tok, const uint32_t *len, unsigned n,
                           char *g)
{
    for (unsigned i = 0; i < n; i++) {
        if (!has_wild(tok[i], len[i]) || len[i] > MAX_GTOK) continue;
        unsigned j;
        for (j = 0; j < n; j++)
            if (j != i && !pattern_match(tok[i], len[i], tok[j], len[j])) break;
        if (j == n) {
            memcpy(g, tok[i], len[i]);
            return len[i];
        }
    }
    size_t minlen = len[0];
    for (unsigned i = 1; i < n; i++) minlen = len[i] < minlen ? len[i] : minlen;
    size_t pre = 0, suf = 0;
    while (pre < minlen) {
        unsigned i;
        for (i = 1; i < n && tok[i][pre] == tok[0][pre]; i++)
            ;
        if (i < n) break;
        pre++;
    }
    size_t rpre = pre; /* the common prefix before the cut */
    while (pre > 0 && is_alnum(tok[0][pre - 1])) pre--;
    while (suf < minlen - pre) {
        unsigned i;
        char c = tok[0][len[0] - 1 - suf];
        for (i = 1; i < n && tok[i][len[i] - 1 - suf] == c; i++)
            ;
        if (i < n) break;
        suf++;
    }
    /* Dotted names (com.android.phone next to com.android.systemui) are
     * names, not words of the message: two make a variable, and the
     * wildcard takes the whole name. */
    size_t dpre = pre, dsuf = suf;
    while (dpre > 0 && is_name_char(tok[0][dpre - 1])) dpre--;
    while (dsuf > 0 && is_name_char(tok[0][len[0] - dsuf])) dsuf--;
    unsigned dotted;
    for (dotted = 0; dotted < n; dotted++)
        if (!is_dotted_name(tok[dotted] + dpre, len[dotted] - dpre - dsuf) ||
            (rpre + suf < len[dotted] && is_constant(tok[dotted] + rpre, len[dotted] - rpre - suf)))
            break;
    if (dotted == n) {
        pre = dpre;
        suf = dsuf;
    }
    while (suf > 0 && is_alnum(tok[0][len[0] - suf])) suf--;
    if (pre + 3 + suf > MAX_GTOK) return 0;
    /* How many distinct values make a variable depends on how they look:
     * lower-case words (user and host names) need one fewer than the
     * threshold, capitalised ones (states, methods, keywords) one more. */
    int lower = 1, upper = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *v = tok[i] + pre;
        size_t vn = len[i] - pre - suf;
        if (vn < 3) lower = 0;
        for (size_t k = 0; k < vn && lower; k++)
            if (!((v[k] >= 'a' && v[k] <= 'z') || v[k] == '.' || v[k] == '-' || v[k] == '_'))
                lower = 0;
        if (vn && v[0] >= 'A' && v[0] <= 'Z') upper = 1;
    }
    unsigned need = dotted == n ? 2 : lower ? m->k - 1 : upper ? m->k + 1 : m->k;
    if (n < need) return 0;
    memcpy(g, tok[0], pre);
    memcpy(g + pre, MASK_WILDCARD, 3);
    memcpy(g + pre + 3, tok[0] + len[0] - suf, suf);
    return pre + 3 + suf;
}

/* Generalise root r at position p to pattern g: find or create that
 * template and merge into it every listed slot it covers. Returns the new
 * root, or NONE. */
static uint32_t generalise(struct miner *m, uint32_t r, uint32_t p, const char *g, size_t gn,
                           const uint32_t *cls, const uint32_t *gens, unsigned ncls, int depth);

/* Record root idx's tokens in the wild table; generalise where a position
 * is found variable. Returns the (possibly new) root. */
static uint32_t wild_register(struct miner *m, uint32_t idx, int depth)
{
    uint32_t root = idx;
    for (uint32_t p = 0; p < m->cl[root].ntok; p++) {
        struct cluster *c = &m->cl[root];
        const char *ct = c->text + c->off[p];
        /* the first token names the event, unless it names a source */
        if (p == 0 && !is_source_token(ct, c->tlen[0])) continue;
        uint64_t key = key_without(c->h, p, c->th[p]);
        struct wild_ent *e = wild_get(m, key);
        if (e->marked) continue;
        /* punctuation-only tokens (****, -, :) are never values */
        uint32_t k;
        for (k = 0; k < c->tlen[p] && !is_alnum(ct[k]) && !strchr("<([{\"'=", ct[k]); k++)
            ;
        if (k == c->tlen[p]) continue;
        uint32_t v = (uint32_t)c->th[p];
        unsigned j;
        for (j = 0; j < e->n; j++)
            if (e->val[j] == v) break;
        if (j < e->n) continue;
        /* the tokens seen at p (live slots only) plus this one */
        const char *tok[MAX_DISTINCT];
        uint32_t len[MAX_DISTINCT], cls[MAX_DISTINCT], gens[MAX_DISTINCT];
        unsigned n = 0;
        for (j = 0; j < e->n; j++) {
            if (!slot_ok(m, e->cl[j], e->clgen[j])) continue;
            struct cluster *o = &m->cl[e->cl[j]];
            if (o->ntok <= p) continue;
            tok[n] = o->text + o->off[p];
            len[n] = o->tlen[p];
            cls[n] = e->cl[j];
            gens[n] = e->clgen[j];
            n++;
        }
        tok[n] = c->text + c->off[p];
        len[n] = c->tlen[p];
        n++;
        char g[MAX_GTOK];
        size_t gn = n >= 2 ? make_pattern(m, tok, len, n, g) : 0;
        if (!gn) {
            if (e->n + 1u < MAX_DISTINCT) {
                e->val[e->n] = v;
                e->cl[e->n] = root;
                e->clgen[e->n] = c->gen;
                e->n++;
            } else {
                /* full without a pattern: restart with this token */
                e->n = 1;
                e->val[0] = v;
                e->cl[0] = root;
                e->clgen[0] = c->gen;
            }
            continue;
        }
        /* position p is a variable for this shape */
        e->marked = 1;
        if (depth >= 16) continue;
        uint32_t w = generalise(m, root, p, g, gn, cls, gens, n - 1, depth + 1);
        if (w == NONE) break;
        /* remember the template for later lines of this shape */
        e = wild_get(m, key);
        e->marked = 1;
        e->cl[0] = w;
        e->clgen[0] = m->cl[w].gen;
        root = w;
    }
    return root;
}

static uint32_t generalise(struct miner *m, uint32_t r, uint32_t p, const char *g, size_t gn,
                           const uint32_t *cls, const uint32_t *gens, unsigned ncls, int depth)
{
    struct cluster *R = &m->cl[r];
    uint32_t ntok = R->ntok;
    uint64_t th[MASK_MAX_TOKENS];
    uint32_t tlen[MASK_MAX_TOKENS], off[MASK_MAX_TOKENS];
    memcpy(th, R->th, ntok * sizeof(uint64_t));
    th[p] = mask_hash(g, gn);
    uint64_t h = R->h - mix(p, R->th[p]) + mix(p, th[p]);
    uint32_t w = tidx_find(m, h, ntok, th);
    if (w == NONE) {
        char *buf = malloc(R->len + gn + 2);
        if (!buf) return NONE;
        size_t k = 0;
        for (uint32_t i = 0; i < ntok; i++) {
            if (i) buf[k++] = ' ';
            off[i] = (uint32_t)k;
            if (i == p) {
                memcpy(buf + k, g, gn);
                tlen[i] = (uint32_t)gn;
            } else {
                memcpy(buf + k, R->text + R->off[i], R->tlen[i]);
                tlen[i] = R->tlen[i];
            }
            k += tlen[i];
        }
        uint32_t rgen = R->gen;
        w = cluster_new(m, h, buf, ntok, off, tlen, th);
        free(buf);
        if (w == NONE) return NONE;
        /* the eviction cluster_new may do could have taken r */
        if (!slot_ok(m, r, rgen)) return w;
    } else
        w = resolve(m, w);
    struct cluster *W = &m->cl[w];
    if (r != w && covers(W, &m->cl[r])) merge_into(m, w, r);
    for (unsigned i = 0; i < ncls; i++) {
        if (!slot_ok(m, cls[i], gens[i])) continue;
        uint32_t rr = resolve(m, cls[i]);
        if (rr != w && covers(W, &m->cl[rr])) merge_into(m, w, rr);
    }
    return wild_register(m, w, depth);
}

/* --- sources ------------------------------------------------------------ */

static uint16_t source_id(struct miner *m, const char *s)
{
    if (!s) return UINT16_MAX;
    if (m->last_src != UINT16_MAX && streq(m->src_names[m->last_src], s)) return m->last_src;
    for (size_t i = 0; i < m->nsrc_names; i++)
        if (streq(m->src_names[i], s)) return m->last_src = (uint16_t)i;
    if (m->nsrc_names >= MAX_SRC_NAMES) return UINT16_MAX;
    char *d = strdup(s);
    if (!d) return UINT16_MAX;
    m->src_names[m->nsrc_names] = d;
    return m->last_src = (uint16_t)m->nsrc_names++;
}

static void add_source(struct cluster *c, uint16_t s)
{
    if (s == UINT16_MAX) return;
    for (uint8_t i = 0; i < c->nsrc; i++)
        if (c->src[i] == s) return;
    if (c->nsrc < MINER_MAX_SOURCES)
        c->src[c->nsrc++] = s;
    else
        c->more_src = 1;
}

/* The slot for the token sequence (text, off, tlen, th) of ntok tokens:
 * generalised where positions are known variables, looked up in the exact
 * index, else created (and registered in the wild table). NONE when out of
 * memory. */
static uint32_t find_or_create(struct miner *m, uint32_t ntok, const char *text0,
                               const uint32_t *off0, const uint32_t *tlen0, const uint64_t *th0)
{
    uint64_t h = seq_hash(ntok, th0);
    /* generalise where positions are known to be variables */
    uint64_t th[MASK_MAX_TOKENS];
    uint32_t tlen[MASK_MAX_TOKENS], off[MASK_MAX_TOKENS];
    const char *src[MASK_MAX_TOKENS]; /* where each token's text is */
    th[0] = 0;                        /* (ntok may be 0) */
    uint64_t g = h;
    int changed = 0;
    for (uint32_t p = 0; p < ntok; p++) {
        th[p] = th0[p];
        tlen[p] = tlen0[p];
        src[p] = text0 + off0[p];
        if (th[p] == m->star_h) continue;
        const struct wild_ent *e = wild_peek(m, key_without(g, p, th[p]));
        if (!e || !e->marked || !slot_ok(m, e->cl[0], e->clgen[0])) continue;
        const struct cluster *w = &m->cl[e->cl[0]];
        if (w->ntok != ntok) continue;
        const char *gt = w->text + w->off[p];
        if (!pattern_match(gt, w->tlen[p], src[p], tlen[p])) continue;
        g = g - mix(p, th[p]) + mix(p, w->th[p]);
        th[p] = w->th[p];
        tlen[p] = w->tlen[p];
        src[p] = gt;
        changed = 1;
    }
    uint32_t idx = tidx_find(m, g, ntok, th);
    if (idx != NONE) return idx;
    char *buf = NULL;
    const char *text = text0;
    if (changed) {
        size_t need = 1;
        for (uint32_t p = 0; p < ntok; p++) need += tlen[p] + 1;
        buf = malloc(need);
        if (!buf) return NONE;
        size_t k = 0;
        for (uint32_t p = 0; p < ntok; p++) {
            if (p) buf[k++] = ' ';
            off[p] = (uint32_t)k;
            memcpy(buf + k, src[p], tlen[p]);
            k += tlen[p];
        }
        text = buf;
    } else
        memcpy(off, off0, ntok * sizeof(uint32_t));
    idx = cluster_new(m, g, text, ntok, off, tlen, th);
    free(buf);
    if (idx == NONE) return NONE;
    return wild_register(m, idx, 0);
}

/* --- the hot path ------------------------------------------------------- */

int miner_add(struct miner *m, const char *msg, size_t n, ts_time_t t, const char *source,
              uint32_t *ret_id)
{
    struct mask_tokens *mt = &m->mt;
    mask_line(msg, n, m->scratch, mt);
    m->st.lines++;
    m->st.truncated += mt->truncated;
    uint32_t idx = NONE;
    uint64_t hk = mt->hash | 1;
    size_t i = hk & m->shapes_mask;
    for (;; i = (i + 1) & m->shapes_mask) {
        struct shape_ent *e = &m->shapes[i];
        if (!e->h) break;
        if (e->h == hk) {
            struct cluster *c = &m->cl[e->idx];
            if (c->live && c->gen == e->gen) idx = e->idx;
            break;
        }
    }
    if (idx == NONE) {
        mask_token_hashes(mt);
        idx = find_or_create(m, mt->ntok, mt->text, mt->off, mt->tlen, mt->th);
        if (idx == NONE) return -ENOMEM;
        shapes_put(m, mt->hash, idx);
    }
    lru_touch(m, idx);
    uint32_t r = resolve(m, idx);
    struct cluster *c = &m->cl[r];
    if (r != idx) lru_touch(m, r);
    c->count++;
    if (t != TS_TIME_NONE) {
        if (c->first == TS_TIME_NONE || t < c->first) c->first = t;
        if (c->last == TS_TIME_NONE || t > c->last) c->last = t;
    }
    if (!c->example) {
        size_t en = n < 1024 ? n : 1024;
        c->example = malloc(en + 1);
        if (c->example) {
            memcpy(c->example, msg, en);
            c->example[en] = '\0';
        }
    }
    if (source) add_source(c, source_id(m, source));
    if (ret_id) *ret_id = idx;
    return 0;
}

const char *miner_text(struct miner *m, uint32_t id, size_t *ret_len)
{
    if (id >= m->ncl || !m->cl[id].live) {
        if (ret_len) *ret_len = 0;
        return "";
    }
    uint32_t r = resolve(m, id);
    if (ret_len) *ret_len = m->cl[r].len;
    return m->cl[r].text;
}

int miner_template_at(struct miner *m, size_t i, struct miner_template *ret)
{
    if (i >= m->ncl) return -ENOENT;
    struct cluster *c = &m->cl[i];
    if (!c->live || resolve(m, (uint32_t)i) != i || c->count == 0) return 0;
    ret->id = (uint32_t)i;
    ret->text = c->text;
    ret->len = c->len;
    ret->count = c->count;
    ret->first = c->first;
    ret->last = c->last;
    ret->example = c->example ? c->example : "";
    ret->n_sources = 0;
    for (uint8_t k = 0; k < c->nsrc; k++) ret->sources[ret->n_sources++] = m->src_names[c->src[k]];
    ret->more_sources = c->more_src;
    return 1;
}

const struct miner_stats *miner_get_stats(const struct miner *m)
{
    struct miner *mm = (struct miner *)m;
    uint64_t roots = 0;
    for (uint32_t i = 0; i < m->ncl; i++)
        if (m->cl[i].live && m->cl[i].parent == NONE) roots++;
    mm->st.templates = roots;
    mm->st.entries = m->nlive;
    return &m->st;
}

size_t miner_slots(const struct miner *m)
{
    return m->ncl;
}

int miner_absorb(struct miner *dst, struct miner *src, uint32_t *ret_map)
{
    if (dst == src) return -EINVAL;
    /* roots first, in slot order (about the order they were first seen) */
    for (uint32_t i = 0; i < src->ncl; i++) {
        struct cluster *c = &src->cl[i];
        if (ret_map) ret_map[i] = NONE;
        if (!c->live || resolve(src, i) != i || c->count == 0) continue;
        uint32_t g = find_or_create(dst, c->ntok, c->text, c->off, c->tlen, c->th);
        if (g == NONE) return -ENOMEM;
        lru_touch(dst, g);
        uint32_t r = resolve(dst, g);
        if (r != g) lru_touch(dst, r);
        struct cluster *d = &dst->cl[r];
        d->count += c->count;
        if (c->first != TS_TIME_NONE && (d->first == TS_TIME_NONE || c->first < d->first))
            d->first = c->first;
        if (c->last != TS_TIME_NONE && (d->last == TS_TIME_NONE || c->last > d->last))
            d->last = c->last;
        if (!d->example && c->example) d->example = strdup(c->example); /* optional */
        for (uint8_t k = 0; k < c->nsrc; k++)
            add_source(d, source_id(dst, src->src_names[c->src[k]]));
        d->more_src |= c->more_src;
        if (ret_map) ret_map[i] = g;
    }
    /* aliases go where their root went */
    if (ret_map)
        for (uint32_t i = 0; i < src->ncl; i++)
            if (src->cl[i].live && ret_map[i] == NONE) {
                uint32_t r = resolve(src, i);
                if (r != i) ret_map[i] = ret_map[r];
            }
    dst->st.lines += src->st.lines;
    dst->st.truncated += src->st.truncated;
    dst->st.evictions += src->st.evictions;
    dst->st.merges += src->st.merges;
    return 0;
}
