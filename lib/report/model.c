/* SPDX-License-Identifier: MIT */
/* The diagnosis as the report sees it: parse, redact, merge, evaluate. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"
#include "report/model.h"

#define HOUR_NS (3600LL * TS_NSEC_PER_SEC)

struct ctx {
    struct rp_model *m;
    int oom;
};

/* Cut s to at most max bytes on a UTF-8 boundary, adding an ellipsis. */
static void cap_text(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return;
    size_t cut = max - 3;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    memcpy(s + cut, "...", 4);
}

/* Redacted, capped copy owned by the model; NULL for NULL. */
static char *dup_text(struct ctx *c, const char *s)
{
    if (!s) return NULL;
    char *r = redact_dup(s, NULL);
    if (!r) {
        c->oom = 1;
        return NULL;
    }
    cap_text(r, RP_MAX_TEXT);
    return r;
}

static char *get_str(struct ctx *c, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? dup_text(c, json_string_value(v)) : NULL;
}

static char *get_strz(struct ctx *c, json_t *o, const char *key)
{
    char *s = get_str(c, o, key);
    if (!s && !c->oom) {
        s = strdup("");
        if (!s) c->oom = 1;
    }
    return s;
}

static void note_zone(struct rp_model *m, const struct rp_time *t)
{
    if (t->t == TS_TIME_NONE) return;
    if (!t->has_zone) {
        m->assumed_utc = true;
        return;
    }
    if (t->off_min == 0) return;
    for (size_t i = 0; i < m->n_zones; i++)
        if (m->zones[i] == t->off_min) return;
    if (m->n_zones < RP_MAX_ZONES) m->zones[m->n_zones++] = t->off_min;
}

static struct rp_time get_time(struct rp_model *m, json_t *o, const char *key)
{
    struct rp_time t = { .t = TS_TIME_NONE };
    json_t *v = json_object_get(o, key);
    if (json_is_string(v) && rp_parse_time(json_string_value(v), &t) == 0) note_zone(m, &t);
    return t;
}

static double get_num(json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static void *alloc_array(struct ctx *c, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) c->oom = 1;
    return p;
}

static char **get_str_array(struct ctx *c, json_t *a, size_t max, size_t *ret_n)
{
    *ret_n = 0;
    if (!json_is_array(a)) return NULL;
    size_t n = TS_MIN(json_array_size(a), max);
    char **r = alloc_array(c, n, sizeof *r);
    if (!r) return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_string(v)) continue;
        r[(*ret_n)++] = dup_text(c, json_string_value(v));
    }
    return r;
}

static void free_str_array(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++) free(a[i]);
    free(a);
}

static struct rp_evidence *get_evidence(struct ctx *c, json_t *a, size_t *ret_n, size_t *ret_total)
{
    *ret_n = 0;
    *ret_total = json_is_array(a) ? json_array_size(a) : 0;
    if (!*ret_total) return NULL;
    size_t n = TS_MIN(*ret_total, RP_MAX_EVIDENCE);
    struct rp_evidence *r = alloc_array(c, n, sizeof *r);
    if (!r) return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_object(e)) continue;
        struct rp_evidence *x = &r[(*ret_n)++];
        x->when = get_time(c->m, e, "time");
        x->kind = get_strz(c, e, "kind");
        x->ref = get_strz(c, e, "ref");
        x->text = get_strz(c, e, "text");
        x->weight = get_num(e, "weight", 0);
        x->count = (long long)get_num(e, "count", 1);
    }
    return r;
}

static void free_evidence(struct rp_evidence *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].kind);
        free(e[i].ref);
        free(e[i].text);
    }
    free(e);
}

static void load_hyp(struct ctx *c, json_t *j, struct rp_hyp *h)
{
    h->id = get_strz(c, j, "id");
    h->category = get_strz(c, j, "category");
    h->title = get_strz(c, j, "title");
    h->confidence = get_strz(c, j, "confidence");
    h->subject = get_strz(c, j, "subject");
    h->mitigation = get_str(c, j, "mitigation");
    h->fix = get_str(c, j, "fix");
    h->score = get_num(j, "score", 0);
    h->ev = get_evidence(c, json_object_get(j, "evidence"), &h->n_ev, &h->n_ev_total);
    h->against = get_evidence(c, json_object_get(j, "against"), &h->n_against, &h->n_against_total);
    h->chain = get_str_array(c, json_object_get(j, "chain"), RP_MAX_CHAIN, &h->n_chain);
    h->arithmetic =
        get_str_array(c, json_object_get(j, "arithmetic"), RP_MAX_CHAIN, &h->n_arithmetic);
    h->blast = get_str_array(c, json_object_get(j, "blast_radius"), RP_MAX_SERVICES, &h->n_blast);
    json_t *a = json_object_get(j, "next_checks");
    if (json_is_array(a) && json_array_size(a)) {
        size_t n = TS_MIN(json_array_size(a), RP_MAX_ACTIONS);
        h->checks = alloc_array(c, n, sizeof *h->checks);
        for (size_t i = 0; h->checks && i < n; i++) {
            json_t *x = json_array_get(a, i);
            if (!json_is_object(x)) continue;
            h->checks[h->n_checks].cmd = get_strz(c, x, "cmd");
            h->checks[h->n_checks++].why = get_strz(c, x, "why");
        }
    }
    a = json_object_get(j, "prevention");
    if (json_is_array(a) && json_array_size(a)) {
        size_t n = TS_MIN(json_array_size(a), RP_MAX_RULES);
        h->rules = alloc_array(c, n, sizeof *h->rules);
        for (size_t i = 0; h->rules && i < n; i++) {
            json_t *x = json_array_get(a, i);
            if (!json_is_object(x)) continue;
            struct rp_rule *r = &h->rules[h->n_rules++];
            r->alert = get_strz(c, x, "alert");
            r->expr = get_strz(c, x, "expr");
            r->for_ = get_strz(c, x, "for");
            r->why = get_strz(c, x, "why");
        }
    }
}

static void free_hyp(struct rp_hyp *h)
{
    free(h->id);
    free(h->category);
    free(h->title);
    free(h->confidence);
    free(h->subject);
    free(h->mitigation);
    free(h->fix);
    free_evidence(h->ev, h->n_ev);
    free_evidence(h->against, h->n_against);
    free_str_array(h->chain, h->n_chain);
    free_str_array(h->arithmetic, h->n_arithmetic);
    free_str_array(h->blast, h->n_blast);
    for (size_t i = 0; i < h->n_checks; i++) {
        free(h->checks[i].cmd);
        free(h->checks[i].why);
    }
    free(h->checks);
    for (size_t i = 0; i < h->n_rules; i++) {
        free(h->rules[i].alert);
        free(h->rules[i].expr);
        free(h->rules[i].for_);
        free(h->rules[i].why);
    }
    free(h->rules);
}

static int cmp_hyp(const void *a, const void *b)
{
    const struct rp_hyp *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

/* The service a source path belongs to, by the bundle layout: the first
 * path component under logs/ (or its file name without extension), or the
 * file name of metrics/NAME.prom, when it names a known service. */
static const char *service_of(const struct rp_model *m, const char *source)
{
    if (!source) return NULL;
    char name[256];
    const char *p = startswith(source, "logs/");
    if (!p) p = startswith(source, "metrics/");
    if (!p) return NULL;
    size_t n = strcspn(p, "/:");
    if (n >= sizeof name) return NULL;
    memcpy(name, p, n);
    name[n] = '\0';
    if (p[n] != '/') {
        char *dot = strchr(name, '.');
        if (dot) *dot = '\0';
    }
    for (size_t i = 0; i < m->n_services; i++) {
        const char *s = m->services[i].name;
        if (streq(s, name)) return s;
        /* "logs/outpost/.." for a service "authentik-outpost" */
        size_t sl = strlen(s), nl = strlen(name);
        if (nl >= 3 && sl > nl && s[sl - nl - 1] == '-' && streq(s + sl - nl, name)) return s;
    }
    return NULL;
}

static int cmp_event(const void *a, const void *b)
{
    const struct rp_event *x = a, *y = b;
    if (x->when.t != y->when.t) return x->when.t < y->when.t ? -1 : 1;
    return strcmp(x->source, y->source);
}

static void load_events(struct ctx *c, json_t *tl)
{
    struct rp_model *m = c->m;
    size_t total = json_is_array(tl) ? json_array_size(tl) : 0;
    /* room for the derived alert events too */
    m->events = alloc_array(c, TS_MIN(total, RP_MAX_EVENTS) + 8, sizeof *m->events);
    if (!m->events) return;
    m->n_events_total = total;
    for (size_t i = 0; i < total && m->n_events < RP_MAX_EVENTS; i++) {
        json_t *e = json_array_get(tl, i);
        if (!json_is_object(e)) continue;
        struct rp_time t = get_time(m, e, "time");
        if (t.t == TS_TIME_NONE) continue; /* an untimed entry cannot be placed */
        struct rp_event *x = &m->events[m->n_events++];
        x->when = t;
        x->source = get_strz(c, e, "source");
        x->kind = get_strz(c, e, "kind");
        x->text = get_strz(c, e, "text");
    }
}

/* The percentage an fs_milestone talks about: its "value", else the first
 * "NN%" in the text, else 100 when the text says "full". */
static double milestone_pct(json_t *e, const char *text)
{
    json_t *v = json_object_get(e, "value");
    if (json_is_number(v)) return json_number_value(v);
    for (const char *p = text; p && *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1]))) continue;
        char *end;
        double d = strtod(p, &end);
        if (*end == '%' && d >= 0 && d <= 100) return d;
    }
    if (text && strstr(text, "full")) return 100;
    return -1;
}

static void add_fs_point(struct ctx *c, ts_time_t t, double pct, const char *subject,
                         const char *source)
{
    struct rp_model *m = c->m;
    if (m->n_fs >= RP_MAX_FS_POINTS || t == TS_TIME_NONE || pct < 0) return;
    struct rp_fs_point *p = &m->fs[m->n_fs++];
    p->t = t;
    p->pct = pct > 100 ? 100 : pct;
    p->subject = dup_text(c, subject ? subject : "filesystem");
    p->source = dup_text(c, source ? source : "");
}

static void load_fs(struct ctx *c, json_t *d)
{
    struct rp_model *m = c->m;
    m->fs = alloc_array(c, RP_MAX_FS_POINTS, sizeof *m->fs);
    if (!m->fs) return;
    json_t *tl = json_object_get(d, "timeline"), *e;
    size_t i;
    json_array_foreach(tl, i, e)
    {
        json_t *k = json_object_get(e, "kind");
        if (!json_is_string(k) || !streq(json_string_value(k), "fs_milestone")) continue;
        struct rp_time t = get_time(m, e, "time");
        json_t *tx = json_object_get(e, "text");
        const char *text = json_is_string(tx) ? json_string_value(tx) : "";
        char subject[256] = "";
        json_t *sj = json_object_get(e, "subject");
        if (json_is_string(sj)) {
            snprintf(subject, sizeof subject, "%s", json_string_value(sj));
        } else if (text[0] == '/') {
            size_t n = TS_MIN(strcspn(text, " \t,:("), sizeof subject - 1);
            memcpy(subject, text, n);
            subject[n] = '\0';
        }
        json_t *src = json_object_get(e, "source");
        add_fs_point(c, t.t, milestone_pct(e, text), subject[0] ? subject : NULL,
                     json_is_string(src) ? json_string_value(src) : NULL);
    }
    json_array_foreach(json_object_get(d, "fs_samples"), i, e)
    {
        struct rp_time t = get_time(m, e, "time");
        json_t *sj = json_object_get(e, "subject"), *src = json_object_get(e, "source");
        add_fs_point(c, t.t, get_num(e, "used_pct", -1),
                     json_is_string(sj) ? json_string_value(sj) : NULL,
                     json_is_string(src) ? json_string_value(src) : NULL);
    }
}

static int cmp_fs(const void *a, const void *b)
{
    const struct rp_fs_point *x = a, *y = b;
    int r = strcmp(x->subject ? x->subject : "", y->subject ? y->subject : "");
    if (r) return r;
    return (x->t > y->t) - (x->t < y->t);
}

static void load_services(struct ctx *c, json_t *a)
{
    struct rp_model *m = c->m;
    size_t n = json_is_array(a) ? TS_MIN(json_array_size(a), RP_MAX_SERVICES) : 0;
    m->services = alloc_array(c, n, sizeof *m->services);
    if (!m->services) return;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_object(s)) continue;
        struct rp_service *x = &m->services[m->n_services++];
        x->name = get_strz(c, s, "name");
        x->first = get_time(m, s, "first_anomaly");
        x->last = TS_TIME_NONE;
        x->errors = (long long)get_num(s, "errors", 0);
        json_t *ser = json_object_get(s, "series");
        json_t *counts = json_object_get(ser, "counts");
        struct rp_time st = get_time(m, ser, "start");
        double step = get_num(ser, "step_s", 0);
        if (st.t != TS_TIME_NONE && step >= 1 && json_is_array(counts) && json_array_size(counts)) {
            size_t k = TS_MIN(json_array_size(counts), RP_MAX_SERIES);
            if (step > 366.0 * 86400) continue; /* not a rate series */
            /* the series must end inside the representable range */
            while (k > 0 && (double)k * step > 100.0 * 365 * 86400) k /= 2;
            x->series = alloc_array(c, k, sizeof *x->series);
            if (!x->series) return;
            for (size_t j = 0; j < k; j++) {
                json_t *cv = json_array_get(counts, j);
                double v = json_is_number(cv) ? json_number_value(cv) : 0;
                x->series[j] = v < 0 ? 0 : v;
            }
            x->n_series = k;
            x->series_start = st.t;
            x->series_step_ns = (int64_t)(step * TS_NSEC_PER_SEC);
        }
    }
}

static struct rp_source_span *span_for(struct ctx *c, const char *source)
{
    struct rp_model *m = c->m;
    char name[512];
    size_t n = TS_MIN(strcspn(source, ":"), sizeof name - 1);
    memcpy(name, source, n);
    name[n] = '\0';
    if (!name[0]) return NULL;
    for (size_t i = 0; i < m->n_spans; i++)
        if (streq(m->spans[i].source, name)) return &m->spans[i];
    if (m->n_spans >= RP_MAX_SOURCES) return NULL;
    struct rp_source_span *s = &m->spans[m->n_spans];
    s->source = dup_text(c, name);
    if (!s->source) return NULL;
    s->first = s->last = TS_TIME_NONE;
    m->n_spans++;
    return s;
}

static void span_add(struct ctx *c, const char *source, ts_time_t t)
{
    if (t == TS_TIME_NONE || !source) return;
    struct rp_source_span *s = span_for(c, source);
    if (!s) return;
    if (s->first == TS_TIME_NONE || t < s->first) s->first = t;
    if (s->last == TS_TIME_NONE || t > s->last) s->last = t;
    s->events++;
}

static void build_spans(struct ctx *c)
{
    struct rp_model *m = c->m;
    m->spans = alloc_array(c, RP_MAX_SOURCES, sizeof *m->spans);
    if (!m->spans) return;
    for (size_t i = 0; i < m->n_events; i++)
        if (!m->events[i].derived) span_add(c, m->events[i].source, m->events[i].when.t);
    for (size_t h = 0; h < m->n_hyps; h++)
        for (size_t i = 0; i < m->hyps[h].n_ev; i++)
            span_add(c, m->hyps[h].ev[i].ref, m->hyps[h].ev[i].when.t);
}

/* Impact window: from the first anomaly (a service's first anomaly or a
 * first_error/spike/oom event) to the last event in the evidence after it. */
static void build_window(struct rp_model *m)
{
    m->start = m->end = m->first_alert = TS_TIME_NONE;
    m->axis_min = m->axis_max = TS_TIME_NONE;
    for (size_t i = 0; i < m->n_services; i++) {
        ts_time_t t = m->services[i].first.t;
        if (t != TS_TIME_NONE && (m->start == TS_TIME_NONE || t < m->start)) m->start = t;
    }
    for (size_t i = 0; i < m->n_events; i++) {
        const struct rp_event *e = &m->events[i];
        if (!streq(e->kind, "first_error") && !streq(e->kind, "spike") && !streq(e->kind, "oom"))
            continue;
        if (m->start == TS_TIME_NONE || e->when.t < m->start) m->start = e->when.t;
    }
    for (size_t i = 0; i < m->n_events; i++) {
        const struct rp_event *e = &m->events[i];
        ts_time_t t = e->when.t;
        if (m->axis_min == TS_TIME_NONE || t < m->axis_min) m->axis_min = t;
        if (m->axis_max == TS_TIME_NONE || t > m->axis_max) m->axis_max = t;
        if (m->start != TS_TIME_NONE && t >= m->start && !e->derived &&
            (m->end == TS_TIME_NONE || t > m->end))
            m->end = t;
        if (streq(e->kind, "alert") && !e->derived &&
            (m->first_alert == TS_TIME_NONE || t < m->first_alert)) {
            m->first_alert = t;
            m->first_alert_text = e->text;
        }
    }
    for (size_t i = 0; i < m->n_fs; i++) {
        ts_time_t t = m->fs[i].t;
        if (m->axis_min == TS_TIME_NONE || t < m->axis_min) m->axis_min = t;
        if (m->axis_max == TS_TIME_NONE || t > m->axis_max) m->axis_max = t;
    }
    for (size_t i = 0; i < m->n_services; i++) {
        struct rp_service *s = &m->services[i];
        for (size_t k = 0; k < m->n_events; k++) {
            const struct rp_event *e = &m->events[k];
            if (e->service && streq(e->service, s->name) &&
                (s->last == TS_TIME_NONE || e->when.t > s->last))
                s->last = e->when.t;
        }
        if (s->n_series) {
            ts_time_t a = s->series_start,
                      b = s->series_start + (int64_t)s->n_series * s->series_step_ns;
            if (m->axis_min == TS_TIME_NONE || a < m->axis_min) m->axis_min = a;
            if (m->axis_max == TS_TIME_NONE || b > m->axis_max) m->axis_max = b;
        }
    }
    if (m->start == TS_TIME_NONE && m->n_events) m->start = m->events[0].when.t;
    if (m->end == TS_TIME_NONE) m->end = m->start;
}

/* An alert event in the evidence that is about this filesystem (it names
 * it, or speaks of disk/filesystem space): the alert existed and fired. */
static bool alert_existed(const struct rp_model *m, const char *subject)
{
    static const char *const words[] = { "filesystem", "disk", "space", "full", "tmpfs" };
    for (size_t i = 0; i < m->n_events; i++) {
        const struct rp_event *e = &m->events[i];
        if (e->derived || !streq(e->kind, "alert") || !e->text) continue;
        if (subject && *subject && strstr(e->text, subject)) return true;
        for (size_t w = 0; w < ELEMENTSOF(words); w++)
            if (strcasestr(e->text, words[w])) return true;
    }
    return false;
}

/* Evaluate the built-in conditions over the fs points of the filesystem
 * that got fullest (ties: the one that got there first). Points are sorted
 * by subject, then time. */
static void build_gaps(struct ctx *c)
{
    struct rp_model *m = c->m;
    const char *best = NULL;
    double best_pct = -1;
    ts_time_t best_t = TS_TIME_NONE;
    for (size_t i = 0; i < m->n_fs; i++) {
        const struct rp_fs_point *p = &m->fs[i];
        if (p->pct > best_pct || (p->pct == best_pct && p->t < best_t)) {
            best = p->subject;
            best_pct = p->pct;
            best_t = p->t;
        }
    }
    static const struct {
        const char *name, *cond;
        double threshold;
    } defs[] = {
        /* the names `tshoot watch` raises and `tshoot rules alerts` writes */
        { "TshootFilesystemNearlyFull", "used > 80%", 80 },
        { "TshootFilesystemNearlyFull{severity=critical}", "used > 95%", 95 },
        { "TshootFilesystemPredictedFull", "predicted full within 24h (linear over 1-6h)", -1 },
    };
    m->n_gaps = ELEMENTSOF(defs);
    bool existed = best ? alert_existed(m, best) : false;
    for (size_t g = 0; g < ELEMENTSOF(defs); g++) {
        struct rp_gap *gap = &m->gaps[g];
        gap->name = defs[g].name;
        gap->cond = defs[g].cond;
        gap->fires = TS_TIME_NONE;
        gap->existed = existed;
        gap->subject = best ? dup_text(c, best) : NULL;
    }
    if (!best) return;
    size_t first = 0, n = 0;
    for (size_t i = 0; i < m->n_fs; i++)
        if (streq(m->fs[i].subject, best)) {
            if (!n) first = i;
            n++;
        }
    const struct rp_fs_point *pts = &m->fs[first];
    char buf[256];
    for (size_t g = 0; g < 2; g++)
        for (size_t i = 0; i < n; i++)
            if (pts[i].pct >= defs[g].threshold) {
                m->gaps[g].fires = pts[i].t;
                snprintf(buf, sizeof buf, "%.0f%% at this time (%s)", pts[i].pct, pts[i].source);
                m->gaps[g].basis = dup_text(c, buf);
                break;
            }
    /* Predicted full: slope from the earliest point in the 6 h before each
     * point (or the previous point when none), as predict_linear would. */
    for (size_t i = 1; i < n; i++) {
        size_t j = i - 1;
        for (size_t k = 0; k < i; k++)
            if (pts[i].t - pts[k].t <= 6 * HOUR_NS) {
                j = k;
                break;
            }
        double dt = (double)(pts[i].t - pts[j].t) / TS_NSEC_PER_SEC;
        /* a slope needs an hour of history to be worth a page */
        if (dt < 3600 && pts[i].pct < 100) continue;
        if (dt <= 0) continue;
        double slope = (pts[i].pct - pts[j].pct) / dt; /* % per second */
        if (pts[i].pct >= 100 || (slope > 0 && (100 - pts[i].pct) / slope <= 86400)) {
            char d[32];
            double left = slope > 0 ? (100 - pts[i].pct) / slope : 0;
            m->gaps[2].fires = pts[i].t;
            snprintf(buf, sizeof buf, "%.0f%% rising %.1f%%/h: full in %s", pts[i].pct,
                     slope * 3600, rp_fmt_dur((int64_t)(left * TS_NSEC_PER_SEC), d, sizeof d));
            m->gaps[2].basis = dup_text(c, buf);
            break;
        }
    }
    if (n < 2) m->gaps[2].basis = dup_text(c, "one sample only: no growth rate");
}

/* The built-in conditions become events on the timeline. */
/* The 80%, 95% and full milestones of the filesystem that got fullest,
 * from its fill points, when the diagnosis' timeline does not carry them. */
static void add_fill_milestones(struct ctx *c)
{
    struct rp_model *m = c->m;
    const char *subject = m->gaps[0].subject;
    if (!subject) return;
    static const double thresholds[] = { 80, 95, 100 };
    char buf[600];
    size_t n_events = m->n_events;
    for (size_t k = 0; k < ELEMENTSOF(thresholds); k++) {
        const struct rp_fs_point *p = NULL;
        for (size_t i = 0; i < m->n_fs && !p; i++)
            if (streq(m->fs[i].subject, subject) && m->fs[i].pct >= thresholds[k]) p = &m->fs[i];
        if (!p) continue;
        bool have = false;
        for (size_t i = 0; i < n_events; i++)
            if (streq(m->events[i].kind, "fs_milestone") && m->events[i].when.t <= p->t &&
                strstr(m->events[i].text, subject))
                have = have || m->events[i].when.t == p->t;
        if (have) continue;
        struct rp_event *e = &m->events[m->n_events++];
        e->when = (struct rp_time){ .t = p->t, .has_zone = true };
        e->source = dup_text(c, "tshoot (fill samples)");
        e->kind = dup_text(c, "fs_milestone");
        if (thresholds[k] >= 100)
            snprintf(buf, sizeof buf, "%s full (%s)", subject, p->source);
        else
            snprintf(buf, sizeof buf, "%s reached %.0f%% (%s)", subject, thresholds[k], p->source);
        e->text = dup_text(c, buf);
        e->derived = true;
    }
}

static void add_gap_events(struct ctx *c)
{
    struct rp_model *m = c->m;
    char buf[256];
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        if (gap->fires == TS_TIME_NONE || gap->existed) continue;
        struct rp_event *e = &m->events[m->n_events++];
        e->when = (struct rp_time){ .t = gap->fires, .has_zone = true };
        e->source = dup_text(c, "tshoot (alert evaluation)");
        e->kind = dup_text(c, "alert");
        snprintf(buf, sizeof buf, "%s on %s would have fired (no such alert existed)", gap->name,
                 gap->subject ? gap->subject : "?");
        e->text = dup_text(c, buf);
        e->derived = true;
    }
}

static void add_str(struct ctx *c, char ***arr, size_t *n, size_t max, const char *s)
{
    if (*n >= max) return;
    if (!*arr) {
        *arr = alloc_array(c, max, sizeof **arr);
        if (!*arr) return;
    }
    char *d = strdup(s);
    if (!d) {
        c->oom = 1;
        return;
    }
    cap_text(d, RP_MAX_TEXT);
    (*arr)[(*n)++] = d;
}

static void add_action(struct ctx *c, int prio, const char *what, const char *from)
{
    struct rp_model *m = c->m;
    if (!what || !*what || m->n_actions >= RP_MAX_ACTIONS) return;
    for (size_t i = 0; i < m->n_actions; i++)
        if (streq(m->actions[i].what, what)) return;
    struct rp_action *a = &m->actions[m->n_actions++];
    a->prio = prio;
    a->what = strdup(what);
    a->from = strdup(from);
    if (!a->what || !a->from) c->oom = 1;
}

static int cmp_action(const void *a, const void *b)
{
    const struct rp_action *x = a, *y = b;
    return x->prio - y->prio;
}

/* Only logs can be asked to carry timestamps: configuration, objects and
 * notes have none by nature. */
static bool untimed_is_log(const struct rp_model *m, const char *path)
{
    for (size_t i = 0; i < m->n_sources; i++)
        if (streq(m->sources[i].path, path)) return streq(m->sources[i].kind, "log");
    return startswith(path, "logs/") != NULL;
}

static void build_actions(struct ctx *c)
{
    struct rp_model *m = c->m;
    char buf[1024];
    m->actions = alloc_array(c, RP_MAX_ACTIONS, sizeof *m->actions);
    m->rules = alloc_array(c, RP_MAX_RULES, sizeof *m->rules);
    if (!m->actions || !m->rules) return;
    for (size_t k = 0; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        bool win = k == 0;
        snprintf(buf, sizeof buf, "hypothesis %s", h->id);
        if (win && h->mitigation) add_action(c, 0, h->mitigation, buf);
        if (h->fix) add_action(c, win ? 1 : 3, h->fix, buf);
        for (size_t i = 0; i < h->n_rules; i++) {
            const struct rp_rule *r = &h->rules[i];
            bool dup = false;
            for (size_t j = 0; j < m->n_rules; j++)
                if (streq(m->rules[j].alert, r->alert)) dup = true;
            if (dup || m->n_rules >= RP_MAX_RULES) continue;
            m->rules[m->n_rules++] = *r;
            char what[1024];
            snprintf(what, sizeof what, "Add the alert %s (for %s): %s", r->alert,
                     *r->for_ ? r->for_ : "0m", r->why);
            add_action(c, win ? 1 : 3, what, buf);
        }
        if (win)
            for (size_t i = 0; i < h->n_checks; i++) {
                char what[1024];
                snprintf(what, sizeof what, "Add to the runbook: %s (%s)", h->checks[i].cmd,
                         h->checks[i].why);
                add_action(c, 2, what, buf);
            }
    }
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        if (gap->fires == TS_TIME_NONE || gap->existed) continue;
        snprintf(buf, sizeof buf, "Monitor %s inside its container: %s (%s)",
                 gap->subject ? gap->subject : "the filesystem", gap->cond, gap->name);
        add_action(c, 1, buf, "detection gaps");
        break;
    }
    for (size_t i = 0; i < m->n_untimed; i++) {
        if (!untimed_is_log(m, m->untimed[i])) continue;
        snprintf(buf, sizeof buf, "Make %s carry timestamps so it can be correlated",
                 m->untimed[i]);
        add_action(c, 3, buf, "untimed sources");
    }
    qsort(m->actions, m->n_actions, sizeof *m->actions, cmp_action);
}

static void build_factors(struct ctx *c)
{
    struct rp_model *m = c->m;
    char buf[1024], t1[48], d1[32];
    if (m->n_hyps) {
        const struct rp_hyp *h = &m->hyps[0];
        if (h->n_chain) {
            snprintf(buf, sizeof buf, "Load that grew without a bound checked against capacity: %s",
                     h->chain[0]);
            add_str(c, &m->factors, &m->n_factors, 32, buf);
        }
        for (size_t i = 0; i < h->n_arithmetic; i++)
            add_str(c, &m->factors, &m->n_factors, 32, h->arithmetic[i]);
    }
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        if (gap->fires == TS_TIME_NONE || gap->existed) continue;
        if (m->start != TS_TIME_NONE && gap->fires <= m->start)
            snprintf(buf, sizeof buf,
                     "No alert watched %s: the condition \"%s\" held from %s, %s before the "
                     "first user-facing error",
                     gap->subject, gap->cond, rp_fmt_time(gap->fires, t1, sizeof t1),
                     rp_fmt_dur(m->start - gap->fires, d1, sizeof d1));
        else
            snprintf(buf, sizeof buf, "No alert watched %s (\"%s\" held from %s)", gap->subject,
                     gap->cond, rp_fmt_time(gap->fires, t1, sizeof t1));
        add_str(c, &m->factors, &m->n_factors, 32, buf);
        break;
    }
    if (m->first_alert != TS_TIME_NONE && m->start != TS_TIME_NONE && m->first_alert >= m->start) {
        snprintf(buf, sizeof buf,
                 "The first alert that fired (%s, %s after the first error) reported the symptom, "
                 "not the cause",
                 m->first_alert_text, rp_fmt_dur(m->first_alert - m->start, d1, sizeof d1));
        add_str(c, &m->factors, &m->n_factors, 32, buf);
    } else if (m->first_alert == TS_TIME_NONE) {
        add_str(c, &m->factors, &m->n_factors, 32,
                "No alert firing was found in the evidence for this incident");
    }
    for (size_t i = 0; i < m->n_events; i++) {
        const struct rp_event *e = &m->events[i];
        if (!streq(e->kind, "deploy") || m->start == TS_TIME_NONE || e->when.t < m->start ||
            e->when.t > m->end)
            continue;
        snprintf(buf, sizeof buf,
                 "A change during the incident (%s, %s) was a plausible suspect; the errors had "
                 "begun %s earlier",
                 e->text, rp_fmt_time(e->when.t, t1, sizeof t1),
                 rp_fmt_dur(e->when.t - m->start, d1, sizeof d1));
        add_str(c, &m->factors, &m->n_factors, 32, buf);
    }
    size_t untimed_logs = 0;
    for (size_t i = 0; i < m->n_untimed; i++)
        if (untimed_is_log(m, m->untimed[i])) untimed_logs++;
    if (untimed_logs) {
        snprintf(buf, sizeof buf,
                 "%zu log(s) carry no timestamps and could not be placed on the timeline",
                 untimed_logs);
        add_str(c, &m->factors, &m->n_factors, 32, buf);
    }
}

static void load_inputs(struct ctx *c, json_t *d)
{
    struct rp_model *m = c->m;
    json_t *in = json_object_get(d, "inputs");
    m->bundle = get_str(c, in, "bundle");
    json_t *a = json_object_get(in, "sources"), *e;
    size_t n = json_is_array(a) ? TS_MIN(json_array_size(a), RP_MAX_SOURCES) : 0;
    m->sources = alloc_array(c, n, sizeof *m->sources);
    for (size_t i = 0; m->sources && i < n; i++) {
        e = json_array_get(a, i);
        if (!json_is_object(e)) continue;
        struct rp_source_info *s = &m->sources[m->n_sources++];
        s->path = get_strz(c, e, "path");
        s->kind = get_strz(c, e, "kind");
        s->lines = (long long)get_num(e, "lines", 0);
        json_t *t = json_object_get(e, "timed");
        s->timed = !json_is_false(t);
    }
    a = json_object_get(in, "unreadable");
    size_t i;
    json_array_foreach(a, i, e)
    {
        if (i >= RP_MAX_SOURCES) break;
        _cleanup_free_ char *p = get_strz(c, e, "path"), *r = get_strz(c, e, "reason");
        if (!p || !r) break;
        char buf[1200];
        snprintf(buf, sizeof buf, "%s: %s", p, r);
        add_str(c, &m->unreadable, &m->n_unreadable, RP_MAX_SOURCES, buf);
    }
    m->untimed =
        get_str_array(c, json_object_get(d, "untimed_sources"), RP_MAX_SOURCES, &m->n_untimed);
    /* A bundle with no timestamps at all: every source is untimed even when
     * the diagnosis did not list them. */
    if (!m->n_untimed && !m->n_events) {
        free(m->untimed);
        m->untimed = NULL;
        for (size_t j = 0; j < m->n_sources; j++)
            add_str(c, &m->untimed, &m->n_untimed, RP_MAX_SOURCES, m->sources[j].path);
    }
}

int rp_model_build(json_t *d, struct rp_model **ret)
{
    if (!json_is_object(d)) return -EINVAL;
    json_t *schema = json_object_get(d, "schema");
    if (!json_is_string(schema) || !startswith(json_string_value(schema), "tshoot.diagnose/"))
        return -EINVAL;
    _cleanup_(rp_model_freep) struct rp_model *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    struct ctx c = { .m = m };
    m->generated_at = get_str(&c, d, "generated_at");
    json_t *hyps = json_object_get(d, "hypotheses");
    m->n_hyps_total = json_is_array(hyps) ? json_array_size(hyps) : 0;
    size_t nh = TS_MIN(m->n_hyps_total, RP_MAX_HYPS);
    m->hyps = alloc_array(&c, nh, sizeof *m->hyps);
    for (size_t i = 0; m->hyps && i < nh; i++) {
        json_t *h = json_array_get(hyps, i);
        if (json_is_object(h)) load_hyp(&c, h, &m->hyps[m->n_hyps++]);
    }
    if (c.oom) return -ENOMEM;
    /* ranked best first, whatever order the input had (stable for ties) */
    if (m->n_hyps > 1) qsort(m->hyps, m->n_hyps, sizeof *m->hyps, cmp_hyp);
    load_services(&c, json_object_get(d, "services"));
    load_events(&c, json_object_get(d, "timeline"));
    load_fs(&c, d);
    if (c.oom) return -ENOMEM;
    for (size_t i = 0; i < m->n_events; i++)
        m->events[i].service = (char *)service_of(m, m->events[i].source);
    qsort(m->fs, m->n_fs, sizeof *m->fs, cmp_fs);
    load_inputs(&c, d);
    build_gaps(&c);
    add_fill_milestones(&c);
    add_gap_events(&c);
    if (c.oom) return -ENOMEM;
    qsort(m->events, m->n_events, sizeof *m->events, cmp_event);
    build_window(m);
    build_spans(&c);
    build_actions(&c);
    build_factors(&c);
    json_t *y = json_object_get(d, "alert_rules_yaml");
    if (json_is_string(y)) {
        m->rules_yaml = redact_dup(json_string_value(y), NULL);
        if (!m->rules_yaml) c.oom = 1;
    }
    if (c.oom) return -ENOMEM;
    *ret = TAKE_PTR(m);
    return 0;
}

struct rp_model *rp_model_free(struct rp_model *m)
{
    if (!m) return NULL;
    free(m->generated_at);
    free(m->bundle);
    for (size_t i = 0; i < m->n_hyps; i++) free_hyp(&m->hyps[i]);
    free(m->hyps);
    for (size_t i = 0; i < m->n_events; i++) {
        free(m->events[i].source);
        free(m->events[i].kind);
        free(m->events[i].text);
    }
    free(m->events);
    for (size_t i = 0; i < m->n_services; i++) {
        free(m->services[i].name);
        free(m->services[i].series);
    }
    free(m->services);
    for (size_t i = 0; i < m->n_spans; i++) free(m->spans[i].source);
    free(m->spans);
    for (size_t i = 0; i < m->n_fs; i++) {
        free(m->fs[i].subject);
        free(m->fs[i].source);
    }
    free(m->fs);
    for (size_t i = 0; i < m->n_gaps; i++) {
        free(m->gaps[i].subject);
        free(m->gaps[i].basis);
    }
    for (size_t i = 0; i < m->n_actions; i++) {
        free(m->actions[i].what);
        free(m->actions[i].from);
    }
    free(m->actions);
    free(m->rules);
    for (size_t i = 0; i < m->n_sources; i++) {
        free(m->sources[i].path);
        free(m->sources[i].kind);
    }
    free(m->sources);
    free_str_array(m->unreadable, m->n_unreadable);
    free_str_array(m->untimed, m->n_untimed);
    free_str_array(m->factors, m->n_factors);
    free(m->rules_yaml);
    free(m);
    return NULL;
}
