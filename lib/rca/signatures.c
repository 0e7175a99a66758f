/* SPDX-License-Identifier: MIT */
/*
 * signatures.c: one Hyperscan block database for all log patterns.
 */
#include <errno.h>
#include <hs/hs.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dl/dl.h"
#include "core/buf.h"
#include "core/fileio.h"
#include "rca/signatures.h"

static const char *const builtin_exprs[_SIG_BUILTIN_MAX] = {
    [SIG_BUILTIN_ERROR] = "\\b(error|err|fatal|panic|exception|failed|failure|critical|crit|"
                          "emerg|severe|refused|denied|timed? ?out|unable to|cannot|can't)\\b",
    [SIG_BUILTIN_HTTP] = "(HTTP/[0-9.]+\"\\s+[45][0-9][0-9]\\s)|([\"' ](status|status_code|code)"
                         "\"?\\s*[:=]\\s*\"?[45][0-9][0-9]\\b)",
};

struct capture {
    uint32_t rule, signal;
    pcre2_code *code;
    const struct kb_signal *sig; /* borrowed from the kb */
};

struct sigdb {
    struct sig_pattern *pats;
    size_t n_pats;
    hs_database_t *db;  /* pattern ids 0..n_base (the embedded one when n_base > 0) */
    hs_database_t *db2; /* ids n_base..n_pats (patterns not in the embedded db), or NULL */
    size_t n_base;
    hs_scratch_t *scratch;
    struct capture *caps;
    size_t n_caps;
    pcre2_match_data *md;
};

/* Where one scan writes the matched ids. */
struct scan_out {
    uint32_t *out;
    size_t max, n;
};

struct sigdb_scanner {
    const struct sigdb *db;
    hs_scratch_t *scratch;
};

static int add_use(struct sigdb *d, const char *expr, uint32_t rule, uint32_t sig, int against)
{
    size_t i;
    for (i = _SIG_BUILTIN_MAX; i < d->n_pats; i++)
        if (streq(d->pats[i].expr, expr)) break;
    if (i == d->n_pats) {
        struct sig_pattern *np = realloc(d->pats, (d->n_pats + 1) * sizeof *np);
        if (!np) return -ENOMEM;
        d->pats = np;
        memset(&np[i], 0, sizeof np[i]);
        if (!(np[i].expr = strdup(expr))) return -ENOMEM;
        d->n_pats++;
    }
    struct sig_pattern *p = &d->pats[i];
    struct sig_use *nu = realloc(p->uses, (p->n_uses + 1) * sizeof *nu);
    if (!nu) return -ENOMEM;
    p->uses = nu;
    nu[p->n_uses++] = (struct sig_use){ rule, sig, against };
    return 0;
}

static int add_capture(struct sigdb *d, const struct kb_signal *s, uint32_t rule, uint32_t sig)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)s->capture, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                     &ec, &off, NULL);
    if (!code) return -EINVAL;
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* JIT is optional */
    struct capture *nc = realloc(d->caps, (d->n_caps + 1) * sizeof *nc);
    if (!nc) {
        pcre2_code_free(code);
        return -ENOMEM;
    }
    d->caps = nc;
    nc[d->n_caps++] = (struct capture){ rule, sig, code, s };
    return 0;
}

static void free_patterns(struct sigdb *d)
{
    for (size_t i = 0; i < d->n_pats; i++) {
        free(d->pats[i].expr);
        free(d->pats[i].uses);
    }
    free(d->pats);
    d->pats = NULL;
    d->n_pats = 0;
}

/* Fill d->pats: the seed expressions first (the builtin ones when seed is
 * NULL), then every log pattern of the rules not skipped. */
static int collect(struct sigdb *d, const struct kb *kb, const unsigned char *skip,
                   const char *const *seed, size_t n_seed)
{
    free_patterns(d);
    if (!seed) {
        seed = builtin_exprs;
        n_seed = _SIG_BUILTIN_MAX;
    }
    d->pats = calloc(n_seed, sizeof *d->pats);
    if (!d->pats) return -ENOMEM;
    for (size_t i = 0; i < n_seed; i++) {
        if (!(d->pats[i].expr = strdup(seed[i]))) return -ENOMEM;
        d->n_pats++;
    }
    for (size_t r = 0; r < kb->n_rules; r++) {
        if (skip[r]) continue;
        const struct kb_rule *rule = &kb->rules[r];
        for (size_t s = 0; s < rule->n_signals; s++)
            if (rule->signals[s].type == KB_SIG_LOG) {
                int x = add_use(d, rule->signals[s].pattern, r, s, 0);
                if (x < 0) return x;
            }
        for (size_t s = 0; s < rule->n_against; s++)
            if (rule->against[s].type == KB_SIG_LOG) {
                int x = add_use(d, rule->against[s].pattern, r, s, 1);
                if (x < 0) return x;
            }
    }
    return 0;
}

/* Opt-in compiled-database cache ($TSHOOT_CACHE_DIR): Hyperscan compiles
 * in ~0.5 s; a serialized database loads in microseconds. Keyed by a hash
 * of every expression, its flags and the Hyperscan version. Off unless the
 * variable is set (tshoot writes nothing by default). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

static char *cache_path(const struct sigdb *d, size_t from, unsigned flags)
{
    const char *dir = getenv("TSHOOT_CACHE_DIR");
    if (!dir || !*dir) return NULL;
    uint64_t h = 1469598103934665603ULL;
    const char *v = hs_version();
    h = fnv(h, v, strlen(v));
    h = fnv(h, &flags, sizeof flags);
    h = fnv(h, &from, sizeof from);
    for (size_t i = from; i < d->n_pats; i++)
        h = fnv(h, d->pats[i].expr, strlen(d->pats[i].expr) + 1);
    char *p = NULL;
    if (asprintf(&p, "%s/tshoot-sigdb-%016llx.hs", dir, (unsigned long long)h) < 0) return NULL;
    return p;
}

static hs_database_t *cache_load(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    hs_database_t *db = NULL;
    if (read_file(path, 64u << 20, &data, &len) == 0 &&
        hs_deserialize_database(data, len, &db) != HS_SUCCESS)
        db = NULL;
    free(data);
    return db;
}

static void cache_store(const char *path, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.%d.tmp", path, (int)getpid()) >= 0) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            int ok = write_all(fd, bytes, len) == 0;
            ok = close(fd) == 0 && ok;
            if (!ok || rename(tmp, path) < 0) unlink(tmp);
        }
        free(tmp);
    }
    free(bytes);
}

#define SIG_FLAGS (HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY)

/* The embedded database (sigdb_builtin), deserialized, or NULL when there is
 * none or it does not fit this Hyperscan (version, platform, flags, builtin
 * expressions): the caller then compiles. */
static hs_database_t *embedded_db(void)
{
    const struct sigdb_blob *b = &sigdb_builtin;
    if (!b->bytes || !b->len || b->flags != SIG_FLAGS || b->n_exprs < _SIG_BUILTIN_MAX) return NULL;
    for (size_t i = 0; i < _SIG_BUILTIN_MAX; i++)
        if (!streq(b->exprs[i], builtin_exprs[i])) return NULL;
    char *info = NULL;
    if (hs_serialized_database_info((const char *)b->bytes, b->len, &info) != HS_SUCCESS)
        return NULL;
    free(info);
    hs_database_t *db = NULL;
    if (hs_deserialize_database((const char *)b->bytes, b->len, &db) != HS_SUCCESS) return NULL;
    /* a database this CPU cannot run fails at scan time: try it once */
    hs_scratch_t *s = NULL;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS ||
        hs_scan(db, "x", 1, 0, s, NULL, NULL) != HS_SUCCESS) {
        hs_free_scratch(s);
        hs_free_database(db);
        return NULL;
    }
    hs_free_scratch(s);
    return db;
}

/* True when every non-builtin expression of the seed is used by a rule:
 * only then is the embedded database a fit (no pattern scanned for nothing,
 * and the ids are those a full compile gives). */
static int seed_all_used(const struct sigdb *d, size_t n_seed)
{
    for (size_t i = _SIG_BUILTIN_MAX; i < n_seed; i++)
        if (d->pats[i].n_uses == 0) return 0;
    return 1;
}

/* Compile pats[from..n_pats) (ids from..n_pats) for platform (NULL: this
 * host), through the opt-in cache when use_cache. */
static hs_error_t compile_range(const struct sigdb *d, size_t from, const hs_platform_info_t *plat,
                                int use_cache, hs_database_t **ret, hs_compile_error_t **ce)
{
    size_t n = d->n_pats - from;
    const char **exprs = calloc(n, sizeof(char *));
    unsigned *flags = calloc(n, sizeof(unsigned));
    unsigned *ids = calloc(n, sizeof(unsigned));
    char *cpath = NULL;
    hs_error_t e = HS_NOMEM;
    if (!exprs || !flags || !ids) goto out;
    for (size_t i = 0; i < n; i++) {
        exprs[i] = d->pats[from + i].expr;
        flags[i] = SIG_FLAGS;
        ids[i] = (unsigned)(from + i);
    }
    cpath = use_cache ? cache_path(d, from, SIG_FLAGS) : NULL;
    if (cpath && (*ret = cache_load(cpath))) {
        e = HS_SUCCESS;
        goto out;
    }
    e = hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, plat, ret, ce);
    if (e == HS_SUCCESS && cpath) cache_store(cpath, *ret);
out:
    free(cpath);
    free(exprs);
    free(flags);
    free(ids);
    return e;
}

static int build(const struct kb *kb, int generic, struct sigdb **ret, char **ret_err)
{
    /* Hyperscan is loaded on first use (lib/dl): without it, say so */
    if (dl_load(DL_HS) < 0) return -ELIBACC;
    struct sigdb *d = calloc(1, sizeof *d);
    _cleanup_free_ unsigned char *skip = calloc(kb->n_rules + 1, 1);
    struct buf errs = BUF_INIT(64 * 1024);
    hs_database_t *seed = generic ? NULL : embedded_db();
    hs_platform_info_t plat = { .tune = HS_TUNE_FAMILY_GENERIC, .cpu_features = 0 };
    int r = -ENOMEM;
    if (!d || !skip) goto fail;
    for (int attempt = 0; attempt < 64; attempt++) {
        r = collect(d, kb, skip, seed ? sigdb_builtin.exprs : NULL,
                    seed ? sigdb_builtin.n_exprs : 0);
        if (r < 0) goto fail;
        if (seed && !seed_all_used(d, sigdb_builtin.n_exprs)) {
            /* user rules replaced built-in ones: compile everything */
            hs_free_database(seed);
            seed = NULL;
            r = collect(d, kb, skip, NULL, 0);
            if (r < 0) goto fail;
        }
        d->n_base = seed ? sigdb_builtin.n_exprs : 0;
        hs_database_t *db = NULL;
        hs_compile_error_t *ce = NULL;
        hs_error_t e = HS_SUCCESS;
        if (d->n_pats > d->n_base)
            e = compile_range(d, d->n_base, generic ? &plat : NULL, !generic, &db, &ce);
        if (e == HS_SUCCESS) {
            if (seed) {
                d->db = TAKE_PTR(seed);
                d->db2 = db;
            } else
                d->db = db;
            break;
        }
        if (e == HS_NOMEM) {
            r = -ENOMEM;
            goto fail;
        }
        /* find the rule behind the refused expression, drop it, retry */
        int bad = ce ? ce->expression : -1;
        if (bad >= 0) bad += (int)d->n_base;
        if (bad < _SIG_BUILTIN_MAX || (size_t)bad >= d->n_pats) {
            if (buf_printf(&errs, "pattern database: %s\n", ce ? ce->message : "compile failed") <
                0) {}
            hs_free_compile_error(ce);
            r = -EINVAL;
            goto fail;
        }
        for (size_t u = 0; u < d->pats[bad].n_uses; u++) {
            uint32_t ri = d->pats[bad].uses[u].rule;
            if (!skip[ri] &&
                buf_printf(&errs, "%s: rule '%s' rejected: pattern '%s': %s\n", kb->rules[ri].file,
                           kb->rules[ri].id, d->pats[bad].expr, ce->message) < 0) {}
            skip[ri] = 1;
        }
        hs_free_compile_error(ce);
    }
    if (!d->db) {
        r = -EINVAL;
        goto fail;
    }
    if (hs_alloc_scratch(d->db, &d->scratch) != HS_SUCCESS ||
        (d->db2 && hs_alloc_scratch(d->db2, &d->scratch) != HS_SUCCESS)) {
        r = -ENOMEM;
        goto fail;
    }
    for (size_t ri = 0; ri < kb->n_rules; ri++) {
        if (skip[ri]) continue;
        for (size_t s = 0; s < kb->rules[ri].n_signals; s++)
            if (kb->rules[ri].signals[s].capture) {
                r = add_capture(d, &kb->rules[ri].signals[s], ri, s);
                if (r < 0) goto fail;
            }
    }
    d->md = pcre2_match_data_create(32, NULL);
    if (!d->md) {
        r = -ENOMEM;
        goto fail;
    }
    if (ret_err) *ret_err = errs.len ? buf_take(&errs) : NULL;
    buf_release(&errs);
    *ret = d;
    return 0;
fail:
    hs_free_database(seed);
    if (ret_err) *ret_err = errs.len ? buf_take(&errs) : NULL;
    buf_release(&errs);
    sigdb_free(d);
    return r;
}

int sigdb_build(const struct kb *kb, struct sigdb **ret, char **ret_err)
{
    return build(kb, 0, ret, ret_err);
}

int sigdb_build_generic(const struct kb *kb, struct sigdb **ret, char **ret_err)
{
    return build(kb, 1, ret, ret_err);
}

int sigdb_serialize(const struct sigdb *db, char **ret_bytes, size_t *ret_len)
{
    if (db->db2 || db->n_base) return -EINVAL;
    hs_error_t e = hs_serialize_database(db->db, ret_bytes, ret_len);
    return e == HS_SUCCESS ? 0 : e == HS_NOMEM ? -ENOMEM : -EINVAL;
}

struct sigdb *sigdb_free(struct sigdb *d)
{
    if (!d) return NULL;
    free_patterns(d);
    hs_free_scratch(d->scratch);
    hs_free_database(d->db);
    hs_free_database(d->db2);
    for (size_t i = 0; i < d->n_caps; i++) pcre2_code_free(d->caps[i].code);
    free(d->caps);
    pcre2_match_data_free(d->md);
    free(d);
    return NULL;
}

size_t sigdb_n_compiled(const struct sigdb *db)
{
    return db->n_pats - db->n_base;
}

size_t sigdb_n_patterns(const struct sigdb *db)
{
    return db->n_pats;
}

const struct sig_pattern *sigdb_pattern(const struct sigdb *db, size_t id)
{
    return id < db->n_pats ? &db->pats[id] : NULL;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    struct scan_out *o = ctx;
    if (o->n < o->max) o->out[o->n++] = id;
    return 0;
}

static int scan_with(const struct sigdb *db, hs_scratch_t *scratch, const char *line, size_t len,
                     uint32_t *ids, size_t max)
{
    struct scan_out o = { ids, max, 0 };
    if (len > UINT32_MAX) len = UINT32_MAX;
    hs_error_t e = hs_scan(db->db, line, (unsigned)len, 0, scratch, on_match, &o);
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) return -EIO;
    if (db->db2) {
        e = hs_scan(db->db2, line, (unsigned)len, 0, scratch, on_match, &o);
        if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) return -EIO;
    }
    return (int)o.n;
}

int sigdb_scan(struct sigdb *db, const char *line, size_t len, uint32_t *ids, size_t max)
{
    return scan_with(db, db->scratch, line, len, ids, max);
}

int sigdb_scanner_new(const struct sigdb *db, struct sigdb_scanner **ret)
{
    if (!db || !ret) return -EINVAL;
    struct sigdb_scanner *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->db = db;
    /* the db's scratch was allocated for both databases: a clone fits both */
    if (hs_clone_scratch(db->scratch, &s->scratch) != HS_SUCCESS) {
        free(s);
        return -ENOMEM;
    }
    *ret = s;
    return 0;
}

struct sigdb_scanner *sigdb_scanner_free(struct sigdb_scanner *s)
{
    if (!s) return NULL;
    hs_free_scratch(s->scratch);
    free(s);
    return NULL;
}

int sigdb_scanner_scan(struct sigdb_scanner *s, const char *line, size_t len, uint32_t *ids,
                       size_t max)
{
    return scan_with(s->db, s->scratch, line, len, ids, max);
}

int sigdb_capture(struct sigdb *db, uint32_t rule, uint32_t signal, const char *line, size_t len,
                  char **ret_text)
{
    struct capture *c = NULL;
    for (size_t i = 0; i < db->n_caps; i++)
        if (db->caps[i].rule == rule && db->caps[i].signal == signal) {
            c = &db->caps[i];
            break;
        }
    if (!c) return -ENOENT;
    int rc = pcre2_match(c->code, (PCRE2_SPTR)line, len, 0, 0, db->md, NULL);
    if (rc < 0) return 0;
    struct buf t = BUF_INIT(512);
    for (size_t i = 0; i < c->sig->n_requires; i++) {
        PCRE2_SIZE n = 0;
        char val[64];
        n = sizeof val;
        if (pcre2_substring_copy_byname(db->md, (PCRE2_SPTR)c->sig->requires[i].group,
                                        (PCRE2_UCHAR *)val, &n) != 0) {
            buf_release(&t);
            return 0;
        }
        char *end;
        double v = strtod(val, &end);
        if (end == val || v < c->sig->requires[i].min) {
            buf_release(&t);
            return 0;
        }
        if (buf_printf(&t, "%s%s=%s", i ? " " : "", c->sig->requires[i].group, val) < 0) {}
    }
    if (ret_text) {
        *ret_text = buf_take(&t);
        if (!*ret_text) {
            buf_release(&t);
            return -ENOMEM;
        }
    }
    buf_release(&t);
    return 1;
}
