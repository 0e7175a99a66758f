/* SPDX-License-Identifier: MIT */
/*
 * kb.c: loading rules/NAME.yaml with libfyaml. Every key is checked (unknown
 * keys are errors so that a typo never silently drops a signal), every
 * error carries FILE:LINE:COL, and a rule is only handed out whole.
 */
#include <dirent.h>
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dl/dl.h"
#include "core/buf.h"
#include "core/fileio.h"
#include "rca/kb.h"

#define KB_MAX_FILE  (1024 * 1024)
#define KB_MAX_FILES 4096

const char *const kb_categories[] = {
    "disk_full",
    "inode_exhaustion",
    "oom_killed",
    "memory_leak",
    "fd_exhaustion",
    "conn_pool_exhaustion",
    "dns_failure",
    "tls_cert_error",
    "upstream_unavailable",
    "timeout_cascade",
    "crashloop_config",
    "image_pull",
    "scheduling_insufficient",
    "permission_denied",
    "rate_limited",
    "port_conflict",
    "clock_skew",
    "db_lock",
    "readonly_fs",
    "disk_io_latency",
    "cpu_throttling",
    "probe_failure",
};
const size_t kb_n_categories = ELEMENTSOF(kb_categories);

int kb_category_index(const char *id)
{
    for (size_t i = 0; i < kb_n_categories; i++)
        if (streq(kb_categories[i], id)) return (int)i;
    return -1;
}

int kb_category_is_symptom(const char *id)
{
    static const char *const sym[] = { "upstream_unavailable", "timeout_cascade", "probe_failure",
                                       "crashloop_config", "image_pull" };
    for (size_t i = 0; i < ELEMENTSOF(sym); i++)
        if (streq(sym[i], id)) return 1;
    return 0;
}

/* ---- parse context ---- */

struct pctx {
    const char *path;
    char *err; /* first error, owned */
};

_printf_(3, 4) static int perr(struct pctx *c, struct fy_node *n, const char *fmt, ...)
{
    if (c->err) return -EINVAL;
    int line = 1, col = 1;
    struct fy_token *t = NULL;
    if (n) {
        if (fy_node_is_scalar(n))
            t = fy_node_get_scalar_token(n);
        else
            t = NULL;
    }
    if (t) {
        const struct fy_mark *m = fy_token_start_mark(t);
        if (m) {
            line = m->line + 1;
            col = m->column + 1;
        }
    }
    struct buf b = BUF_INIT(4096);
    va_list ap;
    va_start(ap, fmt);
    int r = buf_printf(&b, "%s:%d:%d: ", c->path, line, col);
    if (r >= 0) r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    c->err = r >= 0 ? buf_take(&b) : NULL;
    buf_release(&b);
    return -EINVAL;
}

static int node_line(struct fy_node *n)
{
    if (!n || !fy_node_is_scalar(n)) return 0;
    const struct fy_mark *m = fy_token_start_mark(fy_node_get_scalar_token(n));
    return m ? m->line + 1 : 0;
}

/* The first scalar key of a mapping, for locating a mapping node. */
static struct fy_node *first_key(struct fy_node *map)
{
    void *it = NULL;
    if (!map || !fy_node_is_mapping(map)) return NULL;
    struct fy_node_pair *p = fy_node_mapping_iterate(map, &it);
    return p ? fy_node_pair_key(p) : NULL;
}

static int get_str(struct pctx *c, struct fy_node *key, struct fy_node *v, char **ret)
{
    if (!v || !fy_node_is_scalar(v))
        return perr(c, key, "'%s' must be a string", fy_node_get_scalar0(key));
    size_t n;
    const char *s = fy_node_get_scalar(v, &n);
    if (!s) return perr(c, key, "'%s' must be a string", fy_node_get_scalar0(key));
    if (n > 16384) return perr(c, v, "value too long");
    char *d = strndup(s, n);
    if (!d) return -ENOMEM;
    free(*ret);
    *ret = d;
    return 0;
}

static int get_num(struct pctx *c, struct fy_node *key, struct fy_node *v, double *ret)
{
    if (!v || !fy_node_is_scalar(v))
        return perr(c, key, "'%s' must be a number", fy_node_get_scalar0(key));
    size_t n;
    const char *s = fy_node_get_scalar(v, &n);
    char tmp[64];
    if (!s || n == 0 || n >= sizeof tmp)
        return perr(c, v, "'%s' must be a number", fy_node_get_scalar0(key));
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (errno || *end) return perr(c, v, "'%s' is not a number", tmp);
    *ret = d;
    return 0;
}

static int get_str_list(struct pctx *c, struct fy_node *key, struct fy_node *v, char ***ret,
                        size_t *n)
{
    if (!v || !fy_node_is_sequence(v))
        return perr(c, key, "'%s' must be a list", fy_node_get_scalar0(key));
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(v, &it))) {
        if (*n >= 256) return perr(c, key, "too many entries");
        char *s = NULL;
        int r = get_str(c, key, e, &s);
        if (r < 0) return r;
        char **nl = realloc(*ret, (*n + 1) * sizeof(char *));
        if (!nl) {
            free(s);
            return -ENOMEM;
        }
        *ret = nl;
        nl[(*n)++] = s;
    }
    return 0;
}

static int check_regex(struct pctx *c, struct fy_node *v, const char *re, int caseless)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                     caseless ? PCRE2_CASELESS : 0, &ec, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return perr(c, v, "invalid regex at offset %zu: %s", (size_t)off, (char *)msg);
    }
    pcre2_code_free(code);
    /* Hyperscan has no back-references or lookaround: refuse them here so
     * that the combined database always compiles. */
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            if (p[1] >= '1' && p[1] <= '9') return perr(c, v, "back-references are not supported");
            p++;
            continue;
        }
        if (p[0] == '(' && p[1] == '?' && (p[2] == '=' || p[2] == '!' || p[2] == '<'))
            if (!(p[2] == '<' && p[3] != '=' && p[3] != '!'))
                return perr(c, v, "lookaround is not supported in 'log' patterns");
    }
    return 0;
}

static void signal_done(struct kb_signal *s)
{
    free(s->name);
    free(s->pattern);
    free(s->capture);
    for (size_t i = 0; i < s->n_requires; i++) free(s->requires[i].group);
    free(s->requires);
    free(s->finding);
    free(s->fstype);
    free(s->metric);
    free(s->why);
}

static int parse_signal(struct pctx *c, struct fy_node *n, struct kb_signal *s, int against)
{
    memset(s, 0, sizeof *s);
    s->weight = -1;
    s->min_used_pct = -1;
    s->min_inodes_pct = -1;
    s->min_series = 1;
    if (!fy_node_is_mapping(n)) return perr(c, NULL, "a signal must be a mapping");
    s->line = node_line(first_key(n));
    void *it = NULL;
    struct fy_node_pair *p;
    int r = 0, kinds = 0;
    while (r == 0 && (p = fy_node_mapping_iterate(n, &it))) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const char *key = k ? fy_node_get_scalar0(k) : NULL;
        if (!key) return perr(c, k, "keys must be strings");
        if (streq(key, "log")) {
            r = get_str(c, k, v, &s->pattern);
            if (r == 0) r = check_regex(c, v, s->pattern, 1);
            s->type = KB_SIG_LOG;
            kinds++;
        } else if (streq(key, "finding")) {
            r = get_str(c, k, v, &s->finding);
            s->type = KB_SIG_FINDING;
            kinds++;
        } else if (streq(key, "filesystem")) {
            s->type = KB_SIG_FILESYSTEM;
            kinds++;
            if (!v || !fy_node_is_mapping(v)) return perr(c, k, "'filesystem' must be a mapping");
            void *i2 = NULL;
            struct fy_node_pair *q;
            while (r == 0 && (q = fy_node_mapping_iterate(v, &i2))) {
                struct fy_node *k2 = fy_node_pair_key(q), *v2 = fy_node_pair_value(q);
                const char *key2 = k2 ? fy_node_get_scalar0(k2) : "";
                if (!key2) key2 = "";
                if (streq(key2, "fstype"))
                    r = get_str(c, k2, v2, &s->fstype);
                else if (streq(key2, "min_used_pct"))
                    r = get_num(c, k2, v2, &s->min_used_pct);
                else if (streq(key2, "min_inodes_used_pct"))
                    r = get_num(c, k2, v2, &s->min_inodes_pct);
                else if (streq(key2, "readonly")) {
                    double d = 0;
                    r = get_num(c, k2, v2, &d);
                    s->readonly = d != 0;
                } else
                    r = perr(c, k2, "unknown filesystem condition '%s'", key2);
            }
        } else if (streq(key, "fstype")) {
            r = get_str(c, k, v, &s->fstype);
        } else if (streq(key, "metric")) {
            r = get_str(c, k, v, &s->metric);
            s->type = KB_SIG_METRIC;
            kinds++;
        } else if (streq(key, "op")) {
            char *op = NULL;
            r = get_str(c, k, v, &op);
            if (r == 0) {
                if (!streq(op, "<") && !streq(op, "<=") && !streq(op, ">") && !streq(op, ">=") &&
                    !streq(op, "==") && !streq(op, "!="))
                    r = perr(c, v, "op must be one of < <= > >= == !=");
                else
                    strcpy(s->op, op);
            }
            free(op);
        } else if (streq(key, "value")) {
            r = get_num(c, k, v, &s->value);
        } else if (streq(key, "min_series")) {
            double d;
            r = get_num(c, k, v, &d);
            if (r == 0 && (d < 1 || d > 100000)) r = perr(c, v, "min_series must be 1..100000");
            if (r == 0) s->min_series = (unsigned)d;
        } else if (streq(key, "weight")) {
            r = get_num(c, k, v, &s->weight);
            if (r == 0 && (s->weight <= 0 || s->weight > 1))
                r = perr(c, v, "weight must be in (0, 1]");
        } else if (streq(key, "name")) {
            r = get_str(c, k, v, &s->name);
        } else if (streq(key, "why")) {
            r = get_str(c, k, v, &s->why);
        } else if (streq(key, "capture")) {
            r = get_str(c, k, v, &s->capture);
            if (r == 0) {
                int ec;
                PCRE2_SIZE off;
                pcre2_code *code = pcre2_compile((PCRE2_SPTR)s->capture, PCRE2_ZERO_TERMINATED,
                                                 PCRE2_CASELESS, &ec, &off, NULL);
                if (!code) {
                    PCRE2_UCHAR msg[256];
                    pcre2_get_error_message(ec, msg, sizeof msg);
                    r = perr(c, v, "invalid capture regex at offset %zu: %s", (size_t)off,
                             (char *)msg);
                } else
                    pcre2_code_free(code);
            }
        } else if (streq(key, "window")) {
            double d;
            r = get_num(c, k, v, &d);
            if (r == 0 && (d < 1 || d > 10000)) r = perr(c, v, "window must be 1..10000 lines");
            if (r == 0) s->window = (unsigned)d;
        } else if (streq(key, "require")) {
            if (!v || !fy_node_is_mapping(v))
                return perr(c, k, "'require' must be a mapping group: min");
            void *i2 = NULL;
            struct fy_node_pair *q;
            while (r == 0 && (q = fy_node_mapping_iterate(v, &i2))) {
                struct fy_node *k2 = fy_node_pair_key(q);
                const char *g = k2 ? fy_node_get_scalar0(k2) : NULL;
                if (!g) return perr(c, k2, "group names must be strings");
                if (s->n_requires >= 8) return perr(c, k2, "too many require entries");
                struct kb_require *nr = realloc(s->requires, (s->n_requires + 1) * sizeof *nr);
                if (!nr) return -ENOMEM;
                s->requires = nr;
                nr[s->n_requires].group = strdup(g);
                if (!nr[s->n_requires].group) return -ENOMEM;
                s->n_requires++;
                r = get_num(c, k2, fy_node_pair_value(q), &nr[s->n_requires - 1].min);
            }
        } else
            r = perr(c, k, "unknown signal key '%s'", key);
    }
    if (r < 0) return r;
    if (kinds != 1)
        return perr(c, first_key(n),
                    "a signal needs exactly one of log, finding, filesystem, metric");
    if (s->weight < 0) {
        if (against)
            s->weight = 0.5;
        else
            return perr(c, first_key(n), "signal needs a 'weight' in (0, 1]");
    }
    if (s->type == KB_SIG_METRIC && !s->op[0])
        return perr(c, first_key(n), "metric signal needs 'op' and 'value'");
    if (s->n_requires && !s->capture)
        return perr(c, first_key(n), "'require' needs a 'capture' regex");
    if (s->window && !s->capture) return perr(c, first_key(n), "'window' needs a 'capture' regex");
    return 0;
}

static int parse_signal_list(struct pctx *c, struct fy_node *k, struct fy_node *v,
                             struct kb_signal **ret, size_t *n, int against)
{
    if (!v || !fy_node_is_sequence(v))
        return perr(c, k, "'%s' must be a list", fy_node_get_scalar0(k));
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(v, &it))) {
        if (*n >= 128) return perr(c, k, "too many signals");
        struct kb_signal *ns = realloc(*ret, (*n + 1) * sizeof *ns);
        if (!ns) return -ENOMEM;
        *ret = ns;
        int r = parse_signal(c, e, &ns[*n], against);
        (*n)++;
        if (r < 0) {
            if (!c->err) perr(c, first_key(e) ? first_key(e) : k, "invalid signal");
            return r;
        }
        if (!ns[*n - 1].name) {
            char nm[32];
            snprintf(nm, sizeof nm, "%s %zu", against ? "against" : "signal", *n);
            ns[*n - 1].name = strdup(nm);
            if (!ns[*n - 1].name) return -ENOMEM;
        }
    }
    return 0;
}

static int parse_checks(struct pctx *c, struct fy_node *k, struct fy_node *v, struct kb_rule *r)
{
    if (!v || !fy_node_is_sequence(v)) return perr(c, k, "'next_checks' must be a list");
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(v, &it))) {
        if (!fy_node_is_mapping(e)) return perr(c, k, "a check is a mapping with cmd and why");
        struct kb_check *nc = realloc(r->checks, (r->n_checks + 1) * sizeof *nc);
        if (!nc) return -ENOMEM;
        r->checks = nc;
        struct kb_check *ch = &nc[r->n_checks++];
        memset(ch, 0, sizeof *ch);
        void *i2 = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(e, &i2))) {
            struct fy_node *k2 = fy_node_pair_key(p);
            const char *key = k2 ? fy_node_get_scalar0(k2) : "";
            int x;
            if (key && streq(key, "cmd"))
                x = get_str(c, k2, fy_node_pair_value(p), &ch->cmd);
            else if (key && streq(key, "why"))
                x = get_str(c, k2, fy_node_pair_value(p), &ch->why);
            else
                x = perr(c, k2, "unknown check key '%s'", key ? key : "");
            if (x < 0) return x;
        }
        if (!ch->cmd) return perr(c, first_key(e), "a check needs 'cmd'");
    }
    return 0;
}

static int parse_prevention(struct pctx *c, struct fy_node *k, struct fy_node *v, struct kb_rule *r)
{
    if (!v || !fy_node_is_sequence(v)) return perr(c, k, "'prevention' must be a list");
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(v, &it))) {
        if (!fy_node_is_mapping(e)) return perr(c, k, "a prevention entry is a mapping");
        struct kb_alert *na = realloc(r->prevention, (r->n_prevention + 1) * sizeof *na);
        if (!na) return -ENOMEM;
        r->prevention = na;
        struct kb_alert *a = &na[r->n_prevention++];
        memset(a, 0, sizeof *a);
        void *i2 = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(e, &i2))) {
            struct fy_node *k2 = fy_node_pair_key(p), *v2 = fy_node_pair_value(p);
            const char *key = k2 ? fy_node_get_scalar0(k2) : "";
            int x;
            if (!key) key = "";
            if (streq(key, "alert"))
                x = get_str(c, k2, v2, &a->alert);
            else if (streq(key, "expr"))
                x = get_str(c, k2, v2, &a->expr);
            else if (streq(key, "for"))
                x = get_str(c, k2, v2, &a->for_);
            else if (streq(key, "why"))
                x = get_str(c, k2, v2, &a->why);
            else
                x = perr(c, k2, "unknown prevention key '%s'", key);
            if (x < 0) return x;
        }
        if (!a->alert || !a->expr)
            return perr(c, first_key(e), "prevention needs 'alert' and 'expr'");
    }
    return 0;
}

static int valid_id(const char *s)
{
    if (!*s || strlen(s) > 64) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}

static int parse_root(struct pctx *c, struct fy_node *root, struct kb_rule *r)
{
    if (!root || !fy_node_is_mapping(root))
        return perr(c, NULL, "a rule file must be a YAML mapping");
    void *it = NULL;
    struct fy_node_pair *p;
    struct fy_node *idk = NULL, *catk = NULL;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const char *key = k ? fy_node_get_scalar0(k) : NULL;
        int x;
        if (!key) return perr(c, k, "keys must be strings");
        if (streq(key, "id")) {
            idk = k;
            x = get_str(c, k, v, &r->id);
            if (x == 0 && !valid_id(r->id))
                x = perr(c, v, "id '%s' must be [a-z0-9_.-]{1,64}", r->id);
        } else if (streq(key, "category")) {
            catk = k;
            x = get_str(c, k, v, &r->category);
            if (x == 0 && kb_category_index(r->category) < 0)
                x = perr(c, v, "unknown category '%s'", r->category);
        } else if (streq(key, "title"))
            x = get_str(c, k, v, &r->title);
        else if (streq(key, "summary"))
            x = get_str(c, k, v, &r->summary);
        else if (streq(key, "kind")) {
            char *kind = NULL;
            x = get_str(c, k, v, &kind);
            if (x == 0) {
                if (streq(kind, "symptom"))
                    r->symptom = 1;
                else if (!streq(kind, "cause"))
                    x = perr(c, v, "kind must be 'cause' or 'symptom'");
            }
            free(kind);
        } else if (streq(key, "signals"))
            x = parse_signal_list(c, k, v, &r->signals, &r->n_signals, 0);
        else if (streq(key, "against"))
            x = parse_signal_list(c, k, v, &r->against, &r->n_against, 1);
        else if (streq(key, "explains")) {
            x = get_str_list(c, k, v, &r->explains, &r->n_explains);
            for (size_t i = 0; x == 0 && i < r->n_explains; i++)
                if (kb_category_index(r->explains[i]) < 0)
                    x = perr(c, k, "explains: unknown category '%s'", r->explains[i]);
        } else if (streq(key, "symptoms"))
            x = get_str_list(c, k, v, &r->symptoms, &r->n_symptoms);
        else if (streq(key, "chain"))
            x = get_str_list(c, k, v, &r->chain, &r->n_chain);
        else if (streq(key, "next_checks"))
            x = parse_checks(c, k, v, r);
        else if (streq(key, "mitigation"))
            x = get_str(c, k, v, &r->mitigation);
        else if (streq(key, "fix"))
            x = get_str(c, k, v, &r->fix);
        else if (streq(key, "prevention"))
            x = parse_prevention(c, k, v, r);
        else
            x = perr(c, k, "unknown key '%s'", key);
        if (x < 0) return x;
    }
    if (!r->id) return perr(c, first_key(root), "missing 'id'");
    if (!r->category) return perr(c, idk, "missing 'category'");
    if (!r->title) return perr(c, catk ? catk : idk, "missing 'title'");
    if (r->n_signals == 0) return perr(c, idk, "a rule needs at least one signal");
    return 0;
}

struct diag_capture {
    char *msg;
};

static void diag_out(struct fy_diag *d, void *user, const char *buf, size_t len)
{
    (void)d;
    struct diag_capture *dc = user;
    if (dc->msg || len == 0) return;
    /* the first chunk is "FILE:LINE:COL: error: message\n" */
    if (!memmem(buf, len, ": error: ", 9)) return;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) len--;
    dc->msg = strndup(buf, TS_MIN(len, (size_t)1024));
}

int kb_yaml_precheck(const char *data, size_t len, int *ret_line)
{
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == 0) {
            *ret_line = line;
            return -EINVAL;
        }
        /* libfyaml 0.7 can loop forever on malformed directives: refuse
         * directives outright, rules and deps.yaml never need them */
        if ((i == 0 || data[i - 1] == '\n') && data[i] == '%') {
            *ret_line = line;
            return -EINVAL;
        }
        if (data[i] == '\n') line++;
    }
    return 0;
}

int kb_parse_rule(const char *path, const char *data, size_t len, struct kb_rule **ret,
                  char **ret_err)
{
    if (dl_load(DL_FYAML) < 0) return -ELIBACC;
    _cleanup_free_ char *owned = NULL;
    struct pctx c = { .path = path };
    if (!data) {
        size_t n;
        int r = read_file(path, KB_MAX_FILE, &owned, &n);
        if (r < 0) {
            if (ret_err) {
                struct buf b = BUF_INIT(4096);
                if (buf_printf(&b, "%s: cannot read: %s", path,
                               r == -EFBIG ? "file too large" : strerror(-r)) >= 0)
                    *ret_err = buf_take(&b);
                buf_release(&b);
            }
            return r == -EFBIG ? -EINVAL : r;
        }
        data = owned;
        len = n;
    }
    int badline = 0;
    if (kb_yaml_precheck(data, len, &badline) < 0) {
        if (ret_err) {
            struct buf b = BUF_INIT(4096);
            if (buf_printf(&b, "%s:%d:1: YAML directives and NUL bytes are not allowed", path,
                           badline) >= 0)
                *ret_err = buf_take(&b);
            buf_release(&b);
        }
        return -EINVAL;
    }
    struct diag_capture dcap = { 0 };
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_out;
    dcfg.user = &dcap;
    dcfg.colorize = false;
    dcfg.show_source = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) return -ENOMEM;
    struct fy_parse_cfg pcfg = { .flags = FYPCF_QUIET | FYPCF_DISABLE_RECYCLING, .diag = diag };
    struct fy_document *doc = fy_document_build_from_string(&pcfg, data, len);
    int r = 0;
    struct kb_rule *rule = NULL;
    if (!doc) {
        r = -EINVAL;
        struct buf b = BUF_INIT(4096);
        /* libfyaml names the input "<string>" here: put the real path in */
        const char *m = dcap.msg;
        if (m && startswith(m, "<")) {
            const char *colon = strchr(m, ':');
            if (colon) m = colon + 1;
            if (buf_printf(&b, "%s:%s", path, m) >= 0) c.err = buf_take(&b);
        } else if (buf_printf(&b, "%s:1:1: %s", path, m ? m : "invalid YAML") >= 0)
            c.err = buf_take(&b);
        buf_release(&b);
    } else {
        rule = calloc(1, sizeof *rule);
        if (!rule)
            r = -ENOMEM;
        else {
            r = parse_root(&c, fy_document_root(doc), rule);
            if (r == 0) {
                rule->file = strdup(path);
                if (!rule->file) r = -ENOMEM;
            }
        }
        fy_document_destroy(doc);
    }
    fy_diag_destroy(diag);
    free(dcap.msg);
    if (r < 0) {
        if (rule) {
            kb_rule_done(rule);
            free(rule);
        }
        if (ret_err) {
            *ret_err = c.err;
            c.err = NULL;
        }
        free(c.err);
        return r;
    }
    *ret = rule;
    return 0;
}

void kb_rule_done(struct kb_rule *r)
{
    if (!r) return;
    free(r->id);
    free(r->category);
    free(r->title);
    free(r->summary);
    free(r->file);
    for (size_t i = 0; i < r->n_signals; i++) signal_done(&r->signals[i]);
    free(r->signals);
    for (size_t i = 0; i < r->n_against; i++) signal_done(&r->against[i]);
    free(r->against);
    for (size_t i = 0; i < r->n_explains; i++) free(r->explains[i]);
    free(r->explains);
    for (size_t i = 0; i < r->n_symptoms; i++) free(r->symptoms[i]);
    free(r->symptoms);
    for (size_t i = 0; i < r->n_chain; i++) free(r->chain[i]);
    free(r->chain);
    for (size_t i = 0; i < r->n_checks; i++) {
        free(r->checks[i].cmd);
        free(r->checks[i].why);
    }
    free(r->checks);
    free(r->mitigation);
    free(r->fix);
    for (size_t i = 0; i < r->n_prevention; i++) {
        free(r->prevention[i].alert);
        free(r->prevention[i].expr);
        free(r->prevention[i].for_);
        free(r->prevention[i].why);
    }
    free(r->prevention);
    memset(r, 0, sizeof *r);
}

struct kb *kb_free(struct kb *kb)
{
    if (!kb) return NULL;
    for (size_t i = 0; i < kb->n_rules; i++) kb_rule_done(&kb->rules[i]);
    free(kb->rules);
    for (size_t i = 0; i < kb->n_errors; i++) free(kb->errors[i]);
    free(kb->errors);
    free(kb);
    return NULL;
}

static int add_error(struct kb *kb, char *e)
{
    if (!e) return 0;
    char **ne = realloc(kb->errors, (kb->n_errors + 1) * sizeof(char *));
    if (!ne) {
        free(e);
        return -ENOMEM;
    }
    kb->errors = ne;
    ne[kb->n_errors++] = e;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml(const char *n)
{
    size_t l = strlen(n);
    if (n[0] == '.') return 0;
    return (l > 5 && streq(n + l - 5, ".yaml")) || (l > 4 && streq(n + l - 4, ".yml"));
}

/* Add a parsed rule (takes it): a later rule with the same id replaces the
 * earlier one. 0 or -ENOMEM (the rule is freed either way on error). */
static int add_rule(struct kb *kb, struct kb_rule *rule)
{
    size_t j;
    for (j = 0; j < kb->n_rules; j++)
        if (streq(kb->rules[j].id, rule->id)) break;
    if (j < kb->n_rules) {
        kb_rule_done(&kb->rules[j]);
        kb->rules[j] = *rule;
    } else {
        struct kb_rule *nr = realloc(kb->rules, (kb->n_rules + 1) * sizeof *nr);
        if (!nr) {
            kb_rule_done(rule);
            free(rule);
            return -ENOMEM;
        }
        kb->rules = nr;
        nr[kb->n_rules++] = *rule;
    }
    free(rule);
    return 0;
}

/* Parse one rule text (data NULL: read path) into kb; a rejected file is
 * listed in kb->errors. 0 or -ENOMEM. */
static int load_one(struct kb *kb, const char *path, const char *data, size_t len)
{
    struct kb_rule *rule = NULL;
    char *err = NULL;
    kb->n_files++;
    int x = kb_parse_rule(path, data, len, &rule, &err);
    if (x == -ENOMEM) {
        free(err);
        return x;
    }
    if (x < 0) return add_error(kb, err);
    return add_rule(kb, rule);
}

static int load_dir(struct kb *kb, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -errno;
    char **names = NULL;
    size_t n = 0;
    int r = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_yaml(de->d_name)) continue;
        if (n >= KB_MAX_FILES) break;
        char **nn = realloc(names, (n + 1) * sizeof(char *));
        if (!nn) {
            r = -ENOMEM;
            break;
        }
        names = nn;
        if (!(names[n] = strdup(de->d_name))) {
            r = -ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct buf path = BUF_INIT(8192);
        if (buf_printf(&path, "%s/%s", dir, names[i]) < 0) {
            buf_release(&path);
            continue;
        }
        r = load_one(kb, buf_str(&path), NULL, 0);
        buf_release(&path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return r;
}

static int load_dirs(int builtin, const char *const *dirs, size_t n_dirs, struct kb **ret)
{
    /* libfyaml is loaded on first use (lib/dl): without it no rule parses */
    if (dl_load(DL_FYAML) < 0) return -ELIBACC;
    _cleanup_(kb_freep) struct kb *kb = calloc(1, sizeof *kb);
    if (!kb) return -ENOMEM;
    for (size_t i = 0; builtin && i < kb_n_builtin_files; i++) {
        struct buf path = BUF_INIT(4096);
        int r = buf_printf(&path, "rules/%s", kb_builtin_files[i].name);
        if (r >= 0)
            r = load_one(kb, buf_str(&path), kb_builtin_files[i].text, kb_builtin_files[i].len);
        buf_release(&path);
        if (r < 0) return r;
    }
    for (size_t i = 0; i < n_dirs; i++) {
        if (!dirs[i]) continue;
        int r = load_dir(kb, dirs[i]);
        if (r < 0) return r;
    }
    *ret = TAKE_PTR(kb);
    return 0;
}

int kb_load(const char *const *dirs, size_t n_dirs, struct kb **ret)
{
    return load_dirs(0, dirs, n_dirs, ret);
}

int kb_load_builtin(const char *const *dirs, size_t n_dirs, struct kb **ret)
{
    return load_dirs(1, dirs, n_dirs, ret);
}

const struct kb_rule *kb_find(const struct kb *kb, const char *id)
{
    for (size_t i = 0; i < kb->n_rules; i++)
        if (streq(kb->rules[i].id, id)) return &kb->rules[i];
    return NULL;
}

static json_t *str_array(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *signal_json(const struct kb_signal *s)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "weight", json_real(s->weight));
    switch (s->type) {
    case KB_SIG_LOG:
        json_object_set_new(o, "log", json_string(s->pattern));
        if (s->capture) json_object_set_new(o, "capture", json_string(s->capture));
        break;
    case KB_SIG_FINDING: json_object_set_new(o, "finding", json_string(s->finding)); break;
    case KB_SIG_FILESYSTEM: {
        json_t *f = json_object();
        if (s->fstype) json_object_set_new(f, "fstype", json_string(s->fstype));
        if (s->min_used_pct >= 0)
            json_object_set_new(f, "min_used_pct", json_real(s->min_used_pct));
        if (s->min_inodes_pct >= 0)
            json_object_set_new(f, "min_inodes_used_pct", json_real(s->min_inodes_pct));
        if (s->readonly) json_object_set_new(f, "readonly", json_true());
        json_object_set_new(o, "filesystem", f);
        break;
    }
    case KB_SIG_METRIC:
        json_object_set_new(o, "metric", json_string(s->metric));
        json_object_set_new(o, "op", json_string(s->op));
        json_object_set_new(o, "value", json_real(s->value));
        break;
    }
    if (s->why) json_object_set_new(o, "why", json_string(s->why));
    return o;
}

json_t *kb_rule_json(const struct kb *kb, const char *id)
{
    const struct kb_rule *r = kb_find(kb, id);
    if (!r) return NULL;
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "category", json_string(r->category));
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(o, "kind", json_string(r->symptom ? "symptom" : "cause"));
    if (r->summary) json_object_set_new(o, "summary", json_string(r->summary));
    json_object_set_new(o, "file", json_string(r->file));
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_signals; i++) json_array_append_new(a, signal_json(&r->signals[i]));
    json_object_set_new(o, "signals", a);
    a = json_array();
    for (size_t i = 0; i < r->n_against; i++) json_array_append_new(a, signal_json(&r->against[i]));
    json_object_set_new(o, "against", a);
    json_object_set_new(o, "explains", str_array(r->explains, r->n_explains));
    json_object_set_new(o, "symptoms", str_array(r->symptoms, r->n_symptoms));
    json_object_set_new(o, "chain", str_array(r->chain, r->n_chain));
    a = json_array();
    for (size_t i = 0; i < r->n_checks; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:s?}", "cmd", r->checks[i].cmd, "why", r->checks[i].why));
    json_object_set_new(o, "next_checks", a);
    if (r->mitigation) json_object_set_new(o, "mitigation", json_string(r->mitigation));
    if (r->fix) json_object_set_new(o, "fix", json_string(r->fix));
    a = json_array();
    for (size_t i = 0; i < r->n_prevention; i++) {
        const struct kb_alert *p = &r->prevention[i];
        json_array_append_new(a, json_pack("{s:s,s:s,s:s?,s:s?}", "alert", p->alert, "expr",
                                           p->expr, "for", p->for_, "why", p->why));
    }
    json_object_set_new(o, "prevention", a);
    return o;
}

const char *kb_default_dir(void)
{
    const char *env = getenv("TSHOOT_RULES_DIR");
    return env && *env ? env : NULL;
}
