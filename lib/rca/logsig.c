/* SPDX-License-Identifier: MIT */
/*
 * logsig.c: knowledge-base log signals as a logs_sigs matcher (logsig.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "rca/logsig.h"

#define IDBUF_MAX 64 /* pattern ids kept per line */

struct rca_logsigs {
    struct logs_sigs pub;
    const struct kb *kb;
    struct sigdb *db;
    uint32_t *rule, *signal; /* per signature */
    size_t n;
    uint32_t **by_pat; /* pattern id -> signature indices (n_by_pat[id] of them) */
    size_t *n_by_pat;
    size_t n_pats;
    pthread_mutex_t cap_lock; /* sigdb_capture uses the db's single match data */
};

struct state {
    struct rca_logsigs *m;
    struct sigdb_scanner *sc;
    uint32_t ids[IDBUF_MAX];
};

static int state_new(void *ctx, void **ret)
{
    struct rca_logsigs *m = ctx;
    struct state *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->m = m;
    int r = sigdb_scanner_new(m->db, &s->sc);
    if (r < 0) {
        free(s);
        return r;
    }
    *ret = s;
    return 0;
}

static void state_free(void *st)
{
    struct state *s = st;
    if (!s) return;
    sigdb_scanner_free(s->sc);
    free(s);
}

static int match(void *st, const char *line, size_t len, uint32_t *out, size_t max)
{
    struct state *s = st;
    struct rca_logsigs *m = s->m;
    int n = sigdb_scanner_scan(s->sc, line, len, s->ids, IDBUF_MAX);
    if (n < 0) return n;
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        uint32_t id = s->ids[i];
        if (id >= m->n_pats) continue;
        for (size_t u = 0; u < m->n_by_pat[id] && k < max; u++) {
            uint32_t sig = m->by_pat[id][u];
            size_t j;
            for (j = 0; j < k; j++)
                if (out[j] == sig) break;
            if (j < k) continue;
            const struct kb_signal *sg = &m->kb->rules[m->rule[sig]].signals[m->signal[sig]];
            if (sg->capture) { /* counts only when the capture (and `require`) holds */
                pthread_mutex_lock(&m->cap_lock);
                int c = sigdb_capture(m->db, m->rule[sig], m->signal[sig], line, len, NULL);
                pthread_mutex_unlock(&m->cap_lock);
                if (c < 0) return c;
                if (c == 0) continue;
            }
            out[k++] = sig;
        }
    }
    return (int)k;
}

static void describe(void *ctx, size_t i, const char **rule, const char **category,
                     const char **signal)
{
    struct rca_logsigs *m = ctx;
    const struct kb_rule *r = &m->kb->rules[m->rule[i]];
    *rule = r->id;
    *category = r->category;
    *signal = r->signals[m->signal[i]].name ? r->signals[m->signal[i]].name : "";
}

int rca_logsigs_new(const struct kb *kb, struct sigdb *db, struct rca_logsigs **ret)
{
    if (!kb || !db || !ret) return -EINVAL;
    _cleanup_(rca_logsigs_freep) struct rca_logsigs *m = calloc(1, sizeof(*m));
    if (!m) return -ENOMEM;
    pthread_mutex_init(&m->cap_lock, NULL);
    m->kb = kb;
    m->db = db;
    m->n_pats = sigdb_n_patterns(db);
    m->by_pat = calloc(m->n_pats + 1, sizeof(*m->by_pat));
    m->n_by_pat = calloc(m->n_pats + 1, sizeof(*m->n_by_pat));
    size_t total = 0;
    for (size_t r = 0; r < kb->n_rules; r++) total += kb->rules[r].n_signals;
    m->rule = calloc(total + 1, sizeof(uint32_t));
    m->signal = calloc(total + 1, sizeof(uint32_t));
    if (!m->by_pat || !m->n_by_pat || !m->rule || !m->signal) return -ENOMEM;
    /* signature index of (rule, signal) in kb order: log signals without a window */
    size_t *base = calloc(kb->n_rules + 1, sizeof(size_t));
    if (!base) return -ENOMEM;
    for (size_t r = 0; r < kb->n_rules; r++) {
        base[r] = m->n;
        for (size_t s = 0; s < kb->rules[r].n_signals; s++) {
            const struct kb_signal *sg = &kb->rules[r].signals[s];
            if (sg->type != KB_SIG_LOG || sg->window) continue;
            m->rule[m->n] = (uint32_t)r;
            m->signal[m->n] = (uint32_t)s;
            m->n++;
        }
    }
    for (size_t id = 0; id < m->n_pats; id++) {
        const struct sig_pattern *p = sigdb_pattern(db, id);
        if (!p || !p->n_uses) continue;
        m->by_pat[id] = calloc(p->n_uses, sizeof(uint32_t));
        if (!m->by_pat[id]) {
            free(base);
            return -ENOMEM;
        }
        for (size_t u = 0; u < p->n_uses; u++) {
            const struct sig_use *use = &p->uses[u];
            if (use->against || use->rule >= kb->n_rules) continue;
            for (size_t k = base[use->rule]; k < m->n && m->rule[k] == use->rule; k++)
                if (m->signal[k] == use->signal) m->by_pat[id][m->n_by_pat[id]++] = (uint32_t)k;
        }
    }
    free(base);
    m->pub = (struct logs_sigs){ .n = m->n,
                                 .ctx = m,
                                 .state_new = state_new,
                                 .state_free = state_free,
                                 .match = match,
                                 .describe = describe };
    *ret = TAKE_PTR(m);
    return 0;
}

struct rca_logsigs *rca_logsigs_free(struct rca_logsigs *m)
{
    if (!m) return NULL;
    for (size_t i = 0; m->by_pat && i < m->n_pats; i++) free(m->by_pat[i]);
    free(m->by_pat);
    free(m->n_by_pat);
    free(m->rule);
    free(m->signal);
    pthread_mutex_destroy(&m->cap_lock);
    free(m);
    return NULL;
}

const struct logs_sigs *rca_logsigs_get(const struct rca_logsigs *m)
{
    return &m->pub;
}
