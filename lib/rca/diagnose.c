/* SPDX-License-Identifier: MIT */
/*
 * diagnose.c: from evidence to ranked hypotheses.
 *
 * Scoring: each matched signal contributes its weight (a little more when it
 * repeats); signals combine as a noisy-OR, contradicting signals scale the
 * score down. Rules of one category merge into one hypothesis. Then causal
 * reasoning: a cause category that explains a symptom category present in
 * the same evidence takes credit for it (more when it came first) and the
 * symptom loses weight, so "502 from nginx" ranks below the full disk that
 * produced it. Many services failing together add a common-cause note.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/redact.h"
#include "rca/diagnose.h"
#include "rca/internal.h"
#include "host/collect.h"
#include "logs/logs.h"
#include "logs/query.h"

#define PAGE 4096.0

uint64_t tmpfs_capacity_files(uint64_t size_bytes, double avg_file_bytes)
{
    double pages_per_file = avg_file_bytes <= 0 ? 1 : ceil(avg_file_bytes / PAGE);
    if (pages_per_file < 1) pages_per_file = 1;
    return (uint64_t)((double)size_bytes / PAGE / pages_per_file);
}

uint64_t steady_state_files(double rate_per_min, int64_t retention_ns)
{
    if (rate_per_min <= 0 || retention_ns <= 0) return 0;
    return (uint64_t)llround(rate_per_min * ((double)retention_ns / 60e9));
}

struct sig_eval {
    int matched;
    double w;
    uint64_t count;
    const struct ev_hit *hit; /* log signals */
    char *ref, *text;         /* structured signals (owned) */
    ts_time_t time;
    const char *kind;
    double sev; /* findings: severity factor */
};

struct hyp {
    int cat;
    size_t rule; /* best rule */
    double raw, score;
    ts_time_t first_time;
    uint64_t first_seq;
    int first_source;
    int symptom;
    json_t *extra_ev; /* notes added by reasoning */
    json_t *arith;
    json_t *chain_extra;
    char *subject;
    int fs_index; /* snapshot filesystem behind it, -1 */
    double adj;   /* score plus a tie-break for more matched signals */
};

static double w_eff(double w, uint64_t count)
{
    double f = 0.85 + 0.15 * TS_MIN(1.0, log10((double)count + 1.0));
    return w * f;
}

static int cmp_op(const char *op, double a, double b)
{
    if (streq(op, "<")) return a < b;
    if (streq(op, "<=")) return a <= b;
    if (streq(op, ">")) return a > b;
    if (streq(op, ">=")) return a >= b;
    if (streq(op, "==")) return a == b;
    return a != b;
}

static int fs_matches(const struct kb_signal *s, const struct ev_fs *f)
{
    if (s->fstype && !streq_ptr(s->fstype, f->fstype)) return 0;
    if (s->min_used_pct >= 0 && !(f->used_pct >= s->min_used_pct)) return 0;
    if (s->min_inodes_pct >= 0 && !(f->inodes_pct >= s->min_inodes_pct)) return 0;
    if (s->readonly && !f->readonly) return 0;
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* pattern id per (rule, signal) */
struct sigmap {
    int32_t **sig;
    int32_t **against;
};

static void eval_signal(struct ev *e, const struct sigmap *m, size_t r, size_t si, int against,
                        struct sig_eval *out, int *fs_index)
{
    const struct kb_rule *rule = &e->kb->rules[r];
    const struct kb_signal *s = against ? &rule->against[si] : &rule->signals[si];
    memset(out, 0, sizeof *out);
    out->time = TS_TIME_NONE;
    switch (s->type) {
    case KB_SIG_LOG: {
        const struct ev_hit *h;
        if (s->capture && !against)
            h = &e->sig[r][si];
        else {
            int32_t id = against ? m->against[r][si] : m->sig[r][si];
            h = id >= 0 ? &e->pat[id] : NULL;
        }
        if (h && h->count) {
            out->matched = 1;
            out->count = h->count;
            out->hit = h;
        }
        break;
    }
    case KB_SIG_FINDING:
        for (size_t i = 0; i < e->n_find; i++) {
            if (!streq_ptr(e->find[i].id, s->finding)) continue;
            if (s->fstype) {
                int ok = 0;
                for (size_t j = 0; j < e->n_fs; j++)
                    if (e->find[i].subject && streq_ptr(e->fs[j].mountpoint, e->find[i].subject) &&
                        streq_ptr(e->fs[j].fstype, s->fstype))
                        ok = 1;
                if (!ok) continue;
            }
            if (!out->matched) {
                out->ref = strdup(e->find[i].ref);
                if (asprintf(&out->text, "finding %s (%s): %s", e->find[i].id,
                             e->find[i].severity ? e->find[i].severity : "?",
                             e->find[i].message ? e->find[i].message : "") < 0)
                    out->text = NULL;
                out->kind = "snapshot";
            }
            out->matched = 1;
            out->count++;
            /* a warning is a condition, a critical finding a failure */
            const char *sev = e->find[i].severity;
            double f = !sev || streq(sev, "critical") ? 1.0 : streq(sev, "warning") ? 0.7 : 0.4;
            if (f > out->sev) out->sev = f;
        }
        break;
    case KB_SIG_FILESYSTEM:
        for (size_t i = 0; i < e->n_fs; i++) {
            const struct ev_fs *f = &e->fs[i];
            if (!fs_matches(s, f)) continue;
            if (!out->matched) {
                out->ref = strdup(f->ref);
                if (asprintf(&out->text,
                             "%s (%s%s%s) %.0f%% used, %.0f%% inodes used, %.1f MiB of %.1f MiB%s",
                             f->mountpoint, f->fstype ? f->fstype : "?", f->subject ? " in " : "",
                             f->subject ? f->subject : "", f->used_pct, f->inodes_pct,
                             f->used / 1048576.0, f->size / 1048576.0,
                             f->readonly ? ", read-only" : "") < 0)
                    out->text = NULL;
                out->kind = "snapshot";
                if (fs_index && *fs_index < 0) *fs_index = (int)i;
            }
            out->matched = 1;
            out->count++;
        }
        break;
    case KB_SIG_METRIC: {
        /* distinct series (label sets) meeting the comparison */
        unsigned n = 0;
        const struct ev_metric *first = NULL;
        const char **labels = calloc(e->n_met + 1, sizeof(char *));
        size_t nl = 0;
        for (size_t i = 0; labels && i < e->n_met; i++) {
            const struct ev_metric *mt = &e->met[i];
            if (!streq(mt->name, s->metric) || !cmp_op(s->op, mt->value, s->value)) continue;
            labels[nl++] = mt->labels ? mt->labels : "";
            if (!first) first = mt;
        }
        if (labels && nl) {
            qsort(labels, nl, sizeof(char *), cmp_str);
            for (size_t i = 0; i < nl; i++)
                if (i == 0 || strcmp(labels[i], labels[i - 1]) != 0) n++;
        }
        free(labels);
        if (n >= s->min_series && first) {
            out->matched = 1;
            out->count = n;
            out->ref = strdup(first->ref);
            if (asprintf(&out->text, "%u series with %s %s %g, e.g. %s{%s} = %g", n, s->metric,
                         s->op, s->value, first->name, first->labels ? first->labels : "",
                         first->value) < 0)
                out->text = NULL;
            out->kind = "metric";
            out->time = first->time;
        }
        break;
    }
    }
    if (out->matched) out->w = w_eff(s->weight, out->count) * (out->sev > 0 ? out->sev : 1.0);
}

static void sig_eval_done(struct sig_eval *s)
{
    free(s->ref);
    free(s->text);
}

static json_t *ev_entry(const char *kind, const char *ref, ts_time_t t, const char *text, double w,
                        uint64_t count)
{
    char tb[64];
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:f,s:I}", "kind", kind, "ref", ref ? ref : "", "text",
                  text ? text : "", "weight", round(w * 100) / 100, "count", (json_int_t)count);
    if (o)
        json_object_set_new(o, "time",
                            t == TS_TIME_NONE ? json_null()
                                              : json_string(ts_format(t, 0, tb, sizeof tb)));
    return o;
}

static void add_evidence(json_t *arr, const struct kb_signal *s, const struct sig_eval *ev)
{
    if (ev->hit) {
        for (int i = 0; i < ev->hit->n_samples && i < 2; i++)
            json_array_append_new(arr, ev_entry(ev_kind_evname(ev->hit->kind[i]), ev->hit->ref[i],
                                                ev->hit->time[i], ev->hit->text[i], s->weight,
                                                i == 0 ? ev->count : 1));
    } else
        json_array_append_new(arr, ev_entry(ev->kind ? ev->kind : "note", ev->ref, ev->time,
                                            ev->text, s->weight, ev->count));
    if (s->why && json_array_size(arr)) {
        json_t *last = json_array_get(arr, json_array_size(arr) - 1);
        json_object_set_new(last, "why", json_string(s->why));
    }
}

static int cmp_weight_desc(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "weight"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "weight"));
    return x < y ? 1 : x > y ? -1 : 0;
}

static void sort_evidence(json_t *arr, size_t max)
{
    size_t n = json_array_size(arr);
    if (n < 2) return;
    json_t **v = calloc(n, sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, cmp_weight_desc);
    json_array_clear(arr);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            if (v[j] && json_equal(json_object_get(v[j], "ref"), json_object_get(v[i], "ref")) &&
                json_equal(json_object_get(v[j], "text"), json_object_get(v[i], "text")))
                dup = 1;
        if (!dup && kept < max) {
            kept++;
            json_array_append_new(arr, json_incref(v[i]));
        }
    }
    for (size_t i = 0; i < n; i++) json_decref(v[i]);
    free(v);
}

static int json_array_has(json_t *a, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (json_is_string(x) && streq(json_string_value(x), s)) return 1;
    return 0;
}

static const char *confidence(double s)
{
    return s >= 0.75 ? "high" : s >= 0.45 ? "medium" : "low";
}

/* Did a come before b? 1 yes, 0 no, -1 unknown */
static int precedes(ts_time_t ta, uint64_t sa, int srca, ts_time_t tb, uint64_t sb, int srcb)
{
    if (ta != TS_TIME_NONE && tb != TS_TIME_NONE) return ta <= tb;
    if (srca == srcb && srca >= 0) return sa <= sb;
    return -1;
}

static const char *human_bytes(double b, char *buf, size_t n)
{
    if (b >= 1073741824.0)
        snprintf(buf, n, "%.1f GiB", b / 1073741824.0);
    else if (b >= 1048576.0)
        snprintf(buf, n, "%.0f MiB", b / 1048576.0);
    else
        snprintf(buf, n, "%.0f KiB", b / 1024.0);
    return buf;
}

static const char *human_count(double c, char *buf, size_t n)
{
    if (c >= 10000)
        snprintf(buf, n, "~%.0fk", c / 1000.0);
    else
        snprintf(buf, n, "%.0f", c);
    return buf;
}

/* The expert arithmetic for a filesystem filled by many small files. */
static void tmpfs_arithmetic(struct ev *e, struct hyp *h)
{
    if (h->fs_index < 0) return;
    const struct ev_fs *f = &e->fs[h->fs_index];
    const struct ev_hotspot *hs = NULL;
    for (size_t i = 0; i < e->n_hot; i++)
        if (e->hot[i].fs && streq_ptr(e->hot[i].fs, f->mountpoint) &&
            (!hs || e->hot[i].count > hs->count))
            hs = &e->hot[i];
    char a[64], b[64], c[64], d[64];
    json_t *ar = h->arith;
    int is_tmpfs = f->fstype && streq(f->fstype, "tmpfs");
    double pages = f->size / PAGE;
    if (is_tmpfs)
        json_array_append_new(
            ar, json_sprintf("%s is a %s tmpfs: %.0f pages of 4 KiB; tmpfs charges every "
                             "non-empty file at least one whole page",
                             f->mountpoint, human_bytes(f->size, a, sizeof a), pages));
    if (!hs) return;
    double avg = hs->count > 0 ? hs->bytes / hs->count : 0;
    uint64_t cap = tmpfs_capacity_files((uint64_t)f->size, avg > 0 ? avg : 1);
    json_array_append_new(
        ar, json_sprintf("%s holds %s %s* files (%s, %.0f bytes each on average) written ~%.0f/min",
                         hs->dir ? hs->dir : f->mountpoint, human_count(hs->count, a, sizeof a),
                         hs->prefix ? hs->prefix : "", human_bytes(hs->bytes, b, sizeof b), avg,
                         hs->rate_per_min));
    if (is_tmpfs) {
        json_array_append_new(
            ar,
            json_sprintf("capacity at one page per small file: %s files (%s / 4 KiB)",
                         human_count((double)cap, a, sizeof a), human_bytes(f->size, b, sizeof b)));
        if (hs->count > (double)cap * 1.02)
            json_array_append_new(
                ar, json_sprintf("%.0f files cannot all hold data in %.0f pages: at least "
                                 "%.0f must be empty (0 pages) - writes that failed with "
                                 "ENOSPC after creating the file",
                                 hs->count, pages, hs->count - (double)cap));
    }
    if (hs->rate_per_min > 0) {
        double fill_min = (double)cap / hs->rate_per_min;
        char dur[32];
        json_array_append_new(
            ar, json_sprintf("at %.0f files/min an empty %s fills in %s", hs->rate_per_min,
                             f->mountpoint,
                             ts_format_duration((int64_t)(fill_min * 60e9), dur, sizeof dur)));
        int64_t ret = e->retention_ns;
        if (ret > 0) {
            uint64_t ss = steady_state_files(hs->rate_per_min, ret);
            double ssb = (double)ss * PAGE * TS_MAX(1.0, ceil(avg / PAGE));
            char rs[32];
            json_array_append_new(
                ar,
                json_sprintf(
                    "steady state: %.0f files/min kept %s is %s files, %s: a volume smaller than "
                    "that (e.g. %s) only postpones the outage; cap the retention or the count",
                    hs->rate_per_min, ts_format_duration(ret, rs, sizeof rs),
                    human_count((double)ss, a, sizeof a), human_bytes(ssb, b, sizeof b),
                    human_bytes(ssb * 0.72 > 536870912.0 ? 536870912.0 : ssb / 2, c, sizeof c)));
            json_array_append_new(
                h->chain_extra,
                json_sprintf("%s* files written ~%.0f/min, kept %s (steady state %s)",
                             hs->prefix ? hs->prefix : "", hs->rate_per_min,
                             ts_format_duration(ret, rs, sizeof rs),
                             human_bytes(ssb, d, sizeof d)));
        } else {
            double per_day = hs->rate_per_min * 1440;
            json_array_append_new(
                ar, json_sprintf(
                        "every day adds %s files (%s) unless something deletes them: "
                        "steady state = rate x retention",
                        human_count(per_day, a, sizeof a),
                        human_bytes(per_day * PAGE * TS_MAX(1.0, ceil(avg / PAGE)), b, sizeof b)));
            json_array_append_new(
                h->chain_extra,
                json_sprintf("%s* files written ~%.0f/min and never cleaned up fast enough",
                             hs->prefix ? hs->prefix : "", hs->rate_per_min));
        }
    }
    json_array_append_new(h->chain_extra,
                          json_sprintf("%s (%s %s) full: every new write fails with ENOSPC",
                                       f->mountpoint, human_bytes(f->size, a, sizeof a),
                                       f->fstype ? f->fstype : ""));
}

#define JOURNAL_MAX_RECORDS 2000000
#define JOURNAL_MAX_UNITS   256

struct unit_src {
    char *unit;
    int src;
};

/* The evidence source of a journal unit: "journal/UNIT", service UNIT
 * without ".service"; past JOURNAL_MAX_UNITS units the rest share "journal". */
static int unit_source(struct ev *e, struct unit_src *map, size_t *n, const char *unit)
{
    for (size_t i = 0; i < *n; i++)
        if (streq(map[i].unit, unit)) return map[i].src;
    int full = *n >= JOURNAL_MAX_UNITS;
    if (full) unit = "journal";
    for (size_t i = 0; full && i < *n; i++)
        if (streq(map[i].unit, unit)) return map[i].src;
    _cleanup_free_ char *path = NULL, *svc = strdup(unit);
    if (!svc || asprintf(&path, "journal/%s", unit) < 0) return -ENOMEM;
    size_t l = strlen(svc);
    if (l > 8 && streq(svc + l - 8, ".service")) svc[l - 8] = 0;
    int src = ev_source_add(e, path, svc, EV_LOG);
    if (src < 0) return src;
    if (full && *n > JOURNAL_MAX_UNITS) return src;
    if (!(map[*n].unit = strdup(unit))) return -ENOMEM;
    map[(*n)++].src = src;
    return src;
}

/* A systemd journal (this host's, or the copied one of o) into the
 * evidence from `since`, one source per unit; problems are listed as
 * unreadable. 0 or -ENOMEM. */
static int journal_inputs(struct ev *e, const struct diagnose_opts *o, ts_time_t since)
{
    struct logs_query q;
    logs_query_init(&q);
    q.journal = 1;
    q.journal_dir = o->journal_dir;
    q.journal_files = o->journal_files;
    q.n_journal_files = o->n_journal_files;
    q.unit = o->journal_unit;
    const char *name = o->journal_dir       ? o->journal_dir
                       : o->n_journal_files ? o->journal_files[0]
                                            : "journal";
    struct log_reader_opts lo = { .max_line = e->max_line, .since = since, .until = TS_TIME_NONE };
    _cleanup_(log_reader_freep) struct log_reader *lr = NULL;
    int r = log_reader_new(&lo, &lr);
    if (r < 0) return r;
    r = logs_query_add_journal(lr, &q);
    if (r == -ENOMEM) return r;
    if (r < 0) return ev_unreadable(e, name, strerror(-r));
    struct unit_src map[JOURNAL_MAX_UNITS + 1];
    size_t n_map = 0;
    struct log_record rec;
    uint64_t n = 0;
    while ((r = log_reader_next(lr, &rec)) > 0) {
        if (n >= JOURNAL_MAX_RECORDS) {
            r = ev_unreadable(e, name, "more than 2000000 journal entries: the rest not read");
            break;
        }
        int src = unit_source(e, map, &n_map, rec.source ? rec.source : "journal");
        if (src < 0) {
            r = src;
            break;
        }
        r = ev_line_at(e, src, rec.line, rec.line_len, ++n, rec.time, rec.level);
        if (r < 0) break;
    }
    for (size_t i = 0; i < n_map; i++) free(map[i].unit);
    if (r == -ENOMEM) return r;
    if (r < 0) r = ev_unreadable(e, name, strerror(-r));
    const char *err;
    for (size_t i = 0; r >= 0 && (err = log_reader_error(lr, i)); i++)
        r = ev_unreadable(e, name, err);
    return r;
}

/* The live host: a collect snapshot plus the journal since --since (1 h). */
static int live_inputs(struct ev *e, const struct diagnose_opts *o)
{
    struct collect_opts co = { .root = "/", .budget_ms = 8000 };
    json_t *snap = NULL;
    int r = collect_run(&co, &snap);
    if (r < 0) return r;
    r = ev_add_snapshot(e, snap, "live:collect");
    json_decref(snap);
    if (r < 0) return r;
    return journal_inputs(e, o, o->since_ns > 0 ? o->since_ns : ts_now() - 3600 * TS_NSEC_PER_SEC);
}

static int load_inputs(struct ev *e, const struct diagnose_opts *o, json_t *sources_out)
{
    (void)sources_out;
    int r;
    if (o->bundle) {
        r = bundle_load(e, o->bundle);
        if (r < 0) return r;
    }
    for (size_t i = 0; i < o->n_logs; i++) {
        struct stat st;
        if (stat(o->logs[i], &st) < 0) return -errno;
        if (S_ISDIR(st.st_mode)) {
            r = logs_dir_load(e, o->logs[i]);
            if (r < 0) return r;
            continue;
        }
        _cleanup_free_ char *svc = service_from_path(o->logs[i]);
        r = ev_read_log(e, o->logs[i], o->logs[i], svc);
        if (r == -ENOENT || r == -EACCES) return r;
        if (r < 0 && r != -ENOMEM) {
            char m[128];
            snprintf(m, sizeof m, "%s", strerror(-r));
            ev_unreadable(e, o->logs[i], m);
        } else if (r < 0)
            return r;
    }
    if (o->snapshot) {
        r = ev_add_snapshot(e, o->snapshot, "live");
        if (r < 0) return r;
    }
    if (o->live) {
        r = live_inputs(e, o);
        if (r < 0) return r;
    } else if (o->journal_dir || o->n_journal_files) {
        r = journal_inputs(e, o, o->since_ns > 0 ? o->since_ns : TS_TIME_NONE);
        if (r < 0) return r;
    }
    return ev_add_prometheus(e, o);
}

/* Pods without a /dev/shm volume matter only when /dev/shm is implicated. */
static int shm_facts(struct ev *e)
{
    if (json_array_size(e->notes) == 0) return 0;
    int implicated = 0;
    for (size_t i = 0; i < e->n_fs && !implicated; i++)
        if (e->fs[i].mountpoint && streq(e->fs[i].mountpoint, "/dev/shm") &&
            e->fs[i].used_pct >= 90)
            implicated = 1;
    for (size_t id = _SIG_BUILTIN_MAX; id < sigdb_n_patterns(e->db) && !implicated; id++)
        for (int k = 0; k < e->pat[id].n_samples; k++)
            if (e->pat[id].text[k] && strstr(e->pat[id].text[k], "/dev/shm")) implicated = 1;
    if (!implicated) return 0;
    int src = ev_source_add(e, "k8s (pod specs)", "", EV_K8S);
    if (src < 0) return src;
    size_t i;
    json_t *n;
    json_array_foreach(e->notes, i, n)
    {
        int r = ev_fact(e, src, json_string_value(json_object_get(n, "text")), TS_TIME_NONE,
                        json_string_value(json_object_get(n, "ref")));
        if (r < 0) return r;
    }
    return 0;
}

static json_t *sources_json(struct ev *e)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->n_src; i++)
        json_array_append_new(a,
                              json_pack("{s:s,s:s,s:I,s:b}", "path", e->src[i].path, "kind",
                                        ev_kind_name(e->src[i].kind), "lines",
                                        (json_int_t)e->src[i].lines, "timed", e->src[i].timed > 0));
    return a;
}

static int cmp_time_json(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "time"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "time"));
    if (!x && !y) return 0;
    if (!x) return 1;
    if (!y) return -1;
    return strcmp(x, y);
}

static void sort_by_time(json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2) return;
    json_t **v = calloc(n, sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, cmp_time_json);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, v[i]);
    free(v);
}

static int cmp_hyp(const void *a, const void *b)
{
    const struct hyp *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->cat - y->cat;
}

struct svc_stat {
    const char *name;
    ts_time_t first;
    uint64_t errors;
    int failing;
};

int diagnose_run(const struct diagnose_opts *o, json_t **ret)
{
    if (!o->bundle && o->n_logs == 0 && !o->live && !o->snapshot && !o->journal_dir &&
        !o->n_journal_files)
        return -EINVAL;
    /* A long-running caller (tshoot mcp) passes the rules it keeps loaded
     * and compiled; everyone else gets them loaded here. */
    _cleanup_(kb_freep) struct kb *own_kb = NULL;
    _cleanup_(sigdb_freep) struct sigdb *own_db = NULL;
    const struct kb *kb = o->kb;
    struct sigdb *db = o->sigdb;
    _cleanup_free_ char *dberr = NULL;
    int r;
    if (!kb || !db) {
        const char *dirs[2] = { o->builtin_rules_dir, o->rules_dir };
        if (!dirs[0]) dirs[0] = kb_default_dir();
        /* no built-in directory: the rules embedded in the binary */
        r = dirs[0] ? kb_load(dirs, 2, &own_kb) : kb_load_builtin(dirs + 1, 1, &own_kb);
        if (r < 0) return r;
        if (own_kb->n_rules == 0) return -EINVAL;
        r = sigdb_build(own_kb, &own_db, &dberr);
        if (r < 0) return r;
        kb = own_kb;
        db = own_db;
    }
    if (kb->n_rules == 0) return -EINVAL;

    struct ev e;
    r = ev_init(&e, kb, db);
    if (r < 0) {
        ev_done(&e);
        return r;
    }
    if (o->max_line) e.max_line = o->max_line;
    if (o->max_bytes) e.max_bytes = o->max_bytes;
    if (o->since_ns > 0) e.since = o->since_ns;
    r = load_inputs(&e, o, NULL);
    if (r < 0) {
        ev_done(&e);
        return r;
    }
    r = shm_facts(&e);
    if (r < 0) {
        ev_done(&e);
        return r;
    }

    /* map (rule, signal) -> pattern id */
    struct sigmap m = { calloc(kb->n_rules + 1, sizeof(int32_t *)),
                        calloc(kb->n_rules + 1, sizeof(int32_t *)) };
    struct hyp *hy = calloc(kb_n_categories, sizeof *hy);
    json_t **evid = calloc(kb_n_categories, sizeof(json_t *));
    json_t **against = calloc(kb_n_categories, sizeof(json_t *));
    r = -ENOMEM;
    if (!m.sig || !m.against || !hy || !evid || !against) goto out;
    for (size_t i = 0; i < kb->n_rules; i++) {
        m.sig[i] = malloc((kb->rules[i].n_signals + 1) * sizeof(int32_t));
        m.against[i] = malloc((kb->rules[i].n_against + 1) * sizeof(int32_t));
        if (!m.sig[i] || !m.against[i]) goto out;
        for (size_t s = 0; s < kb->rules[i].n_signals; s++) m.sig[i][s] = -1;
        for (size_t s = 0; s < kb->rules[i].n_against; s++) m.against[i][s] = -1;
    }
    for (size_t id = 0; id < sigdb_n_patterns(db); id++) {
        const struct sig_pattern *p = sigdb_pattern(db, id);
        for (size_t u = 0; u < p->n_uses; u++) {
            if (p->uses[u].against)
                m.against[p->uses[u].rule][p->uses[u].signal] = (int32_t)id;
            else
                m.sig[p->uses[u].rule][p->uses[u].signal] = (int32_t)id;
        }
    }
    for (size_t c = 0; c < kb_n_categories; c++) {
        hy[c].cat = (int)c;
        hy[c].rule = SIZE_MAX;
        hy[c].first_time = TS_TIME_NONE;
        hy[c].first_seq = UINT64_MAX;
        hy[c].first_source = -1;
        hy[c].fs_index = -1;
        hy[c].symptom = kb_category_is_symptom(kb_categories[c]);
        evid[c] = json_array();
        against[c] = json_array();
        hy[c].extra_ev = json_array();
        hy[c].arith = json_array();
        hy[c].chain_extra = json_array();
        if (!evid[c] || !against[c] || !hy[c].extra_ev || !hy[c].arith || !hy[c].chain_extra)
            goto out;
    }

    /* score every rule, keep the best per category */
    double *second = calloc(kb_n_categories, sizeof(double));
    if (!second) goto out;
    for (size_t ri = 0; ri < kb->n_rules; ri++) {
        const struct kb_rule *rule = &kb->rules[ri];
        if (kb_category_index(rule->category) < 0) continue;
        size_t c = (size_t)kb_category_index(rule->category);
        double miss = 1.0;
        int any = 0, fs_index = -1, nm = 0;
        ts_time_t ft = TS_TIME_NONE;
        uint64_t fseq = UINT64_MAX;
        int fsrc = -1;
        json_t *ev_local = json_array();
        json_t *ag_local = json_array();
        for (size_t s = 0; s < rule->n_signals; s++) {
            struct sig_eval se;
            eval_signal(&e, &m, ri, s, 0, &se, &fs_index);
            if (se.matched) {
                any = 1;
                nm++;
                miss *= 1.0 - se.w;
                add_evidence(ev_local, &rule->signals[s], &se);
                ts_time_t t = se.hit ? se.hit->first_time : se.time;
                if (t != TS_TIME_NONE && (ft == TS_TIME_NONE || t < ft)) ft = t;
                if (se.hit && se.hit->first_seq < fseq) {
                    fseq = se.hit->first_seq;
                    fsrc = se.hit->first_source;
                }
            }
            sig_eval_done(&se);
        }
        double score = any ? 1.0 - miss : 0;
        for (size_t s = 0; any && s < rule->n_against; s++) {
            struct sig_eval se;
            eval_signal(&e, &m, ri, s, 1, &se, NULL);
            if (se.matched) {
                score *= 1.0 - rule->against[s].weight;
                add_evidence(ag_local, &rule->against[s], &se);
            }
            sig_eval_done(&se);
        }
        double adj = score + 0.002 * (double)nm;
        if (!any || adj <= hy[c].adj) {
            if (any && score > second[c]) second[c] = score;
            if (any) {
                /* supporting evidence of a weaker rule of the category still counts */
                size_t n = json_array_size(ev_local);
                for (size_t i = 0; i < n && i < 2; i++)
                    json_array_append(evid[c], json_array_get(ev_local, i));
            }
            json_decref(ev_local);
            json_decref(ag_local);
            continue;
        }
        if (hy[c].raw > second[c]) second[c] = hy[c].raw;
        hy[c].raw = score;
        hy[c].adj = adj;
        hy[c].rule = ri;
        hy[c].symptom = hy[c].symptom || rule->symptom;
        hy[c].fs_index = fs_index;
        if (ft != TS_TIME_NONE) hy[c].first_time = ft;
        hy[c].first_seq = fseq;
        hy[c].first_source = fsrc;
        json_t *old = evid[c];
        evid[c] = ev_local;
        json_array_extend(evid[c], old);
        json_decref(old);
        json_decref(against[c]);
        against[c] = ag_local;
    }
    for (size_t c = 0; c < kb_n_categories; c++) {
        /* a second independent rule of the same category adds a little */
        hy[c].score = 1.0 - (1.0 - hy[c].raw) * (1.0 - 0.3 * second[c]);
    }
    free(second);

    /* causal reasoning between categories */
    double *delta = calloc(kb_n_categories, sizeof(double));
    double *factor = calloc(kb_n_categories, sizeof(double));
    if (!delta || !factor) {
        free(delta);
        free(factor);
        goto out;
    }
    for (size_t s = 0; s < kb_n_categories; s++) factor[s] = 1.0;
    for (size_t c = 0; c < kb_n_categories; c++) {
        if (hy[c].rule == SIZE_MAX || hy[c].score < 0.2) continue;
        const struct kb_rule *cr = &kb->rules[hy[c].rule];
        for (size_t s = 0; s < kb_n_categories; s++) {
            if (s == c || hy[s].rule == SIZE_MAX || hy[s].score <= 0) continue;
            int explicit_ = 0;
            for (size_t k = 0; k < cr->n_explains; k++)
                if (streq(cr->explains[k], kb_categories[s])) explicit_ = 1;
            int generic = hy[s].symptom && !hy[c].symptom;
            if (!explicit_ && !generic) continue;
            int pre = precedes(hy[c].first_time, hy[c].first_seq, hy[c].first_source,
                               hy[s].first_time, hy[s].first_seq, hy[s].first_source);
            double order = pre == 1 ? 1.0 : pre == 0 ? 0.5 : 0.75;
            double credit = hy[s].score * (explicit_ ? 0.35 : 0.12) * order;
            delta[c] += (1.0 - hy[c].score) * credit;
            double demote = hy[c].score * (explicit_ ? 0.55 : 0.25) * (pre == 0 ? 0.6 : 1.0);
            factor[s] *= 1.0 - demote;
            if (explicit_ || generic) {
                char txt[512];
                snprintf(txt, sizeof txt, "%s explains the %s symptoms seen%s", kb_categories[c],
                         kb_categories[s],
                         pre == 1   ? " (it came first)"
                         : pre == 0 ? " (though they appear earlier)"
                                    : "");
                json_array_append_new(hy[c].extra_ev,
                                      ev_entry("note", "reasoning", TS_TIME_NONE, txt, credit, 1));
                snprintf(txt, sizeof txt, "%s is explained by %s (score %.2f), which %s",
                         kb_categories[s], kb_categories[c], hy[c].score,
                         pre == 1   ? "appears first"
                         : pre == 0 ? "appears later"
                                    : "has no ordering");
                json_array_append_new(against[s],
                                      ev_entry("note", "reasoning", TS_TIME_NONE, txt, demote, 1));
            }
        }
    }
    for (size_t c = 0; c < kb_n_categories; c++) hy[c].score = (hy[c].score + delta[c]) * factor[c];
    free(delta);
    free(factor);

    /* order */
    struct hyp *order = calloc(kb_n_categories, sizeof *order);
    if (!order) goto out;
    memcpy(order, hy, kb_n_categories * sizeof *order);
    qsort(order, kb_n_categories, sizeof *order, cmp_hyp);

    /* services and timeline */
    json_t *doc = json_object();
    json_t *services = json_array();
    json_t *timeline = json_array();
    json_t *untimed = json_array();
    struct svc_stat *ss = calloc(e.n_src + 1, sizeof *ss);
    size_t n_ss = 0;
    if (!doc || !services || !timeline || !untimed || !ss) {
        json_decref(doc);
        json_decref(services);
        json_decref(timeline);
        json_decref(untimed);
        free(ss);
        free(order);
        goto out;
    }
    for (size_t i = 0; i < e.n_src; i++) {
        struct ev_source *s = &e.src[i];
        if (s->timed == 0 && s->lines > 0) json_array_append_new(untimed, json_string(s->path));
        if (s->first_error_text)
            ev_timeline(&e, s->first_error_time, s->path, "first_error", s->first_error_text);
        if (s->first_http_text) {
            char t[600];
            snprintf(t, sizeof t, "first HTTP error (%llu 4xx, %llu 5xx in total): %s",
                     (unsigned long long)s->http_4xx, (unsigned long long)s->http_5xx,
                     s->first_http_text);
            ev_timeline(&e, s->first_http_time, s->path, "spike", t);
        }
        if (!s->service[0] || s->kind == EV_SNAPSHOT) continue;
        size_t j;
        for (j = 0; j < n_ss; j++)
            if (streq(ss[j].name, s->service)) break;
        if (j == n_ss) {
            ss[n_ss].name = s->service;
            ss[n_ss].first = TS_TIME_NONE;
            n_ss++;
        }
        ss[j].errors += s->errors + s->http_4xx + s->http_5xx;
        ts_time_t fa = s->first_error_time;
        if (s->first_http_time != TS_TIME_NONE && (fa == TS_TIME_NONE || s->first_http_time < fa))
            fa = s->first_http_time;
        if (fa != TS_TIME_NONE && (ss[j].first == TS_TIME_NONE || fa < ss[j].first))
            ss[j].first = fa;
        if (s->errors + s->http_4xx + s->http_5xx > 0) ss[j].failing = 1;
    }
    size_t n_failing = 0;
    for (size_t j = 0; j < n_ss; j++) {
        char tb[64];
        json_t *so = json_pack("{s:s,s:I}", "name", ss[j].name, "errors", (json_int_t)ss[j].errors);
        json_object_set_new(so, "first_anomaly",
                            ss[j].first == TS_TIME_NONE
                                ? json_null()
                                : json_string(ts_format(ss[j].first, 0, tb, sizeof tb)));
        json_array_append_new(services, so);
        if (ss[j].failing) n_failing++;
    }
    json_array_extend(timeline, e.timeline);
    sort_by_time(timeline);

    /* hypotheses */
    json_t *hyps = json_array();
    size_t shown = 0;
    for (size_t i = 0; i < kb_n_categories && shown < 10; i++) {
        struct hyp *h = &order[i];
        if (h->rule == SIZE_MAX || h->score < 0.05) continue;
        const struct kb_rule *rule = &kb->rules[h->rule];
        size_t c = (size_t)h->cat;
        if (i == 0 || shown == 0) tmpfs_arithmetic(&e, h);
        json_t *ho = json_object();
        json_object_set_new(ho, "id", json_string(rule->id));
        json_object_set_new(ho, "category", json_string(rule->category));
        json_object_set_new(ho, "title", json_string(rule->title));
        json_object_set_new(ho, "score", json_real(round(TS_MIN(1.0, h->score) * 1000) / 1000));
        json_object_set_new(ho, "confidence", json_string(confidence(h->score)));
        /* subject: the filesystem, or the service where the evidence is */
        char subj[512] = "";
        if (h->fs_index >= 0) {
            const struct ev_fs *f = &e.fs[h->fs_index];
            snprintf(subj, sizeof subj, "%s%s%s", f->mountpoint, f->subject ? " in " : "",
                     f->subject ? f->subject : "");
        } else if (h->first_source >= 0 && (size_t)h->first_source < e.n_src) {
            const struct ev_source *s = &e.src[h->first_source];
            snprintf(subj, sizeof subj, "%s (%s)", s->service[0] ? s->service : s->path, s->path);
        }
        json_object_set_new(ho, "subject", json_string(subj));
        json_t *evs = json_array();
        json_array_extend(evs, evid[c]);
        json_array_extend(evs, h->extra_ev);
        sort_evidence(evs, 10);
        json_object_set_new(ho, "evidence", evs);
        sort_evidence(against[c], 6);
        json_object_set_new(ho, "against", json_incref(against[c]));
        json_t *chain = json_array();
        json_array_extend(chain, h->chain_extra);
        /* The evidence-specific steps end in "X full: every new write fails
         * with ENOSPC": the rule's generic steps up to its own ENOSPC step say
         * the same again, so the chain goes on after that step (unless it is
         * the rule's last one). */
        size_t from = 0;
        if (json_array_size(h->chain_extra))
            for (size_t k = 0; k + 1 < rule->n_chain; k++)
                if (strstr(rule->chain[k], "ENOSPC")) {
                    from = k + 1;
                    break;
                }
        for (size_t k = from; k < rule->n_chain; k++)
            json_array_append_new(chain, json_string(rule->chain[k]));
        json_object_set_new(ho, "chain", chain);
        json_object_set_new(ho, "arithmetic", json_incref(h->arith));
        /* blast radius: services that failed at or after the first evidence */
        json_t *blast = json_array();
        for (size_t j = 0; j < n_ss; j++)
            if (ss[j].failing && !json_array_has(blast, ss[j].name) &&
                (h->first_time == TS_TIME_NONE || ss[j].first == TS_TIME_NONE ||
                 ss[j].first >= h->first_time - 60 * TS_NSEC_PER_SEC))
                json_array_append_new(blast, json_string(ss[j].name));
        for (size_t k = 0; k < e.n_edges; k++) {
            int have = 0;
            for (size_t b = 0; b < json_array_size(blast); b++)
                if (streq(json_string_value(json_array_get(blast, b)), e.edges[k].from)) have = 1;
            if (!have && subj[0] && strstr(subj, e.edges[k].to))
                json_array_append_new(blast, json_string(e.edges[k].from));
        }
        json_object_set_new(ho, "blast_radius", blast);
        json_t *checks = json_array();
        for (size_t k = 0; k < rule->n_checks; k++)
            json_array_append_new(checks,
                                  json_pack("{s:s,s:s}", "cmd", rule->checks[k].cmd, "why",
                                            rule->checks[k].why ? rule->checks[k].why : ""));
        json_object_set_new(ho, "next_checks", checks);
        json_object_set_new(ho, "mitigation",
                            json_string(rule->mitigation ? rule->mitigation : ""));
        json_object_set_new(ho, "fix", json_string(rule->fix ? rule->fix : ""));
        json_t *prev = json_array();
        for (size_t k = 0; k < rule->n_prevention; k++) {
            const struct kb_alert *p = &rule->prevention[k];
            json_array_append_new(prev, json_pack("{s:s,s:s,s:s,s:s}", "alert", p->alert, "expr",
                                                  p->expr, "for", p->for_ ? p->for_ : "5m", "why",
                                                  p->why ? p->why : ""));
        }
        json_object_set_new(ho, "prevention", prev);
        if (rule->n_symptoms) {
            json_t *sy = json_array();
            for (size_t k = 0; k < rule->n_symptoms; k++)
                json_array_append_new(sy, json_string(rule->symptoms[k]));
            json_object_set_new(ho, "symptoms", sy);
        }
        json_array_append_new(hyps, ho);
        shown++;
    }
    /* the HTTP errors that follow the top cause: why dependents fail */
    const struct hyp *th = NULL;
    for (size_t i = 0; i < kb_n_categories && !th; i++)
        if (order[i].rule != SIZE_MAX && order[i].score >= 0.05) th = &order[i];
    if (json_array_size(hyps) && th && !th->symptom) {
        json_t *top = json_array_get(hyps, 0);
        json_t *tev = json_object_get(top, "evidence");
        char ch[600];
        size_t chn = 0;
        for (size_t i = 0; i < e.n_src; i++) {
            const struct ev_source *s = &e.src[i];
            if (!s->first_http_text) continue;
            int after = th->first_time == TS_TIME_NONE || s->first_http_time == TS_TIME_NONE ||
                        s->first_http_time >= th->first_time - 60 * TS_NSEC_PER_SEC;
            char txt[900], ref[600];
            snprintf(txt, sizeof txt,
                     "%s: %llu HTTP 4xx (%d x 400) and %llu 5xx responses%s, e.g. %.300s",
                     s->service[0] ? s->service : s->path, (unsigned long long)s->http_4xx,
                     s->status_400, (unsigned long long)s->http_5xx,
                     after ? ", from the first evidence of the cause on: the failing operation "
                             "surfaces as "
                             "HTTP errors"
                           : ", some before the cause appeared",
                     s->first_http_text);
            snprintf(ref, sizeof ref, "%s:%llu", s->path, (unsigned long long)s->first_http_line);
            json_array_insert_new(tev, json_array_size(tev) > 3 ? 3 : json_array_size(tev),
                                  ev_entry("log", ref, s->first_http_time, txt, after ? 0.3 : 0.1,
                                           s->http_4xx + s->http_5xx));
            /* one chain step for all the services that answered 400 */
            if (after && s->status_400 > 0 && chn < sizeof ch - 64) {
                int n = snprintf(ch + chn, sizeof ch - chn, "%s%d seen at %s",
                                 chn ? ", " : "HTTP 400 answered to clients (", s->status_400,
                                 s->service[0] ? s->service : s->path);
                if (n > 0) chn = TS_MIN(chn + (size_t)n, sizeof ch - 2);
            }
        }
        if (chn) {
            ch[chn] = ')';
            ch[chn + 1] = '\0';
            json_array_append_new(json_object_get(top, "chain"), json_string(ch));
        }
    }
    /* many services (or monitors) failing together: a common cause */
    size_t n_down = n_failing + e.monitors_down;
    if (n_down >= 3 && json_array_size(hyps)) {
        json_t *top = json_array_get(hyps, 0);
        char txt[1600];
        const char *shared = NULL; /* the dependency most edges point at */
        size_t best = 0;
        for (size_t k = 0; k < e.n_edges; k++) {
            size_t cnt = 0;
            for (size_t j = 0; j < e.n_edges; j++)
                if (streq(e.edges[j].to, e.edges[k].to)) cnt++;
            if (cnt > best) {
                best = cnt;
                shared = e.edges[k].to;
            }
        }
        snprintf(txt, sizeof txt,
                 "%zu services%s fail together%s%s%s: one common cause is far more likely than "
                 "independent failures%s%s",
                 n_down, e.monitors_down ? " and monitors" : "",
                 e.monitors_down ? " (monitors down: " : "",
                 e.monitors_down ? e.monitors_down_names : "", e.monitors_down ? ")" : "",
                 shared && best >= 2 ? "; shared dependency: " : "",
                 shared && best >= 2 ? shared : "");
        json_array_insert_new(json_object_get(top, "evidence"), 0,
                              ev_entry(e.monitors_down ? "metric" : "note",
                                       e.monitors_ref ? e.monitors_ref : "reasoning",
                                       e.monitors_time, txt, 0.3, n_down));
        json_object_set_new(top, "common_cause", json_string(txt));
        json_t *br = json_object_get(top, "blast_radius");
        if (e.monitors_down_names && *e.monitors_down_names) {
            char *names = strdup(e.monitors_down_names), *save = NULL;
            for (char *t = names ? strtok_r(names, ",", &save) : NULL; t;
                 t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ') t++;
                char mname[200];
                snprintf(mname, sizeof mname, "monitor %s", t);
                json_array_append_new(br, json_string(mname));
            }
            free(names);
        }
    }

    char tb[64];
    json_object_set_new(doc, "schema", json_string("tshoot.diagnose/1"));
    json_object_set_new(doc, "generated_at", json_string(ts_format(ts_now(), 0, tb, sizeof tb)));
    json_t *inputs = json_object();
    json_object_set_new(inputs, "bundle", o->bundle ? json_string(o->bundle) : json_null());
    json_object_set_new(inputs, "sources", sources_json(&e));
    json_object_set_new(inputs, "unreadable", json_incref(e.unreadable));
    json_object_set_new(doc, "inputs", inputs);
    json_object_set_new(doc, "hypotheses", hyps);
    json_object_set_new(doc, "timeline", timeline);
    json_object_set_new(doc, "services", services);
    json_object_set_new(doc, "untimed_sources", untimed);
    json_t *rerr = json_array();
    for (size_t i = 0; i < kb->n_errors; i++)
        json_array_append_new(rerr, json_string(kb->errors[i]));
    if (dberr) json_array_append_new(rerr, json_string(dberr));
    json_object_set_new(doc, "rule_errors", rerr);
    json_object_set_new(doc, "rules_loaded", json_integer((json_int_t)kb->n_rules));
    free(ss);
    free(order);
    *ret = doc;
    r = 0;
out:
    if (m.sig)
        for (size_t i = 0; i < kb->n_rules; i++) free(m.sig[i]);
    if (m.against)
        for (size_t i = 0; i < kb->n_rules; i++) free(m.against[i]);
    free(m.sig);
    free(m.against);
    if (hy)
        for (size_t c = 0; c < kb_n_categories; c++) {
            json_decref(hy[c].extra_ev);
            json_decref(hy[c].arith);
            json_decref(hy[c].chain_extra);
            free(hy[c].subject);
        }
    free(hy);
    if (evid)
        for (size_t c = 0; c < kb_n_categories; c++) json_decref(evid[c]);
    free(evid);
    if (against)
        for (size_t c = 0; c < kb_n_categories; c++) json_decref(against[c]);
    free(against);
    ev_done(&e);
    return r;
}
