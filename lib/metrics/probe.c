/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
    bool in_process; /* probes in the worker threads themselves (no child) */
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

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Count the directory's entries by prefix. No malloc (it also runs in the
 * forked probe child of a multithreaded process): getdents64 into a stack
 * buffer, a fixed table, a partial selection of the top prefixes. */
static void scan_dir(const char *path, unsigned scan_min, struct probe_result *res)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        res->scan_err = -errno;
        return;
    }
    struct pcount tab[PREFIX_TABLE];
    size_t n_tab = 0;
    char dbuf[16384] __attribute__((aligned(8)));
    bool stop = false;
    while (!stop) {
        long n = syscall(SYS_getdents64, fd, dbuf, sizeof dbuf);
        if (n < 0) {
            res->scan_err = -errno;
            break;
        }
        if (n == 0) break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *de = (struct linux_dirent64 *)(dbuf + off);
            off += de->d_reclen;
            if (streq(de->d_name, ".") || streq(de->d_name, "..")) continue;
            if (res->entries >= PROBE_SCAN_ENTRIES) {
                res->truncated = true;
                stop = true;
                break;
            }
            res->entries++;
            char pre[PROBE_PREFIX_MAX];
            if (!probe_name_prefix(de->d_name, pre, sizeof pre)) continue;
            size_t k;
            for (k = 0; k < n_tab; k++)
                if (streq(tab[k].prefix, pre)) break;
            if (k == n_tab) {
                if (n_tab == PREFIX_TABLE) continue; /* table full: new prefixes not counted */
                memcpy(tab[k].prefix, pre, sizeof pre);
                tab[k].count = 0;
                n_tab++;
            }
            tab[k].count++;
        }
    }
    close(fd);
    /* top PROBE_HOT_MAX by count (ties: by name), each >= scan_min */
    bool used[PREFIX_TABLE] = { false };
    while (res->n_hot < PROBE_HOT_MAX) {
        size_t best = n_tab;
        for (size_t k = 0; k < n_tab; k++) {
            if (used[k] || tab[k].count < scan_min) continue;
            if (best == n_tab || tab[k].count > tab[best].count ||
                (tab[k].count == tab[best].count && strcmp(tab[k].prefix, tab[best].prefix) < 0))
                best = k;
        }
        if (best == n_tab) break;
        used[best] = true;
        memcpy(res->hot[res->n_hot].prefix, tab[best].prefix, sizeof tab[best].prefix);
        res->hot[res->n_hot].count = tab[best].count;
        res->n_hot++;
    }
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

/* ---- the probe child ----
 * Each worker thread owns a child process that does the syscalls. A statvfs
 * stuck on a hung mount (a FUSE or NFS request the kernel cannot abort) then
 * blocks the child in the kernel, while the worker thread only waits on a
 * pipe: the daemon can still exit at once (a thread in such a syscall would
 * hold the whole process until the mount answers). */

struct probe_req {
    uint32_t scan_min;
    uint32_t len;
    char path[4096];
};

static bool read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

/* In the child: only syscalls, no malloc, no locks. */
_Noreturn static void child_main(int in, int out)
{
    struct probe_req rq;
    struct probe_result res;
    for (;;) {
        if (!read_full(in, &rq, offsetof(struct probe_req, path))) _exit(0);
        if (rq.len >= sizeof rq.path || !read_full(in, rq.path, rq.len)) _exit(0);
        rq.path[rq.len] = '\0';
        probe_run(rq.path, rq.scan_min, &res);
        if (!write_full(out, &res, sizeof res)) _exit(0);
    }
}

struct child {
    pid_t pid;
    int to, from;
};

static void child_stop(struct child *c)
{
    if (c->to >= 0) close(c->to);
    if (c->from >= 0) close(c->from);
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        (void)waitpid(c->pid, NULL, WNOHANG); /* a stuck one is reaped by init later */
    }
    *c = (struct child){ 0, -1, -1 };
}

static int child_start(struct child *c)
{
    int a[2], b[2];
    if (pipe2(a, O_CLOEXEC) < 0) return -errno;
    if (pipe2(b, O_CLOEXEC) < 0) {
        int r = -errno;
        close(a[0]);
        close(a[1]);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int r = -errno;
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
        return r;
    }
    if (pid == 0) {
        /* die with the worker thread that forked us (or with the daemon) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* keep only the two pipes: an inherited listening socket would keep
           the daemon's port busy after it exits */
        if (dup2(a[0], 0) < 0 || dup2(b[1], 1) < 0) _exit(1);
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull >= 0) dup2(devnull, 2);
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
            for (int fd = 3; fd < 65536; fd++) close(fd);
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        child_main(0, 1);
    }
    close(a[0]);
    close(b[1]);
    *c = (struct child){ pid, a[1], b[0] };
    return 0;
}

/* Run the job in the child; restart the child when it died. */
static void run_in_child(struct child *c, const struct probe_job *j, struct probe_result *res)
{
    struct probe_req rq;
    size_t len = strlen(j->path);
    memset(res, 0, sizeof *res);
    res->started_ns = ts_mono_ns();
    if (len >= sizeof rq.path) {
        res->err = -ENAMETOOLONG;
        res->finished_ns = ts_mono_ns();
        return;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->pid <= 0 && child_start(c) < 0) break;
        rq.scan_min = j->scan_min;
        rq.len = (uint32_t)len;
        memcpy(rq.path, j->path, len);
        if (write_full(c->to, &rq, offsetof(struct probe_req, path) + len) &&
            read_full(c->from, res, sizeof *res))
            return;
        child_stop(c); /* died (or was killed): start a fresh one */
    }
    /* no child: probe in this thread rather than not at all */
    probe_run(j->path, j->scan_min, res);
}

static void *worker(void *arg)
{
    struct probe_pool *p = arg;
    struct child ch = { 0, -1, -1 };
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
        if (p->in_process)
            probe_run(j->path, j->scan_min, &res);
        else
            run_in_child(&ch, j, &res);

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
    child_stop(&ch);
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
    pthread_attr_setstacksize(&a, 256 << 10);
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
    /* Healthy probes take microseconds; when every worker is still busy
     * after a slice, some are stuck on hung mounts: add a worker (up to
     * PROBE_WORKERS_MAX) so that the healthy filesystems get measured. */
    int64_t slice = 200 * 1000000LL, next_grow = ts_mono_ns() + slice;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        pending = 0;
        for (size_t i = 0; i < n; i++)
            if (jobs[i] && !__atomic_load_n(&jobs[i]->done, __ATOMIC_ACQUIRE)) pending++;
        if (pending == 0) break;
        int64_t now = ts_mono_ns();
        if (now >= next_grow) {
            if (p->idle == 0 && p->head && p->workers < PROBE_WORKERS_MAX) (void)spawn_locked(p);
            next_grow = now + slice;
        }
        int64_t until = TS_MIN(deadline_mono_ns, next_grow);
        ts = (struct timespec){ .tv_sec = until / TS_NSEC_PER_SEC,
                                .tv_nsec = until % TS_NSEC_PER_SEC };
        if (pthread_cond_timedwait(&p->done, &p->lock, &ts) == ETIMEDOUT &&
            ts_mono_ns() >= deadline_mono_ns) {
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
