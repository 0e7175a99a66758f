/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/timeutil.h"
#include "metrics/probe.h"

#define PREFIX_TABLE 256

struct probe_job {
    struct probe_job *next; /* queue link */
    unsigned refs;          /* under pool lock */
    bool done;
    char *path;
    unsigned scan_min;
    int64_t submitted_ns;
    struct probe_result res;
};

struct probe_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* jobs queued or stop */
    pthread_cond_t done; /* a job finished */
    struct probe_job *head, *tail;
    unsigned workers, idle;
    bool stop;
};

bool probe_name_prefix(const char *name, char *ret, size_t size)
{
    size_t i;
    for (i = 0; name[i] && i + 1 < size; i++) {
        char c = name[i];
        if (c >= '0' && c <= '9') return false;
        if (c == '_' || c == '-' || c == '.') {
            if (i == 0 || !name[i + 1]) return false;
            memcpy(ret, name, i + 1);
            ret[i + 1] = '\0';
            return true;
        }
    }
    return false;
}

struct pcount {
    char prefix[PROBE_PREFIX_MAX];
    uint64_t count;
};

static int cmp_count_desc(const void *a, const void *b)
{
    const struct pcount *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->prefix, y->prefix);
}

static void scan_dir(const char *path, unsigned scan_min, struct probe_result *res)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        res->scan_err = -errno;
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        res->scan_err = -errno;
        close(fd);
        return;
    }
    struct pcount *tab = calloc(PREFIX_TABLE, sizeof *tab);
    if (!tab) {
        res->scan_err = -ENOMEM;
        closedir(d);
        return;
    }
    size_t n_tab = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (streq(de->d_name, ".") || streq(de->d_name, "..")) continue;
        if (res->entries >= PROBE_SCAN_ENTRIES) {
            res->truncated = true;
            break;
        }
        res->entries++;
        char pre[PROBE_PREFIX_MAX];
        if (!probe_name_prefix(de->d_name, pre, sizeof pre)) continue;
        size_t i;
        for (i = 0; i < n_tab; i++)
            if (streq(tab[i].prefix, pre)) break;
        if (i == n_tab) {
            if (n_tab == PREFIX_TABLE) continue; /* table full: new prefixes not counted */
            memcpy(tab[i].prefix, pre, sizeof pre);
            n_tab++;
        }
        tab[i].count++;
    }
    closedir(d);
    qsort(tab, n_tab, sizeof *tab, cmp_count_desc);
    for (size_t i = 0; i < n_tab && res->n_hot < PROBE_HOT_MAX; i++) {
        if (tab[i].count < scan_min) break;
        memcpy(res->hot[res->n_hot].prefix, tab[i].prefix, sizeof tab[i].prefix);
        res->hot[res->n_hot].count = tab[i].count;
        res->n_hot++;
    }
    free(tab);
}

void probe_run(const char *path, unsigned scan_min, struct probe_result *res)
{
    struct statvfs sv;
    memset(res, 0, sizeof *res);
    res->started_ns = ts_mono_ns();
    if (statvfs(path, &sv) < 0)
        res->err = -errno;
    else {
        double frs = sv.f_frsize ? (double)sv.f_frsize : (double)sv.f_bsize;
        res->size_bytes = (double)sv.f_blocks * frs;
        res->avail_bytes = (double)sv.f_bavail * frs;
        res->free_bytes = (double)sv.f_bfree * frs;
        res->files = (double)sv.f_files;
        res->files_free = (double)sv.f_ffree;
        res->readonly = sv.f_flag & ST_RDONLY;
        if (scan_min > 0) scan_dir(path, scan_min, res);
    }
    res->finished_ns = ts_mono_ns();
}

static void job_unref_locked(struct probe_job *j)
{
    if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(j->path);
        free(j);
    }
}

static void *worker(void *arg)
{
    struct probe_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stop) pthread_cond_wait(&p->work, &p->lock);
        if (p->stop) break;
        struct probe_job *j = p->head;
        p->head = j->next;
        if (!p->head) p->tail = NULL;
        p->idle--;
        pthread_mutex_unlock(&p->lock);

        struct probe_result res;
        probe_run(j->path, j->scan_min, &res);

        pthread_mutex_lock(&p->lock);
        j->res = res;
        __atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
        job_unref_locked(j);
        p->idle++;
        pthread_cond_broadcast(&p->done);
    }
    p->workers--;
    bool last = p->workers == 0;
    pthread_mutex_unlock(&p->lock);
    if (last) {
        /* the last worker out frees the pool (see probe_pool_free) */
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->done);
        free(p);
    }
    return NULL;
}

static int spawn_locked(struct probe_pool *p)
{
    pthread_attr_t a;
    pthread_t t;
    if (pthread_attr_init(&a) != 0) return -ENOMEM;
    pthread_attr_setstacksize(&a, 128 << 10);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&t, &a, worker, p);
    pthread_attr_destroy(&a);
    if (r != 0) return -r;
    p->workers++;
    p->idle++;
    return 0;
}

int probe_pool_new(struct probe_pool **ret)
{
    struct probe_pool *p = calloc(1, sizeof *p);
    if (!p) return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->done, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&p->work, NULL);
    pthread_mutex_lock(&p->lock);
    int r = 0;
    for (int i = 0; i < PROBE_WORKERS_MIN && r == 0; i++) r = spawn_locked(p);
    bool none = p->workers == 0;
    pthread_mutex_unlock(&p->lock);
    if (none) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->done);
        free(p);
        return r < 0 ? r : -EAGAIN;
    }
    *ret = p;
    return 0;
}

struct probe_pool *probe_pool_free(struct probe_pool *p)
{
    if (!p) return NULL;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    /* drop queued jobs */
    while (p->head) {
        struct probe_job *j = p->head;
        p->head = j->next;
        j->res.err = -ECANCELED;
        __atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
        job_unref_locked(j);
    }
    p->tail = NULL;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    /* Workers are detached; the last one to leave frees the pool. A worker
     * stuck in a hung statvfs never leaves, and the pool stays allocated
     * until the process exits, which is the point. */
    return NULL;
}

int probe_submit(struct probe_pool *p, const char *path, unsigned scan_min, struct probe_job **ret)
{
    struct probe_job *j = calloc(1, sizeof *j);
    if (!j) return -ENOMEM;
    j->path = strdup(path);
    if (!j->path) {
        free(j);
        return -ENOMEM;
    }
    j->scan_min = scan_min;
    j->refs = 2; /* the caller's and the queue's */
    j->submitted_ns = ts_mono_ns();
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    size_t queued = 0;
    for (struct probe_job *q = p->head; q; q = q->next) queued++;
    if (p->idle < queued && p->workers < PROBE_WORKERS_MAX) (void)spawn_locked(p);
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    *ret = j;
    return 0;
}

size_t probe_wait(struct probe_pool *p, struct probe_job *const *jobs, size_t n,
                  int64_t deadline_mono_ns)
{
    struct timespec ts = { .tv_sec = deadline_mono_ns / TS_NSEC_PER_SEC,
                           .tv_nsec = deadline_mono_ns % TS_NSEC_PER_SEC };
    size_t pending;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        pending = 0;
        for (size_t i = 0; i < n; i++)
            if (jobs[i] && !__atomic_load_n(&jobs[i]->done, __ATOMIC_ACQUIRE)) pending++;
        if (pending == 0) break;
        if (pthread_cond_timedwait(&p->done, &p->lock, &ts) == ETIMEDOUT) {
            pending = 0;
            for (size_t i = 0; i < n; i++)
                if (jobs[i] && !__atomic_load_n(&jobs[i]->done, __ATOMIC_ACQUIRE)) pending++;
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return pending;
}

/* `res` is written once by the worker before `done` is set (release); a
 * reader that sees `done` (acquire) sees the whole result. */
bool probe_job_result(struct probe_job *j, struct probe_result *ret)
{
    bool done = __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
    if (done) *ret = j->res;
    return done;
}

int64_t probe_job_started(struct probe_job *j)
{
    return j->submitted_ns;
}

struct probe_job *probe_job_unref(struct probe_job *j)
{
    if (!j) return NULL;
    if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(j->path);
        free(j);
    }
    return NULL;
}
