/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/redact.h"
#include "metrics/exposition.h"
#include "metrics/fstarget.h"
#include "metrics/predict.h"
#include "metrics/probe.h"
#include "metrics/watch.h"

#define PENDING_RESTORE_MAX 4096
#define BLOB_MAGIC_V1       0x74737331u /* "tss1": 16-byte points {double t, v} */
#define BLOB_MAGIC          0x74737332u /* "tss2": base, uint32 ms offsets, then doubles */

struct hot_rec {
    char prefix[PROBE_PREFIX_MAX];
    struct series count;
    double last, rate;
    bool seen;
};

/* What is kept of a probe result: not its list of hot prefixes (~600 bytes
 * a filesystem), which update_fs() has consumed. */
struct fs_meas {
    int err;
    double size_bytes, avail_bytes, free_bytes, files, files_free;
    bool readonly;
};

struct fs_rec {
    struct fs_target t; /* owned strings */
    struct series avail, ffree;
    struct probe_job *job;
    struct fs_meas res;
    bool have, late, seen;
    double late_s;
    double pred_bytes, pred_files, slope_bytes, slope_files;
    double win_slope_bytes[_WIN_MAX], win_slope_files[_WIN_MAX];
    bool win_ok_bytes[_WIN_MAX], win_ok_files[_WIN_MAX];
    struct hot_rec *hot;
    size_t n_hot;
};

struct proc_rec {
    pid_t pid;
    unsigned long long start;
    char comm[32];
    struct series rss, fds;
    double rss_now, fds_now, max_fds;
    struct leak_verdict mem, fd;
    bool have_mem, have_fd, seen, fd_ok;
};

struct restore {
    char *key;
    void *blob;
    size_t n;
};

struct watch {
    struct watch_opts o;
    char **globs; /* owned copies */
    char *proc, *instance;
    struct probe_pool *pool;
    struct fs_rec **fs;
    size_t n_fs;
    struct proc_rec *procs;
    size_t n_procs;
    size_t n_hot_total;
    struct alert_engine *alerts;
    struct alert_event *events;
    size_t n_events;
    struct restore *restores;
    size_t n_restores;
    struct watch_stats st;
    uint64_t notify_errors;
    bool persisted;
    long page_size;
    double clk_tck;
};

static void free_opts_copy(struct watch *w)
{
    if (w->globs)
        for (size_t i = 0; i < w->o.n_globs; i++) free(w->globs[i]);
    free(w->globs);
    free(w->proc);
    free(w->instance);
    w->globs = NULL;
    w->proc = w->instance = NULL;
}

int watch_set_opts(struct watch *w, const struct watch_opts *in)
{
    struct watch_opts o = *in;
    if (o.interval_ns <= 0) o.interval_ns = 15 * TS_NSEC_PER_SEC;
    if (o.probe_timeout_ns <= 0)
        o.probe_timeout_ns = TS_MIN(o.interval_ns / 2, 5 * TS_NSEC_PER_SEC);
    if (!(o.horizon_s > 0)) o.horizon_s = 86400;
    if (!o.for_set) o.for_ns = 5 * 60 * TS_NSEC_PER_SEC;
    if (!(o.threshold_pct > 0 && o.threshold_pct < 100)) o.threshold_pct = 80;
    if (!o.hot_min) o.hot_min = 16;
    if (!o.max_processes) o.max_processes = 32;
    if (o.max_processes > WATCH_MAX_PROCESSES) o.max_processes = WATCH_MAX_PROCESSES;
    char host[256] = "";
    if (!o.instance) {
        if (gethostname(host, sizeof host - 1) < 0) snprintf(host, sizeof host, "localhost");
        o.instance = host;
    }
    char **globs = calloc(o.n_globs + 1, sizeof *globs);
    char *proc = strdup(o.proc ? o.proc : "/proc");
    char *inst = strdup(o.instance);
    bool oom = !globs || !proc || !inst;
    for (size_t i = 0; i < o.n_globs && !oom; i++) oom = !(globs[i] = strdup(o.globs[i]));
    if (oom) {
        if (globs)
            for (size_t i = 0; i < o.n_globs; i++) free(globs[i]);
        free(globs);
        free(proc);
        free(inst);
        return -ENOMEM;
    }
    if (o.interval_ns != w->o.interval_ns && w->o.interval_ns) {
        /* the raw rings hold the 15 min window: resize them for the new
           interval (a series that cannot grow keeps its old size) */
        double is = (double)o.interval_ns / 1e9;
        for (size_t i = 0; i < w->n_fs; i++) {
            (void)series_set_interval(&w->fs[i]->avail, is);
            (void)series_set_interval(&w->fs[i]->ffree, is);
            for (size_t h = 0; h < w->fs[i]->n_hot; h++)
                (void)series_set_interval(&w->fs[i]->hot[h].count, is);
        }
        for (size_t i = 0; i < w->n_procs; i++) {
            (void)series_set_interval(&w->procs[i].rss, is);
            (void)series_set_interval(&w->procs[i].fds, is);
        }
    }
    free_opts_copy(w);
    w->globs = globs;
    w->proc = proc;
    w->instance = inst;
    o.globs = (const char *const *)globs;
    o.proc = proc;
    o.instance = inst;
    w->o = o;
    struct alert_engine_opts ao = { .for_ns = o.for_ns, .resend_ns = 0 };
    if (w->alerts) alert_engine_set_opts(w->alerts, &ao);
    return 0;
}

int watch_new(const struct watch_opts *o, struct watch **ret)
{
    struct watch *w = calloc(1, sizeof *w);
    int r;
    if (!w) return -ENOMEM;
    w->persisted = true;
    w->page_size = sysconf(_SC_PAGESIZE);
    w->clk_tck = (double)sysconf(_SC_CLK_TCK);
    if ((r = watch_set_opts(w, o)) < 0) goto fail;
    struct alert_engine_opts ao = { .for_ns = w->o.for_ns };
    if ((r = alert_engine_new(&ao, &w->alerts)) < 0) goto fail;
    if ((r = probe_pool_new(&w->pool)) < 0) goto fail;
    *ret = w;
    return 0;
fail:
    watch_free(w);
    return r;
}

static void target_clear(struct fs_target *t)
{
    free(t->key);
    free(t->mountpoint);
    free(t->fstype);
    free(t->device);
    free(t->access_path);
    free(t->container_id);
    free(t->pod);
    free(t->pod_namespace);
    free(t->container);
    memset(t, 0, sizeof *t);
}

static void fs_rec_free(struct fs_rec *f)
{
    if (!f) return;
    probe_job_unref(f->job);
    target_clear(&f->t);
    series_free(&f->avail);
    series_free(&f->ffree);
    for (size_t i = 0; i < f->n_hot; i++) series_free(&f->hot[i].count);
    free(f->hot);
    free(f);
}

static void proc_rec_clear(struct proc_rec *p)
{
    series_free(&p->rss);
    series_free(&p->fds);
}

static double interval_s(const struct watch *w)
{
    return (double)w->o.interval_ns / 1e9;
}

struct watch *watch_free(struct watch *w)
{
    if (!w) return NULL;
    for (size_t i = 0; i < w->n_fs; i++) fs_rec_free(w->fs[i]);
    free(w->fs);
    for (size_t i = 0; i < w->n_procs; i++) proc_rec_clear(&w->procs[i]);
    free(w->procs);
    alert_engine_free(w->alerts);
    alert_events_free(w->events, w->n_events);
    for (size_t i = 0; i < w->n_restores; i++) {
        free(w->restores[i].key);
        free(w->restores[i].blob);
    }
    free(w->restores);
    probe_pool_free(w->pool);
    free_opts_copy(w);
    free(w);
    return NULL;
}

/* ---- persisted series ---- */

/* Version 2 (written): 24-byte header, then the points of raw, mid and long
 * (oldest first): n uint32 ms offsets from base_s, then n doubles. 12 bytes
 * a point. Version 1 (read, from older releases): a 16-byte header and
 * {double t, double v} points. */
struct blob_hdr {
    uint32_t magic;
    uint16_t n_raw, n_mid, n_lng, pad;
    uint32_t pad2;
    int64_t base_s; /* v2 only */
};
#define BLOB_HDR_V1 16

static int series_to_blob(const struct series *s, void **ret, size_t *ret_n)
{
    size_t np = (size_t)s->raw.len + s->mid.len + s->lng.len;
    size_t n = sizeof(struct blob_hdr) + np * (sizeof(uint32_t) + sizeof(double));
    uint8_t *b = malloc(n);
    if (!b) return -ENOMEM;
    struct blob_hdr h = { BLOB_MAGIC, s->raw.len, s->mid.len, s->lng.len, 0, 0, s->base_s };
    memcpy(b, &h, sizeof h);
    uint8_t *pt = b + sizeof h, *pv = pt + np * sizeof(uint32_t);
    const struct ring *rings[] = { &s->raw, &s->mid, &s->lng };
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < rings[k]->len; i++) {
            size_t x = ring_index(rings[k], i);
            memcpy(pt, &rings[k]->t[x], sizeof(uint32_t));
            memcpy(pv, &rings[k]->v[x], sizeof(double));
            pt += sizeof(uint32_t);
            pv += sizeof(double);
        }
    *ret = b;
    *ret_n = n;
    return 0;
}

/* Load a blob (either version) into an initialised series, replacing its
 * points. Points out of order or not finite are skipped; a raw ring smaller
 * than the saved one keeps the newest. -EINVAL for a malformed blob (the
 * series is then empty). */
static int blob_to_series(const void *blob, size_t n, struct series *s)
{
    struct blob_hdr h = { 0 };
    s->raw.len = s->mid.len = s->lng.len = 0;
    s->raw.head = s->mid.head = s->lng.head = 0;
    if (n < BLOB_HDR_V1) return -EINVAL;
    memcpy(&h, blob, BLOB_HDR_V1);
    size_t np = (size_t)h.n_raw + h.n_mid + h.n_lng;
    bool v1 = h.magic == BLOB_MAGIC_V1;
    if ((!v1 && h.magic != BLOB_MAGIC) || h.n_raw > SERIES_RAW_CAP || h.n_mid > SERIES_MID_CAP ||
        h.n_lng > SERIES_LONG_CAP)
        return -EINVAL;
    if (v1 ? n != BLOB_HDR_V1 + np * 2 * sizeof(double)
           : n != sizeof h + np * (sizeof(uint32_t) + sizeof(double)))
        return -EINVAL;
    if (!v1) memcpy(&h, blob, sizeof h);
    if (!v1 && (h.base_s > (int64_t)9e12 || h.base_s < -(int64_t)9e12)) return -EINVAL;
    const uint8_t *p = (const uint8_t *)blob + (v1 ? BLOB_HDR_V1 : sizeof h);
    uint16_t counts[] = { h.n_raw, h.n_mid, h.n_lng };
    size_t at = 0;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < counts[k]; i++, at++) {
            double t, v;
            if (v1) {
                /* SQLite blobs need not be aligned */
                memcpy(&t, p + at * 16, sizeof t);
                memcpy(&v, p + at * 16 + 8, sizeof v);
            } else {
                uint32_t off;
                memcpy(&off, p + at * sizeof off, sizeof off);
                memcpy(&v, p + np * sizeof off + at * sizeof v, sizeof v);
                t = (double)h.base_s + (double)off / 1000;
            }
            (void)series_load_point(s, k, t, v);
        }
    return 0;
}

int watch_import_series(struct watch *w, const char *key, const void *blob, size_t n)
{
    struct series tmp;
    if (series_init(&tmp, interval_s(w)) < 0) return -ENOMEM;
    int bad = blob_to_series(blob, n, &tmp);
    series_free(&tmp);
    if (bad < 0) return -EINVAL;
    if (w->n_restores >= PENDING_RESTORE_MAX) return -E2BIG;
    if (!(w->n_restores & (w->n_restores - 1)) || w->n_restores == 0) {
        size_t nc = w->n_restores ? w->n_restores * 2 : 16;
        struct restore *nv = realloc(w->restores, nc * sizeof *nv);
        if (!nv) return -ENOMEM;
        w->restores = nv;
    }
    struct restore *r = &w->restores[w->n_restores];
    r->key = strdup(key);
    r->blob = malloc(n);
    if (!r->key || !r->blob) {
        free(r->key);
        free(r->blob);
        return -ENOMEM;
    }
    memcpy(r->blob, blob, n);
    r->n = n;
    w->n_restores++;
    return 0;
}

/* Restore the history saved under key, if any (and forget it). */
static void restore_series(struct watch *w, const char *key, struct series *s)
{
    for (size_t i = 0; i < w->n_restores; i++) {
        if (!streq(w->restores[i].key, key)) continue;
        (void)blob_to_series(w->restores[i].blob, w->restores[i].n, s);
        free(w->restores[i].key);
        free(w->restores[i].blob);
        w->restores[i] = w->restores[--w->n_restores];
        return;
    }
}

static int export_one(watch_blob_fn fn, void *userdata, const char *kind, const char *key,
                      const char *suffix, const struct series *s)
{
    _cleanup_free_ char *k = NULL;
    _cleanup_free_ void *blob = NULL;
    size_t n;
    if (s->raw.len == 0) return 0;
    if (asprintf(&k, "%s:%s%s", kind, key, suffix) < 0) return -ENOMEM;
    int r = series_to_blob(s, &blob, &n);
    if (r < 0) return r;
    return fn(userdata, k, blob, n);
}

int watch_export_series(struct watch *w, watch_blob_fn fn, void *userdata)
{
    int r = 0;
    for (size_t i = 0; i < w->n_fs && r >= 0; i++) {
        struct fs_rec *f = w->fs[i];
        r = export_one(fn, userdata, "fs", f->t.key, "|avail", &f->avail);
        if (r >= 0) r = export_one(fn, userdata, "fs", f->t.key, "|ffree", &f->ffree);
        for (size_t h = 0; h < f->n_hot && r >= 0; h++) {
            _cleanup_free_ char *suffix = NULL;
            if (asprintf(&suffix, "|hot|%s", f->hot[h].prefix) < 0) return -ENOMEM;
            r = export_one(fn, userdata, "fs", f->t.key, suffix, &f->hot[h].count);
        }
    }
    /* histories not yet claimed by a series (a container that is away) are
       kept too, so that a restart does not lose them */
    for (size_t i = 0; i < w->n_restores && r >= 0; i++)
        r = fn(userdata, w->restores[i].key, w->restores[i].blob, w->restores[i].n);
    return r;
}

static void restore_fs(struct watch *w, struct fs_rec *f)
{
    char k[1024];
    snprintf(k, sizeof k, "fs:%s|avail", f->t.key);
    restore_series(w, k, &f->avail);
    snprintf(k, sizeof k, "fs:%s|ffree", f->t.key);
    restore_series(w, k, &f->ffree);
}

/* ---- sampling ---- */

static struct fs_rec *find_fs(struct watch *w, const char *key)
{
    for (size_t i = 0; i < w->n_fs; i++)
        if (streq(w->fs[i]->t.key, key)) return w->fs[i];
    return NULL;
}

static struct hot_rec *find_hot(struct watch *w, struct fs_rec *f, const char *prefix)
{
    for (size_t i = 0; i < f->n_hot; i++)
        if (streq(f->hot[i].prefix, prefix)) return &f->hot[i];
    if (f->n_hot >= PROBE_HOT_MAX || w->n_hot_total >= WATCH_MAX_HOT) return NULL;
    /* grow one record at a time: most tmpfs have one hot prefix or none */
    struct hot_rec *nv = realloc(f->hot, (f->n_hot + 1) * sizeof *nv);
    if (!nv) return NULL;
    f->hot = nv; /* the series' storage is separate: moving the records is fine */
    struct hot_rec *h = &f->hot[f->n_hot];
    memset(h, 0, sizeof *h);
    /* only its 15 min rate is used: no 1h/6h rings */
    if (series_init_raw(&h->count, interval_s(w)) < 0) return NULL;
    f->n_hot++;
    snprintf(h->prefix, sizeof h->prefix, "%s", prefix);
    char k[1024];
    snprintf(k, sizeof k, "fs:%s|hot|%s", f->t.key, prefix);
    restore_series(w, k, &h->count);
    w->n_hot_total++;
    return h;
}

static void update_fs(struct watch *w, struct fs_rec *f, const struct probe_result *res, double t)
{
    f->res = (struct fs_meas){ .err = res->err,
                               .size_bytes = res->size_bytes,
                               .avail_bytes = res->avail_bytes,
                               .free_bytes = res->free_bytes,
                               .files = res->files,
                               .files_free = res->files_free,
                               .readonly = res->readonly };
    f->have = true;
    if (res->err < 0) return;
    series_add(&f->avail, t, res->avail_bytes);
    series_add(&f->ffree, t, res->files_free);
    for (size_t i = 0; i < f->n_hot; i++) f->hot[i].seen = false;
    for (size_t i = 0; i < res->n_hot; i++) {
        struct hot_rec *h = find_hot(w, f, res->hot[i].prefix);
        if (!h) continue;
        h->seen = true;
        h->last = (double)res->hot[i].count;
        series_add(&h->count, t, h->last);
    }
    /* a prefix that dropped below the threshold: record its count as 0
       only if the directory scan worked (else keep it as it was) */
    size_t wi = 0;
    for (size_t i = 0; i < f->n_hot; i++) {
        if (!f->hot[i].seen && res->scan_err == 0) {
            series_free(&f->hot[i].count);
            w->n_hot_total--;
            continue;
        }
        if (wi != i) f->hot[wi] = f->hot[i];
        wi++;
    }
    f->n_hot = wi;
}

static void predict_fs(struct fs_rec *f)
{
    f->pred_bytes = series_predict_full(&f->avail, &f->slope_bytes);
    f->pred_files = series_predict_full(&f->ffree, &f->slope_files);
    static const size_t min_pts[_WIN_MAX] = { 5, 5, 6 };
    for (int k = 0; k < _WIN_MAX; k++) {
        f->win_ok_bytes[k] = series_slope(&f->avail, k, min_pts[k], &f->win_slope_bytes[k]) == 0;
        f->win_ok_files[k] = series_slope(&f->ffree, k, min_pts[k], &f->win_slope_files[k]) == 0;
    }
    for (size_t i = 0; i < f->n_hot; i++) {
        struct hot_rec *h = &f->hot[i];
        if (series_slope(&h->count, WIN_15M, 4, &h->rate) < 0) h->rate = 0;
    }
}

static int sample_fs(struct watch *w, ts_time_t now)
{
    struct fs_target *tv = NULL;
    size_t tn = 0, skipped = 0;
    struct fs_list_opts lo = { .proc = w->o.proc,
                               .globs = w->o.globs,
                               .n_globs = w->o.n_globs,
                               .no_containers = w->o.no_containers };
    int r = fs_targets_list(&lo, &tv, &tn, &skipped);
    if (r < 0) return r;
    w->st.skipped_namespaces = skipped;
    for (size_t i = 0; i < w->n_fs; i++) w->fs[i]->seen = false;
    for (size_t i = 0; i < tn; i++) {
        struct fs_rec *f = find_fs(w, tv[i].key);
        if (f) {
            /* the path may change (another process of the container) */
            free(f->t.access_path);
            f->t.access_path = TAKE_PTR(tv[i].access_path);
            f->seen = true;
            continue;
        }
        if (w->n_fs >= WATCH_MAX_FS) continue;
        if (!(w->n_fs & (w->n_fs - 1)) || w->n_fs == 0) {
            size_t nc = w->n_fs ? w->n_fs * 2 : 16;
            struct fs_rec **nv = realloc(w->fs, nc * sizeof *nv);
            if (!nv) {
                r = -ENOMEM;
                break;
            }
            w->fs = nv;
        }
        f = calloc(1, sizeof *f);
        if (!f) {
            r = -ENOMEM;
            break;
        }
        if (series_init(&f->avail, interval_s(w)) < 0 ||
            series_init(&f->ffree, interval_s(w)) < 0) {
            fs_rec_free(f);
            r = -ENOMEM;
            break;
        }
        f->t = tv[i];
        memset(&tv[i], 0, sizeof tv[i]);
        f->pred_bytes = f->pred_files = INFINITY;
        f->seen = true;
        restore_fs(w, f);
        w->fs[w->n_fs++] = f;
    }
    fs_targets_free(tv, tn);
    if (r < 0) return r;
    /* forget filesystems that are gone */
    size_t wi = 0;
    for (size_t i = 0; i < w->n_fs; i++) {
        if (w->fs[i]->seen)
            w->fs[wi++] = w->fs[i];
        else {
            w->n_hot_total -= w->fs[i]->n_hot;
            fs_rec_free(w->fs[i]);
        }
    }
    w->n_fs = wi;

    /* submit probes; a probe still hanging from before is not resubmitted */
    struct probe_job **jobs = calloc(w->n_fs ? w->n_fs : 1, sizeof *jobs);
    if (!jobs) return -ENOMEM;
    int64_t mono0 = ts_mono_ns();
    for (size_t i = 0; i < w->n_fs; i++) {
        struct fs_rec *f = w->fs[i];
        if (!f->job) {
            bool scan = streq(f->t.fstype, "tmpfs");
            if (probe_submit(w->pool, f->t.access_path, scan ? w->o.hot_min : 0, &f->job) < 0)
                f->job = NULL;
        }
        jobs[i] = f->job;
    }
    probe_wait(w->pool, jobs, w->n_fs, mono0 + w->o.probe_timeout_ns);
    free(jobs);
    int64_t mono1 = ts_mono_ns();
    double now_s = (double)now / 1e9;
    w->st.targets = w->n_fs;
    w->st.late = w->st.errors = 0;
    for (size_t i = 0; i < w->n_fs; i++) {
        struct fs_rec *f = w->fs[i];
        struct probe_result res;
        if (f->job && probe_job_result(f->job, &res)) {
            /* the wall time of the measurement (a late one is in the past) */
            double t = now_s + (double)(res.finished_ns - mono0) / 1e9;
            update_fs(w, f, &res, t);
            f->job = probe_job_unref(f->job);
            f->late = false;
            f->late_s = 0;
        } else if (f->job) {
            f->late = true;
            f->late_s = (double)(mono1 - probe_job_started(f->job)) / 1e9;
            w->st.late++;
        }
        if (f->have && f->res.err < 0) w->st.errors++;
        predict_fs(f);
    }
    return 0;
}

/* ---- processes ---- */

struct pstat {
    pid_t pid;
    unsigned long long start;
    double rss;
    char comm[32];
};

static int read_pstat(struct watch *w, const char *pid, struct pstat *ret)
{
    char path[512];
    _cleanup_free_ char *s = NULL;
    size_t n;
    snprintf(path, sizeof path, "%s/%s/stat", w->o.proc, pid);
    if (read_file(path, 4096, &s, &n) < 0) return -ENOENT;
    char *lp = strchr(s, '('), *rp = strrchr(s, ')');
    if (!lp || !rp || rp < lp) return -EINVAL;
    size_t cl = TS_MIN((size_t)(rp - lp - 1), sizeof ret->comm - 1);
    memcpy(ret->comm, lp + 1, cl);
    ret->comm[cl] = '\0';
    /* fields after ')': state(3) ... starttime(22) vsize(23) rss(24) */
    char *p = rp + 2;
    unsigned long long start = 0;
    long long rss = 0;
    int field = 3;
    for (char *tok = strtok(p, " "); tok; tok = strtok(NULL, " "), field++) {
        if (field == 22) start = strtoull(tok, NULL, 10);
        if (field == 24) {
            rss = strtoll(tok, NULL, 10);
            break;
        }
    }
    if (field != 24) return -EINVAL;
    ret->pid = (pid_t)atoi(pid);
    ret->start = start;
    ret->rss = (double)rss * (double)w->page_size;
    return 0;
}

static int cmp_rss_desc(const void *a, const void *b)
{
    const struct pstat *x = a, *y = b;
    return x->rss < y->rss ? 1 : x->rss > y->rss ? -1 : 0;
}

static double count_fds(struct watch *w, pid_t pid)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%d/fd", w->o.proc, (int)pid);
    DIR *d = opendir(path);
    if (!d) return -1;
    double n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 1e7)
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static double max_fds(struct watch *w, pid_t pid)
{
    char path[512];
    _cleanup_free_ char *s = NULL;
    size_t n;
    snprintf(path, sizeof path, "%s/%d/limits", w->o.proc, (int)pid);
    if (read_file(path, 8192, &s, &n) < 0) return 0;
    char *l = strstr(s, "Max open files");
    if (!l) return 0;
    l += strlen("Max open files");
    while (*l == ' ') l++;
    return strtod(l, NULL);
}

static int sample_procs(struct watch *w, ts_time_t now)
{
    DIR *d = opendir(w->o.proc);
    if (!d) return -errno;
    size_t cap = 4096, n = 0;
    struct pstat *ps = malloc(cap * sizeof *ps);
    if (!ps) {
        closedir(d);
        return -ENOMEM;
    }
    struct dirent *de;
    while ((de = readdir(d)) && n < cap) {
        if (!isdigit((unsigned char)de->d_name[0])) continue;
        if (read_pstat(w, de->d_name, &ps[n]) == 0 && ps[n].rss > 0) n++;
    }
    closedir(d);
    qsort(ps, n, sizeof *ps, cmp_rss_desc);
    size_t keep = TS_MIN(n, w->o.max_processes);
    struct proc_rec *nv = calloc(keep ? keep : 1, sizeof *nv);
    if (!nv) {
        free(ps);
        return -ENOMEM;
    }
    double t = (double)now / 1e9;
    for (size_t i = 0; i < keep; i++) {
        struct proc_rec *old = NULL;
        for (size_t j = 0; j < w->n_procs && !old; j++)
            if (w->procs[j].pid == ps[i].pid && w->procs[j].start == ps[i].start)
                old = &w->procs[j];
        struct proc_rec *p = &nv[i];
        if (old) {
            *p = *old; /* the histories move to the new record */
            old->rss = old->fds = (struct series){ 0 };
        } else {
            p->pid = ps[i].pid;
            p->start = ps[i].start;
            /* on ENOMEM the series stays empty: no history, no leak verdict */
            (void)series_init(&p->rss, interval_s(w));
            (void)series_init(&p->fds, interval_s(w));
            p->max_fds = max_fds(w, p->pid);
        }
        _cleanup_free_ char *comm = redact_dup(ps[i].comm, NULL);
        snprintf(p->comm, sizeof p->comm, "%s", comm ? comm : "?");
        p->rss_now = ps[i].rss;
        series_add(&p->rss, t, p->rss_now);
        p->fds_now = count_fds(w, p->pid);
        p->fd_ok = p->fds_now >= 0;
        if (p->fd_ok) series_add(&p->fds, t, p->fds_now);
        p->have_mem = series_leak(&p->rss, 0.9, 0.10, &p->mem) == 0;
        p->have_fd = p->fd_ok && series_leak(&p->fds, 0.9, 0.25, &p->fd) == 0;
        /* an fd count needs real growth, not 3 -> 4 */
        if (p->have_fd && p->fd.slope * p->fd.window_s < 16) p->fd.suspected = false;
    }
    free(ps);
    for (size_t j = 0; j < w->n_procs; j++) proc_rec_clear(&w->procs[j]); /* gone ones */
    free(w->procs);
    w->procs = nv;
    w->n_procs = keep;
    w->st.processes = keep;
    return 0;
}

/* ---- alerts ---- */

static json_t *fs_labels(struct watch *w, const struct fs_rec *f, const char *alertname,
                         const char *severity)
{
    json_t *l = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "alertname", alertname, "severity", severity,
                          "instance", w->instance, "mountpoint", f->t.mountpoint, "fstype",
                          f->t.fstype, "device", f->t.device);
    if (!l) return NULL;
    if (f->t.pod_namespace) json_object_set_new(l, "namespace", json_string(f->t.pod_namespace));
    if (f->t.pod) json_object_set_new(l, "pod", json_string(f->t.pod));
    if (f->t.container) json_object_set_new(l, "container", json_string(f->t.container));
    return l;
}

static const char *where(const struct fs_rec *f, char *buf, size_t size)
{
    if (f->t.pod)
        snprintf(buf, size, " in pod %s/%s (container %s)", f->t.pod_namespace, f->t.pod,
                 f->t.container ? f->t.container : "?");
    else if (f->t.container)
        snprintf(buf, size, " in container %s", f->t.container);
    else
        buf[0] = '\0';
    return buf;
}

static void human_bytes(double v, char *buf, size_t size)
{
    static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    size_t i = 0;
    while (v >= 1024 && i + 1 < ELEMENTSOF(u)) {
        v /= 1024;
        i++;
    }
    snprintf(buf, size, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static int observe(struct watch *w, json_t *labels, const char *summary, const char *desc,
                   ts_time_t now)
{
    if (!labels) return -ENOMEM;
    json_t *ann = json_pack("{s:s,s:s}", "summary", summary, "description", desc);
    int r = ann ? alerts_observe(w->alerts, labels, ann, true, -1, now) : -ENOMEM;
    json_decref(ann);
    json_decref(labels);
    return r;
}

static void eval_alerts(struct watch *w, ts_time_t now)
{
    char wh[256], a[32], s[32], d[32], txt[1024], sum[512];
    alerts_begin(w->alerts);
    for (size_t i = 0; i < w->n_fs; i++) {
        struct fs_rec *f = w->fs[i];
        if (!f->have || f->res.err < 0 || f->res.readonly) continue;
        const struct fs_meas *r = &f->res;
        where(f, wh, sizeof wh);
        if (r->size_bytes > 0) {
            double pct = 100 * (1 - r->avail_bytes / r->size_bytes);
            if (pct > w->o.threshold_pct) {
                human_bytes(r->avail_bytes, a, sizeof a);
                human_bytes(r->size_bytes, s, sizeof s);
                snprintf(sum, sizeof sum, "%s%s is %.0f%% full", f->t.mountpoint, wh, pct);
                snprintf(txt, sizeof txt,
                         "%s (%s) has %s free of %s (%.1f%% used, threshold %g%%); writes fail "
                         "with ENOSPC at 100%%",
                         f->t.mountpoint, f->t.fstype, a, s, pct, w->o.threshold_pct);
                (void)observe(w,
                              fs_labels(w, f, "TshootFilesystemNearlyFull",
                                        pct >= 95 ? "critical" : "warning"),
                              sum, txt, now);
            }
        }
        if (r->files > 0) {
            double pct = 100 * (1 - r->files_free / r->files);
            if (pct > w->o.threshold_pct) {
                snprintf(sum, sizeof sum, "%s%s has used %.0f%% of its inodes", f->t.mountpoint, wh,
                         pct);
                snprintf(txt, sizeof txt, "%s: %.0f of %.0f inodes free", f->t.mountpoint,
                         r->files_free, r->files);
                (void)observe(w, fs_labels(w, f, "TshootFilesystemInodesNearlyFull", "warning"),
                              sum, txt, now);
            }
        }
        if (f->pred_bytes < w->o.horizon_s) {
            ts_format_duration((int64_t)(f->pred_bytes * 1e9), d, sizeof d);
            human_bytes(r->avail_bytes, a, sizeof a);
            human_bytes(-f->slope_bytes * 60, s, sizeof s);
            snprintf(sum, sizeof sum, "%s%s predicted full in %s", f->t.mountpoint, wh, d);
            snprintf(txt, sizeof txt, "%s (%s): %s free, shrinking %s/min; full in about %s",
                     f->t.mountpoint, f->t.fstype, a, s, d);
            (void)observe(w, fs_labels(w, f, "TshootFilesystemPredictedFull", "warning"), sum, txt,
                          now);
        }
        if (f->pred_files < w->o.horizon_s) {
            ts_format_duration((int64_t)(f->pred_files * 1e9), d, sizeof d);
            snprintf(sum, sizeof sum, "%s%s runs out of inodes in %s", f->t.mountpoint, wh, d);
            snprintf(txt, sizeof txt, "%s: %.0f inodes free, %.2f new files/min", f->t.mountpoint,
                     r->files_free, -f->slope_files * 60);
            (void)observe(w, fs_labels(w, f, "TshootFilesystemInodesPredictedFull", "warning"), sum,
                          txt, now);
        }
    }
    for (size_t i = 0; i < w->n_procs; i++) {
        struct proc_rec *p = &w->procs[i];
        char pid[16];
        snprintf(pid, sizeof pid, "%d", (int)p->pid);
        if (p->have_mem && p->mem.suspected) {
            human_bytes(p->mem.slope * 3600, s, sizeof s);
            snprintf(sum, sizeof sum, "%s (pid %d) memory grows %s/h", p->comm, (int)p->pid, s);
            snprintf(txt, sizeof txt, "resident memory grows steadily (R^2 %.2f over %.0f s)",
                     p->mem.r2, p->mem.window_s);
            (void)observe(w,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "alertname", "TshootProcessMemoryLeak",
                                    "severity", "warning", "instance", w->instance, "pid", pid,
                                    "comm", p->comm),
                          sum, txt, now);
        }
        if (p->have_fd && p->fd.suspected) {
            snprintf(sum, sizeof sum, "%s (pid %d) keeps opening file descriptors", p->comm,
                     (int)p->pid);
            snprintf(txt, sizeof txt, "%.0f open (limit %.0f), +%.2f/min, R^2 %.2f", p->fds_now,
                     p->max_fds, p->fd.slope * 60, p->fd.r2);
            (void)observe(w,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "alertname", "TshootProcessFdLeak",
                                    "severity", "warning", "instance", w->instance, "pid", pid,
                                    "comm", p->comm),
                          sum, txt, now);
        }
    }
    alert_events_free(w->events, w->n_events);
    w->events = NULL;
    w->n_events = 0;
    (void)alerts_end(w->alerts, now, &w->events, &w->n_events);
}

int watch_sample(struct watch *w, ts_time_t now, struct watch_stats *st)
{
    int64_t t0 = ts_mono_ns();
    int r = sample_fs(w, now);
    if (r < 0) return r;
    if (!w->o.no_processes) (void)sample_procs(w, now);
    eval_alerts(w, now);
    w->st.samples++;
    w->st.duration_ns = ts_mono_ns() - t0;
    if (st) *st = w->st;
    return 0;
}

int watch_alert_events(struct watch *w, struct alert_event **ret, size_t *ret_n)
{
    *ret = TAKE_PTR(w->events);
    *ret_n = w->n_events;
    w->n_events = 0;
    return 0;
}

struct alert_engine *watch_alerts(struct watch *w)
{
    return w->alerts;
}

void watch_note_notify_error(struct watch *w)
{
    w->notify_errors++;
}

void watch_note_state(struct watch *w, bool persisted)
{
    w->persisted = persisted;
}

void watch_foreach_fs(struct watch *w, watch_fs_fn fn, void *userdata)
{
    for (size_t i = 0; i < w->n_fs; i++) {
        struct fs_rec *f = w->fs[i];
        struct watch_fs_view v = {
            .mountpoint = f->t.mountpoint,
            .fstype = f->t.fstype,
            .device = f->t.device,
            .pod = f->t.pod,
            .pod_namespace = f->t.pod_namespace,
            .container = f->t.container,
            .size_bytes = f->res.size_bytes,
            .avail_bytes = f->res.avail_bytes,
            .files = f->res.files,
            .files_free = f->res.files_free,
            .predicted_full_s = f->pred_bytes,
            .files_predicted_full_s = f->pred_files,
            .growth_bytes_per_s = -f->slope_bytes,
            .late = f->late,
            .error = f->have && f->res.err < 0,
        };
        fn(userdata, &v);
    }
}

/* ---- exposition ---- */

#define FS_LABELS 6

static void fill_fs_labels(const struct fs_rec *f, struct prom_label *l)
{
    l[0] = (struct prom_label){ "mountpoint", f->t.mountpoint };
    l[1] = (struct prom_label){ "fstype", f->t.fstype };
    l[2] = (struct prom_label){ "device", f->t.device };
    l[3] = (struct prom_label){ "namespace", f->t.pod_namespace };
    l[4] = (struct prom_label){ "pod", f->t.pod };
    l[5] = (struct prom_label){ "container", f->t.container };
}

enum fs_metric {
    FM_SIZE,
    FM_AVAIL,
    FM_FREE,
    FM_FILES,
    FM_FILES_FREE,
    FM_READONLY,
    FM_PRED,
    FM_PRED_FILES,
    FM_LATE,
    FM_LATE_S,
    FM_ERROR,
};

static const struct {
    const char *name, *help;
} fs_families[] = {
    [FM_SIZE] = { "tshoot_fs_size_bytes", "Filesystem size in bytes." },
    [FM_AVAIL] = { "tshoot_fs_avail_bytes",
                   "Filesystem space available to non-root users in bytes." },
    [FM_FREE] = { "tshoot_fs_free_bytes", "Filesystem free space in bytes." },
    [FM_FILES] = { "tshoot_fs_files", "Filesystem total file nodes (inodes)." },
    [FM_FILES_FREE] = { "tshoot_fs_files_free", "Filesystem free file nodes (inodes)." },
    [FM_READONLY] = { "tshoot_fs_readonly", "1 when the filesystem is mounted read-only." },
    [FM_PRED] = { "tshoot_fs_predicted_full_seconds",
                  "Predicted seconds until no bytes are available (robust Theil-Sen growth over "
                  "15m/1h/6h, earliest of the windows with enough data); +Inf when not growing." },
    [FM_PRED_FILES] = { "tshoot_fs_files_predicted_full_seconds",
                        "Predicted seconds until no inodes are free; +Inf when not growing." },
    [FM_LATE] = { "tshoot_fs_probe_late",
                  "1 when the last statvfs of this filesystem missed its deadline (hung mount)." },
    [FM_LATE_S] = { "tshoot_fs_probe_late_seconds",
                    "How long the pending probe of this filesystem has been running." },
    [FM_ERROR] = { "tshoot_fs_probe_error", "errno of the last failed probe, 0 when it worked." },
};

static double fs_value(const struct fs_rec *f, enum fs_metric m)
{
    const struct fs_meas *r = &f->res;
    switch (m) {
    case FM_SIZE: return r->size_bytes;
    case FM_AVAIL: return r->avail_bytes;
    case FM_FREE: return r->free_bytes;
    case FM_FILES: return r->files;
    case FM_FILES_FREE: return r->files_free;
    case FM_READONLY: return r->readonly;
    case FM_PRED: return f->pred_bytes;
    case FM_PRED_FILES: return f->pred_files;
    case FM_LATE: return f->late;
    case FM_LATE_S: return f->late_s;
    case FM_ERROR: return r->err < 0 ? -r->err : 0;
    }
    return NAN;
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        int _r = (x);                                                                              \
        if (_r < 0) return _r;                                                                     \
    } while (0)

int watch_render(struct watch *w, struct buf *b)
{
    struct prom_label l[FS_LABELS + 3];
    for (size_t m = 0; m < ELEMENTSOF(fs_families); m++) {
        CHECK(prom_family(b, fs_families[m].name, "gauge", fs_families[m].help));
        for (size_t i = 0; i < w->n_fs; i++) {
            const struct fs_rec *f = w->fs[i];
            bool measured = f->have && f->res.err == 0;
            if (!measured && m != FM_LATE && m != FM_LATE_S && m != FM_ERROR) continue;
            if ((m == FM_LATE || m == FM_LATE_S || m == FM_ERROR) && !f->have && !f->late) continue;
            fill_fs_labels(f, l);
            CHECK(
                prom_sample(b, fs_families[m].name, l, FS_LABELS, fs_value(f, (enum fs_metric)m)));
        }
    }
    static const char *const growth[2][2] = {
        { "tshoot_fs_growth_bytes_per_second",
          "Growth of used bytes per second (Theil-Sen slope over the window; negative when "
          "space is freed)." },
        { "tshoot_fs_files_growth_per_second",
          "Growth of used inodes per second over the window." },
    };
    for (int k = 0; k < 2; k++) {
        CHECK(prom_family(b, growth[k][0], "gauge", growth[k][1]));
        for (size_t i = 0; i < w->n_fs; i++) {
            const struct fs_rec *f = w->fs[i];
            fill_fs_labels(f, l);
            for (int win = 0; win < _WIN_MAX; win++) {
                bool ok = k ? f->win_ok_files[win] : f->win_ok_bytes[win];
                if (!ok) continue;
                double slope = k ? f->win_slope_files[win] : f->win_slope_bytes[win];
                l[FS_LABELS] = (struct prom_label){ "window", win_names[win] };
                CHECK(prom_sample(b, growth[k][0], l, FS_LABELS + 1, slope == 0 ? 0 : -slope));
            }
        }
    }
    CHECK(prom_family(b, "tshoot_dir_entries", "gauge",
                      "Entries with a common name prefix in the top directory of a tmpfs (e.g. "
                      "session_ files in /dev/shm)."));
    for (size_t i = 0; i < w->n_fs; i++) {
        const struct fs_rec *f = w->fs[i];
        fill_fs_labels(f, l);
        for (size_t h = 0; h < f->n_hot; h++) {
            l[FS_LABELS] = (struct prom_label){ "dir", f->t.mountpoint };
            l[FS_LABELS + 1] = (struct prom_label){ "prefix", f->hot[h].prefix };
            CHECK(prom_sample(b, "tshoot_dir_entries", l, FS_LABELS + 2, f->hot[h].last));
        }
    }
    CHECK(prom_family(b, "tshoot_dir_entries_growth_per_second", "gauge",
                      "New entries per second with that prefix (Theil-Sen over 15 minutes)."));
    for (size_t i = 0; i < w->n_fs; i++) {
        const struct fs_rec *f = w->fs[i];
        fill_fs_labels(f, l);
        for (size_t h = 0; h < f->n_hot; h++) {
            l[FS_LABELS] = (struct prom_label){ "dir", f->t.mountpoint };
            l[FS_LABELS + 1] = (struct prom_label){ "prefix", f->hot[h].prefix };
            CHECK(prom_sample(b, "tshoot_dir_entries_growth_per_second", l, FS_LABELS + 2,
                              f->hot[h].rate));
        }
    }
    static const char *const pfam[][2] = {
        { "tshoot_process_resident_bytes", "Resident memory of the process." },
        { "tshoot_process_memory_growth_bytes_per_second",
          "Least-squares growth of resident memory over the longest window with 8+ points." },
        { "tshoot_process_memory_growth_r2",
          "R^2 of that fit: near 1 means steady growth (the leak pattern)." },
        { "tshoot_process_memory_leak_suspected",
          "1 when memory grows steadily (R^2 >= 0.9 and +10% over the window)." },
        { "tshoot_process_open_fds", "Open file descriptors of the process." },
        { "tshoot_process_max_fds", "Soft limit of open file descriptors (RLIMIT_NOFILE)." },
        { "tshoot_process_fd_growth_per_second", "Least-squares growth of open fds." },
        { "tshoot_process_fd_leak_suspected",
          "1 when open fds grow steadily (R^2 >= 0.9, +25% and +16 over the window)." },
    };
    for (size_t m = 0; m < ELEMENTSOF(pfam); m++) {
        CHECK(prom_family(b, pfam[m][0], "gauge", pfam[m][1]));
        for (size_t i = 0; i < w->n_procs; i++) {
            const struct proc_rec *p = &w->procs[i];
            char pid[16];
            snprintf(pid, sizeof pid, "%d", (int)p->pid);
            struct prom_label pl[2] = { { "pid", pid }, { "comm", p->comm } };
            double v;
            switch (m) {
            case 0: v = p->rss_now; break;
            case 1: v = p->have_mem ? p->mem.slope : 0; break;
            case 2: v = p->have_mem ? p->mem.r2 : 0; break;
            case 3: v = p->have_mem && p->mem.suspected; break;
            case 4:
                if (!p->fd_ok) continue;
                v = p->fds_now;
                break;
            case 5:
                if (!(p->max_fds > 0)) continue;
                v = p->max_fds;
                break;
            case 6:
                if (!p->fd_ok) continue;
                v = p->have_fd ? p->fd.slope : 0;
                break;
            default:
                if (!p->fd_ok) continue;
                v = p->have_fd && p->fd.suspected;
            }
            CHECK(prom_sample(b, pfam[m][0], pl, 2, v));
        }
    }
    size_t pending, firing;
    alerts_count(w->alerts, &pending, &firing);
    struct prom_label none[1] = { { "x", NULL } };
    CHECK(prom_family(b, "tshoot_watch_targets", "gauge", "Filesystems watched."));
    CHECK(prom_sample(b, "tshoot_watch_targets", none, 0, (double)w->st.targets));
    CHECK(prom_family(b, "tshoot_watch_probes_late", "gauge",
                      "Filesystem probes that missed the deadline in the last sample."));
    CHECK(prom_sample(b, "tshoot_watch_probes_late", none, 0, (double)w->st.late));
    CHECK(prom_family(b, "tshoot_watch_sample_duration_seconds", "gauge",
                      "Wall time of the last sample."));
    CHECK(prom_sample(b, "tshoot_watch_sample_duration_seconds", none, 0,
                      (double)w->st.duration_ns / 1e9));
    CHECK(prom_family(b, "tshoot_watch_samples_total", "counter", "Samples taken."));
    CHECK(prom_sample(b, "tshoot_watch_samples_total", none, 0, (double)w->st.samples));
    CHECK(prom_family(b, "tshoot_watch_alerts", "gauge", "Built-in alerts by state."));
    struct prom_label sl[1] = { { "state", "pending" } };
    CHECK(prom_sample(b, "tshoot_watch_alerts", sl, 1, (double)pending));
    sl[0].value = "firing";
    CHECK(prom_sample(b, "tshoot_watch_alerts", sl, 1, (double)firing));
    CHECK(prom_family(b, "tshoot_watch_notify_errors_total", "counter",
                      "Alert notifications that failed (Alertmanager or webhook)."));
    CHECK(prom_sample(b, "tshoot_watch_notify_errors_total", none, 0, (double)w->notify_errors));
    CHECK(prom_family(b, "tshoot_watch_state_persisted", "gauge",
                      "1 when history is saved to the state file, 0 when memory-only."));
    CHECK(prom_sample(b, "tshoot_watch_state_persisted", none, 0, w->persisted));
    CHECK(prom_family(b, "tshoot_build_info", "gauge", "Version of tshoot."));
    struct prom_label vl[1] = { { "version", TSHOOT_VERSION } };
    CHECK(prom_sample(b, "tshoot_build_info", vl, 1, 1));
    return 0;
}
