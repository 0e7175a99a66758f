/* SPDX-License-Identifier: MIT */
/*
 * patterns.c: `tshoot logs patterns` as a library call (see patterns.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/redact.h"
#include "logs/logs.h"
#include "logs/mask.h"
#include "logs/patterns.h"

#define OUT_CHUNK   (1u << 20)
#define READ_BUF    (4u << 20)
#define DEFAULT_MAX 50

/* --- --per-line --------------------------------------------------------- */

/* Redacted text of a template, cached per template slot. `src` is a copy of
 * the text it was made from (a slot can be reused by another template). */
struct red_ent {
    char *src, *red;
    size_t srclen, redlen;
};

/* What an id printed as during one ids_flush() (the miner does not change
 * while the buffered ids are written out). */
struct flush_memo {
    uint32_t gen; /* == per_line.flush_gen: t/len are valid */
    uint32_t len;
    const char *t;
};

struct per_line {
    struct miner *m;
    struct red_ent *red;     /* one per template slot */
    struct flush_memo *memo; /* one per template slot, or NULL */
    uint32_t flush_gen;
    size_t nred;
    uint32_t *ids;
    size_t n, cap, max;
    int streaming;
    patterns_write_fn write;
    void *ud;
    int err;
    char *out;
    size_t out_len;
};

static void out_flush(struct per_line *p)
{
    if (p->out_len && !p->err) p->err = p->write(p->ud, p->out, p->out_len);
    p->out_len = 0;
}

static void out_line(struct per_line *p, const char *s, size_t n)
{
    if (p->out_len + n + 1 > OUT_CHUNK) {
        out_flush(p);
        if (n + 1 > OUT_CHUNK) {
            if (!p->err) p->err = p->write(p->ud, s, n);
            if (!p->err) p->err = p->write(p->ud, "\n", 1);
            return;
        }
    }
    memcpy(p->out + p->out_len, s, n);
    p->out_len += n;
    p->out[p->out_len++] = '\n';
}

/* The template of id, redacted (everything tshoot writes is). Falls back to
 * the plain text when memory is short (a template holds no masked value). */
static const char *template_out(struct per_line *p, uint32_t id, size_t *ret_len)
{
    uint32_t root = miner_resolve(p->m, id);
    size_t len;
    const char *t = miner_text(p->m, root, &len);
    *ret_len = len;
    if (root >= p->nred) return t;
    struct red_ent *e = &p->red[root];
    if (e->src && e->srclen == len && memcmp(e->src, t, len) == 0) {
        *ret_len = e->redlen;
        return e->red;
    }
    free(e->src);
    free(e->red);
    *e = (struct red_ent){ 0 };
    char *src = strndup(t, len);
    char *red = src ? redact_dup(src, NULL) : NULL;
    if (!red) {
        free(src);
        return t;
    }
    *e = (struct red_ent){ .src = src, .red = red, .srclen = len, .redlen = strlen(red) };
    *ret_len = e->redlen;
    return e->red;
}

static void ids_flush(struct per_line *p)
{
    /* consecutive lines often share a template: resolve each id once */
    uint32_t last = UINT32_MAX;
    const char *t = NULL;
    size_t len = 0;
    p->flush_gen++;
    for (size_t i = 0; i < p->n; i++) {
        if (p->ids[i] != last) {
            last = p->ids[i];
            struct flush_memo *mm = p->memo && last < p->nred ? &p->memo[last] : NULL;
            if (mm && mm->gen == p->flush_gen) {
                t = mm->t;
                len = mm->len;
            } else {
                /* the pointers stay valid to the end of this flush: a redacted
                 * text is only replaced when its template's text changed */
                t = template_out(p, last, &len);
                if (mm && len <= UINT32_MAX)
                    *mm = (struct flush_memo){ p->flush_gen, (uint32_t)len, t };
            }
        }
        out_line(p, t, len);
    }
    p->n = 0;
}

static void before_evict(void *ud)
{
    struct per_line *p = ud;
    if (p->streaming) return;
    ids_flush(p);
    p->streaming = 1;
    free(p->ids);
    p->ids = NULL;
    p->cap = 0;
}

static int per_line_add(void *ud, const char *s, size_t n)
{
    struct per_line *p = ud;
    if (n && s[n - 1] == '\r') n--;
    uint32_t id;
    int r = miner_add(p->m, s, n, TS_TIME_NONE, NULL, &id);
    if (r < 0) return r;
    if (!p->streaming && p->n == p->cap) {
        if (p->cap >= p->max) {
            before_evict(p);
        } else {
            size_t nc = p->cap ? p->cap * 2 : 65536;
            if (nc > p->max) nc = p->max;
            uint32_t *ni = realloc(p->ids, nc * sizeof(uint32_t));
            if (!ni)
                before_evict(p); /* cannot buffer more: stream from here */
            else {
                p->ids = ni;
                p->cap = nc;
            }
        }
    }
    if (p->streaming) {
        size_t len;
        const char *t = template_out(p, id, &len);
        out_line(p, t, len);
    } else
        p->ids[p->n++] = id;
    return p->err;
}

/* Called with each raw line (no newline); returns 0 or -errno (stops). */
typedef int (*line_fn)(void *ud, const char *s, size_t n);

/* Raw lines of a plain file or stdin: no header parsing, bounded buffer;
 * at most `limit` bytes are read (UINT64_MAX: to the end). */
static int per_line_fd(line_fn add, void *p, int fd, char *buf, size_t bufsize, uint64_t limit)
{
    size_t have = 0;
    int skipping = 0; /* inside a line longer than the buffer */
    for (;;) {
        size_t want = bufsize - have;
        if (want > limit) want = (size_t)limit;
        if (!want) break;
        ssize_t r = read(fd, buf + have, want);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (r == 0) break;
        limit -= (uint64_t)r;
        have += (size_t)r;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            if (!nl) break;
            size_t end = (size_t)(nl - buf);
            if (!skipping) {
                int e = add(p, buf + start, end - start);
                if (e < 0) return e;
            }
            skipping = 0;
            start = end + 1;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have == bufsize) {
            /* a line longer than the buffer: mine its head, skip the rest */
            if (!skipping) {
                int e = add(p, buf, have);
                if (e < 0) return e;
            }
            skipping = 1;
            have = 0;
        }
    }
    if (have && !skipping) return add(p, buf, have);
    return 0;
}

static int is_compressed_name(const char *path)
{
    size_t n = strlen(path);
    return (n > 3 && streq(path + n - 3, ".gz")) || (n > 4 && streq(path + n - 4, ".zst"));
}

static int per_line_reader(line_fn add, void *p, const struct logs_query *q, const char *path)
{
    struct log_reader_opts ro = { .max_line = q->max_line,
                                  .since = TS_TIME_NONE,
                                  .until = TS_TIME_NONE };
    _cleanup_(log_reader_freep) struct log_reader *rd = NULL;
    int r = log_reader_new(&ro, &rd);
    if (r < 0) return r;
    r = log_reader_add_path(rd, path);
    if (r < 0) return r;
    struct log_record rec;
    while ((r = log_reader_next(rd, &rec)) > 0) {
        int e = add(p, rec.line, rec.line_len);
        if (e < 0) return e;
    }
    return r;
}

/* The lines of one input path (not "-"): a plain regular file is read
 * directly, anything else (directory, compressed) through a log reader. */
static int per_line_path(line_fn add, void *p, const struct logs_query *q, const char *path,
                         char *buf)
{
    struct stat stt;
    if (stat(path, &stt) < 0) return -errno;
    if (S_ISREG(stt.st_mode) && !is_compressed_name(path)) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -errno;
        int r = per_line_fd(add, p, fd, buf, READ_BUF, UINT64_MAX);
        close(fd);
        return r;
    }
    return per_line_reader(add, p, q, path);
}

/* --- several inputs: worker threads -------------------------------------- */

unsigned patterns_default_threads(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    else
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > PATTERNS_DEFAULT_MAX_THREADS) n = PATTERNS_DEFAULT_MAX_THREADS;
    return (unsigned)n;
}

/* Workers for n_paths inputs: 1 (the one-thread path) unless there are
 * several inputs, none of them stdin. */
static unsigned workers_for(const struct patterns_opts *o, const char *const *paths, size_t n_paths)
{
    unsigned t = o && o->threads ? o->threads : patterns_default_threads();
    if (t > PATTERNS_MAX_THREADS) t = PATTERNS_MAX_THREADS;
    if (t > n_paths) t = (unsigned)n_paths;
    if (t < 2) return 1;
    for (size_t i = 0; i < n_paths; i++)
        if (streq(paths[i], "-")) return 1;
    return t;
}

/* Split paths[0..n) into nw runs in input order, of about equal weight
 * (bytes on disk, compressed files x4, a directory 1 MiB): worker w gets
 * paths[first[w] .. first[w+1]). Every worker gets at least one path. */
static void split_paths(const char *const *paths, size_t n, unsigned nw, size_t *first)
{
    uint64_t *cum = calloc(n + 1, sizeof(uint64_t));
    if (!cum) { /* equal counts */
        for (unsigned w = 0; w <= nw; w++) first[w] = n * w / nw;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        uint64_t wt = 1;
        if (stat(paths[i], &st) == 0) {
            if (S_ISDIR(st.st_mode))
                wt = 1u << 20;
            else if (st.st_size > 0)
                wt = (uint64_t)st.st_size * (is_compressed_name(paths[i]) ? 4 : 1);
        }
        cum[i + 1] = cum[i] + wt;
    }
    first[0] = 0;
    size_t end = 0;
    for (unsigned w = 0; w + 1 < nw; w++) {
        /* take path `end`, then more while the run's middle is below the
         * target, leaving one path for each later worker */
        uint64_t target = cum[n] / nw * (w + 1);
        end++;
        while (end < n - (nw - 1 - w) && cum[end] + (cum[end + 1] - cum[end]) / 2 < target) end++;
        first[w + 1] = end;
    }
    first[nw] = n;
    free(cum);
}

struct worker {
    const struct logs_query *q;
    const struct patterns_opts *o;
    const char *const *paths;
    size_t n_paths;
    struct miner *m;
    int r;
    /* --per-line */
    uint32_t *ids;
    size_t n, cap, max;
    int evicted;
    int ranged; /* --per-line: bytes [roff, roff + rlen) of paths[0] */
    uint64_t roff, rlen;
    _Atomic int *stop; /* shared: set when the one-thread path must run */
    /* summary */
    struct log_reader *rd;
    size_t ok_paths;
    int first_err;
    _Atomic uint64_t bytes, disk_done, disk_total;
    pthread_t th;
    int started;
    _Atomic int stop_flag; /* ws[0]'s is the shared one */
};

static void worker_evict(void *ud)
{
    struct worker *w = ud;
    w->evicted = 1;
    atomic_store_explicit(w->stop, 1, memory_order_relaxed);
}

static int worker_line(void *ud, const char *s, size_t n)
{
    struct worker *w = ud;
    if (n && s[n - 1] == '\r') n--;
    uint32_t id;
    int r = miner_add(w->m, s, n, TS_TIME_NONE, NULL, &id);
    if (r < 0) return r;
    if (atomic_load_explicit(w->stop, memory_order_relaxed)) return -ECANCELED;
    if (w->n == w->cap) {
        if (w->cap >= w->max) goto full;
        size_t nc = w->cap ? w->cap * 2 : 65536;
        if (nc > w->max) nc = w->max;
        uint32_t *ni = realloc(w->ids, nc * sizeof(uint32_t));
        if (!ni) goto full;
        w->ids = ni;
        w->cap = nc;
    }
    w->ids[w->n++] = id;
    return 0;
full:
    atomic_store_explicit(w->stop, 1, memory_order_relaxed);
    return -ECANCELED;
}

static struct miner_opts worker_miner_opts(struct worker *w)
{
    return (struct miner_opts){ .max_templates = w->o ? w->o->max_templates : 0,
                                .min_distinct = w->o ? w->o->min_distinct : 0,
                                .before_evict = worker_evict,
                                .userdata = w };
}

static void *per_line_worker(void *ud)
{
    struct worker *w = ud;
    char *buf = malloc(READ_BUF);
    if (!buf) {
        w->r = -ENOMEM;
        return NULL;
    }
    struct miner_opts mo = worker_miner_opts(w);
    w->r = miner_new(&mo, &w->m);
    if (w->r >= 0 && w->ranged) {
        int fd = open(w->paths[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            w->r = -errno;
        else {
            if (lseek(fd, (off_t)w->roff, SEEK_SET) < 0)
                w->r = -errno;
            else
                w->r = per_line_fd(worker_line, w, fd, buf, READ_BUF, w->rlen);
            close(fd);
        }
    }
    for (size_t i = 0; i < w->n_paths && w->r >= 0 && !w->ranged; i++)
        w->r = per_line_path(worker_line, w, w->q, w->paths[i], buf);
    free(buf);
    return NULL;
}

/* Offset of the first line start at or after `at` in fd (size bytes). */
static uint64_t line_start_at(int fd, uint64_t at, uint64_t size)
{
    if (at == 0 || at >= size) return at < size ? at : size;
    char b[65536];
    uint64_t pos = at - 1; /* a line starts at `at` when byte at-1 is '\n' */
    while (pos < size) {
        ssize_t r = pread(fd, b, sizeof(b), (off_t)pos);
        if (r <= 0) return size;
        char *nl = memchr(b, '\n', (size_t)r);
        if (nl) return pos + (uint64_t)(nl - b) + 1;
        pos += (uint64_t)r;
    }
    return size;
}

/* Workers for --per-line over ONE plain file of at least
 * PATTERNS_SPLIT_MIN bytes: nw byte ranges cut at line starts, in order;
 * NULL (one thread) otherwise or when memory is short. */
static struct worker *workers_ranges(const struct logs_query *q, const struct patterns_opts *o,
                                     const char *path, unsigned *nw)
{
    unsigned t = o && o->threads ? o->threads : patterns_default_threads();
    if (t > PATTERNS_MAX_THREADS) t = PATTERNS_MAX_THREADS;
    if (t < 2 || streq(path, "-") || is_compressed_name(path)) return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < PATTERNS_SPLIT_MIN) {
        close(fd);
        return NULL;
    }
    uint64_t size = (uint64_t)st.st_size;
    /* ranges of at least half the threshold */
    uint64_t most = size / (PATTERNS_SPLIT_MIN / 2);
    if (t > most) t = (unsigned)most;
    struct worker *ws = calloc(t, sizeof(*ws));
    if (!ws) {
        close(fd);
        return NULL;
    }
    uint64_t start = 0;
    for (unsigned i = 0; i < t; i++) {
        uint64_t end = i + 1 == t ? size : line_start_at(fd, size / t * (i + 1), size);
        if (end < start) end = start;
        ws[i].q = q;
        ws[i].o = o;
        ws[i].paths = (const char *const *)q->paths;
        ws[i].n_paths = 1;
        ws[i].ranged = 1;
        ws[i].roff = start;
        ws[i].rlen = end - start;
        ws[i].stop = &ws[0].stop_flag;
        start = end;
    }
    close(fd);
    *nw = t;
    return ws;
}

static void worker_publish(struct worker *w)
{
    const struct log_reader_stats *st = log_reader_stats(w->rd);
    atomic_store_explicit(&w->bytes, st->bytes, memory_order_relaxed);
    atomic_store_explicit(&w->disk_done, st->disk_done, memory_order_relaxed);
    atomic_store_explicit(&w->disk_total, st->disk_total, memory_order_relaxed);
}

static void *summary_worker(void *ud)
{
    struct worker *w = ud;
    const struct logs_query *q = w->q;
    struct log_reader_opts ro = { .max_line = q->max_line, .since = q->since, .until = q->until };
    w->r = log_reader_new(&ro, &w->rd);
    if (w->r < 0) return NULL;
    for (size_t i = 0; i < w->n_paths; i++) {
        int r = log_reader_add_path(w->rd, w->paths[i]);
        if (r < 0) {
            if (!w->first_err) w->first_err = r;
        } else
            w->ok_paths++;
    }
    struct miner_opts mo = worker_miner_opts(w);
    w->r = miner_new(&mo, &w->m);
    if (w->r < 0) return NULL;
    worker_publish(w);
    struct log_record rec;
    uint64_t nrec = 0;
    int r;
    while ((r = log_reader_next(w->rd, &rec)) > 0) {
        r = miner_add(w->m, rec.msg, rec.msg_len, rec.time, rec.source, NULL);
        if (r < 0) break;
        if (atomic_load_explicit(w->stop, memory_order_relaxed)) {
            r = -ECANCELED;
            break;
        }
        if ((++nrec & 0xffff) == 0) worker_publish(w);
    }
    worker_publish(w);
    w->r = r < 0 ? r : 0;
    return NULL;
}

/* Run fn on each of ws[0..nw) in its own thread (in the calling thread
 * when a thread cannot be started) and wait for all; q->progress (when
 * set) is called about every 200 ms with the summed reader counters. */
static void workers_run(struct worker *ws, unsigned nw, void *(*fn)(void *),
                        const struct logs_query *q)
{
    for (unsigned i = 0; i < nw; i++)
        ws[i].started = pthread_create(&ws[i].th, NULL, fn, &ws[i]) == 0;
    for (unsigned i = 0; i < nw; i++)
        if (!ws[i].started) fn(&ws[i]);
    for (unsigned i = 0; i < nw; i++) {
        if (!ws[i].started) continue;
        for (;;) {
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_nsec += 200000000;
            if (dl.tv_nsec >= 1000000000) {
                dl.tv_sec++;
                dl.tv_nsec -= 1000000000;
            }
            if (!q->progress) {
                pthread_join(ws[i].th, NULL);
                break;
            }
            if (pthread_timedjoin_np(ws[i].th, NULL, &dl) != ETIMEDOUT) break;
            uint64_t b = 0, dd = 0, dt = 0;
            for (unsigned k = 0; k < nw; k++) {
                b += atomic_load_explicit(&ws[k].bytes, memory_order_relaxed);
                dd += atomic_load_explicit(&ws[k].disk_done, memory_order_relaxed);
                dt += atomic_load_explicit(&ws[k].disk_total, memory_order_relaxed);
            }
            q->progress(q->progress_userdata, b, dd, dt);
        }
    }
}

static struct worker *workers_new(const struct logs_query *q, const struct patterns_opts *o,
                                  unsigned nw)
{
    struct worker *ws = calloc(nw, sizeof(*ws));
    size_t *first = calloc(nw + 1, sizeof(size_t));
    if (!ws || !first) {
        free(ws);
        free(first);
        return NULL;
    }
    const char *const *paths = (const char *const *)q->paths;
    split_paths(paths, q->n_paths, nw, first);
    for (unsigned i = 0; i < nw; i++) {
        ws[i].q = q;
        ws[i].o = o;
        ws[i].paths = paths + first[i];
        ws[i].n_paths = first[i + 1] - first[i];
        ws[i].stop = &ws[0].stop_flag;
    }
    free(first);
    return ws;
}

static void workers_free(struct worker *ws, unsigned nw)
{
    if (!ws) return;
    for (unsigned i = 0; i < nw; i++) {
        miner_free(ws[i].m);
        log_reader_free(ws[i].rd);
        free(ws[i].ids);
    }
    free(ws);
}

/* --per-line with nw workers: each mines its run of inputs with its own
 * miner and keeps each line's local template id; the miners are merged
 * into worker 0's (miner_absorb), the ids mapped to it, and the lines are
 * written in input order. Returns 1 when done (p->m then is the merged
 * miner), 0 when the one-thread path must run instead (a worker's id
 * buffer is full or its miner evicted, the merged miner evicted, a
 * worker failed: the one-thread path reports the error as it would),
 * -ENOMEM. */
static int per_line_par(struct per_line *p, const struct logs_query *q, struct worker *ws,
                        unsigned nw)
{
    size_t max = p->max / nw;
    for (unsigned i = 0; i < nw; i++) ws[i].max = max ? max : 1;
    workers_run(ws, nw, per_line_worker, q);
    int r = atomic_load(&ws[0].stop_flag) ? 0 : 1;
    for (unsigned i = 0; i < nw && r == 1; i++)
        if (ws[i].r < 0) r = ws[i].r == -ENOMEM ? -ENOMEM : 0;
    struct miner *dst = r == 1 ? ws[0].m : NULL;
    for (unsigned i = 1; i < nw && r == 1; i++) {
        uint32_t *map = malloc((miner_slots(ws[i].m) + 1) * sizeof(uint32_t));
        if (!map) {
            r = -ENOMEM;
            break;
        }
        int e = miner_absorb(dst, ws[i].m, map);
        if (e < 0 || atomic_load(&ws[0].stop_flag)) {
            free(map);
            r = e == -ENOMEM ? -ENOMEM : 0;
            break;
        }
        for (size_t k = 0; k < ws[i].n; k++) {
            uint32_t g = map[ws[i].ids[k]];
            if (g == UINT32_MAX) {
                r = 0;
                break;
            }
            ws[i].ids[k] = g;
        }
        free(map);
        ws[i].m = miner_free(ws[i].m);
    }
    if (r == 1) {
        miner_free(p->m);
        /* its before_evict still points at ws[0], freed below: nothing is
         * added to this miner any more, its templates are only printed */
        p->m = TAKE_PTR(ws[0].m);
        for (unsigned i = 0; i < nw; i++) {
            p->ids = ws[i].ids;
            p->n = ws[i].n;
            ids_flush(p);
            free(ws[i].ids);
            ws[i].ids = NULL;
        }
        p->ids = NULL;
        p->n = 0;
    }
    workers_free(ws, nw);
    return r;
}

int logs_patterns_per_line(const struct logs_query *q, const struct patterns_opts *o,
                           patterns_write_fn write, void *userdata, struct miner_stats *ret_stats)
{
    struct per_line p = { .write = write, .ud = userdata };
    p.max = o && o->max_buffered ? o->max_buffered : PATTERNS_DEFAULT_MAX_BUFFERED;
    struct miner_opts mo = { .max_templates = o ? o->max_templates : 0,
                             .min_distinct = o ? o->min_distinct : 0,
                             .before_evict = before_evict,
                             .userdata = &p };
    int r = miner_new(&mo, &p.m);
    if (r < 0) return r;
    p.nred = mo.max_templates ? mo.max_templates : MINER_DEFAULT_MAX_TEMPLATES;
    if (p.nred < 16) p.nred = 16;
    if (p.nred > (1u << 24)) p.nred = 1u << 24;
    p.red = calloc(p.nred, sizeof(*p.red));
    p.memo = p.red ? calloc(p.nred, sizeof(*p.memo)) : NULL; /* optional */
    if (!p.red) p.nred = 0;
    p.out = malloc(OUT_CHUNK);
    char *buf = malloc(READ_BUF);
    if (!p.out || !buf) {
        r = -ENOMEM;
        goto out;
    }
    static const char *const stdin_only[] = { "-" };
    const char *const *paths = q->n_paths ? (const char *const *)q->paths : stdin_only;
    size_t n_paths = q->n_paths ? q->n_paths : 1;
    unsigned nw = workers_for(o, paths, n_paths);
    struct worker *ws = NULL;
    if (nw > 1) {
        ws = workers_new(q, o, nw);
        if (!ws) {
            r = -ENOMEM;
            goto out;
        }
    } else if (n_paths == 1)
        ws = workers_ranges(q, o, paths[0], &nw);
    if (ws) {
        r = per_line_par(&p, q, ws, nw);
        if (r == 1) {
            out_flush(&p);
            r = p.err;
            n_paths = 0; /* done */
        } else if (r < 0)
            goto out;
    }
    for (size_t i = 0; i < n_paths && r >= 0; i++) {
        const char *path = paths[i];
        if (streq(path, "-")) {
            r = per_line_fd(per_line_add, &p, STDIN_FILENO, buf, READ_BUF, UINT64_MAX);
            continue;
        }
        r = per_line_path(per_line_add, &p, q, path, buf);
    }
    if (r >= 0) {
        ids_flush(&p);
        out_flush(&p);
        r = p.err;
    }
    if (ret_stats) *ret_stats = *miner_get_stats(p.m);
out:
    for (size_t i = 0; i < p.nred; i++) {
        free(p.red[i].src);
        free(p.red[i].red);
    }
    free(p.red);
    free(p.memo);
    free(buf);
    free(p.out);
    free(p.ids);
    miner_free(p.m);
    return r < 0 ? r : 0;
}

/* --- JSON document ------------------------------------------------------ */

static json_t *time_json(ts_time_t t)
{
    if (t == TS_TIME_NONE) return json_null();
    char b[64];
    if (!ts_format(t, 1, b, sizeof(b))) return json_null();
    return json_string(b);
}

static json_t *redacted_json(const char *s)
{
    char *r = redact_dup(s, NULL);
    if (!r) return NULL;
    json_t *j = json_stringn_nocheck(r, strlen(r));
    if (!j) j = json_string("");
    free(r);
    return j;
}

static int cmp_count(const void *a, const void *b)
{
    const struct miner_template *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int set_new(json_t *o, const char *k, json_t *v)
{
    if (!v) return -ENOMEM;
    return json_object_set_new(o, k, v) < 0 ? -ENOMEM : 0;
}

static int build_doc(const struct logs_query *q, const struct miner_opts *mo, struct miner *m,
                     const struct log_reader_stats *rs, struct log_reader *const *rds, size_t nrd,
                     json_t **ret);
static int run_par(const struct logs_query *q, const struct patterns_opts *o, unsigned nw,
                   json_t **ret);

int logs_patterns_run(const struct logs_query *q, json_t **ret)
{
    return logs_patterns_run_opts(q, NULL, ret);
}

int logs_patterns_run_opts(const struct logs_query *q, const struct patterns_opts *o, json_t **ret)
{
    if (!q->journal && q->n_paths > 1) {
        unsigned nw = workers_for(o, (const char *const *)q->paths, q->n_paths);
        if (nw > 1) {
            int r = run_par(q, o, nw, ret);
            if (r != 1) return r;
        }
    }
    struct log_reader_opts ro = { .max_line = q->max_line, .since = q->since, .until = q->until };
    _cleanup_(log_reader_freep) struct log_reader *rd = NULL;
    _cleanup_(miner_freep) struct miner *m = NULL;
    int r = log_reader_new(&ro, &rd);
    if (r < 0) return r;
    size_t ok_paths = 0;
    int first_err = 0;
    for (size_t i = 0; i < q->n_paths; i++) {
        r = log_reader_add_path(rd, q->paths[i]);
        if (r < 0) {
            if (!first_err) first_err = r;
        } else
            ok_paths++;
    }
    if (q->journal) {
        r = logs_query_add_journal(rd, q);
        if (r < 0 && !first_err) first_err = r;
        if (r >= 0) ok_paths++;
    }
    if (!q->n_paths && !q->journal) {
        r = log_reader_add_path(rd, "-");
        if (r < 0) return r;
        ok_paths++;
    }
    if (!ok_paths && first_err) return first_err;

    struct miner_opts mo = { .max_templates = o ? o->max_templates : 0,
                             .min_distinct = o ? o->min_distinct : 0 };
    r = miner_new(&mo, &m);
    if (r < 0) return r;
    struct log_record rec;
    int64_t last_prog = ts_mono_ns();
    uint64_t nrec = 0;
    while ((r = log_reader_next(rd, &rec)) > 0) {
        r = miner_add(m, rec.msg, rec.msg_len, rec.time, rec.source, NULL);
        if (r < 0) return r;
        if (q->progress && (++nrec & 0xffff) == 0) {
            int64_t now = ts_mono_ns();
            if (now - last_prog > 200000000) {
                const struct log_reader_stats *st = log_reader_stats(rd);
                last_prog = now;
                q->progress(q->progress_userdata, st->bytes, st->disk_done, st->disk_total);
            }
        }
    }
    if (r < 0) return r;
    if (q->progress) {
        const struct log_reader_stats *st = log_reader_stats(rd);
        q->progress(q->progress_userdata, st->bytes, st->disk_done, st->disk_total);
    }

    return build_doc(q, &mo, m, log_reader_stats(rd), &rd, 1, ret);
}

/* The --json document of miner m; rs: the reader counters, rds[0..nrd):
 * the readers whose per-file errors are listed, in order. */
static int build_doc(const struct logs_query *q, const struct miner_opts *mo, struct miner *m,
                     const struct log_reader_stats *rs, struct log_reader *const *rds, size_t nrd,
                     json_t **ret)
{
    /* collect the live templates, most frequent first */
    size_t n = 0, cap = 256;
    _cleanup_free_ struct miner_template *ts = malloc(cap * sizeof(*ts));
    if (!ts) return -ENOMEM;
    for (size_t i = 0;; i++) {
        struct miner_template t;
        int k = miner_template_at(m, i, &t);
        if (k == -ENOENT) break;
        if (k <= 0) continue;
        if (n == cap) {
            struct miner_template *nt = realloc(ts, cap * 2 * sizeof(*ts));
            if (!nt) return -ENOMEM;
            ts = nt;
            cap *= 2;
        }
        ts[n++] = t;
    }
    qsort(ts, n, sizeof(*ts), cmp_count);
    size_t max = q->max_items ? q->max_items : DEFAULT_MAX;

    const struct miner_stats *ms = miner_get_stats(m);
    json_t *doc = json_object();
    json_t *arr = json_array();
    json_t *errs = json_array();
    if (!doc || !arr || !errs) {
        json_decref(doc);
        json_decref(arr);
        json_decref(errs);
        return -ENOMEM;
    }
    int e = 0;
    e |= set_new(doc, "schema", json_string("tshoot.patterns/1"));
    e |= set_new(doc, "lines", json_integer((json_int_t)ms->lines));
    e |= set_new(doc, "bytes", json_integer((json_int_t)rs->bytes));
    e |= set_new(doc, "templates_total", json_integer((json_int_t)n));
    e |= set_new(doc, "templates_shown", json_integer((json_int_t)(n < max ? n : max)));
    e |= set_new(doc, "max_templates",
                 json_integer((json_int_t)(mo->max_templates ? mo->max_templates
                                                             : MINER_DEFAULT_MAX_TEMPLATES)));
    e |= set_new(doc, "evictions", json_integer((json_int_t)ms->evictions));
    e |= set_new(doc, "merges", json_integer((json_int_t)ms->merges));
    e |= set_new(doc, "truncated_lines", json_integer((json_int_t)(rs->truncated + ms->truncated)));
    e |= set_new(doc, "untimed_lines", json_integer((json_int_t)rs->untimed));
    e |= set_new(doc, "files", json_integer((json_int_t)rs->files));
    e |= set_new(doc, "skipped_binary", json_integer((json_int_t)rs->skipped_binary));
    for (size_t k = 0; k < nrd; k++)
        for (size_t i = 0;; i++) {
            const char *s = log_reader_error(rds[k], i);
            if (!s) break;
            e |= json_array_append_new(errs, json_string(s)) < 0 ? -ENOMEM : 0;
        }
    e |= set_new(doc, "errors", errs);
    for (size_t i = 0; i < n && i < max && !e; i++) {
        json_t *t = json_object();
        json_t *src = json_array();
        if (!t || !src) {
            json_decref(t);
            json_decref(src);
            e = -ENOMEM;
            break;
        }
        for (size_t k = 0; k < ts[i].n_sources; k++)
            json_array_append_new(src, json_string(ts[i].sources[k]));
        e |= set_new(t, "id", json_integer(ts[i].id));
        e |= set_new(t, "template", redacted_json(ts[i].text));
        e |= set_new(t, "count", json_integer((json_int_t)ts[i].count));
        e |= set_new(t, "first", time_json(ts[i].first));
        e |= set_new(t, "last", time_json(ts[i].last));
        e |= set_new(t, "example", redacted_json(ts[i].example));
        e |= set_new(t, "sources", src);
        e |= set_new(t, "more_sources", json_boolean(ts[i].more_sources));
        e |= json_array_append_new(arr, t) < 0 ? -ENOMEM : 0;
    }
    e |= set_new(doc, "templates", arr);
    if (e) {
        json_decref(doc);
        return -ENOMEM;
    }
    *ret = doc;
    return 0;
}

/* The summary over several inputs with nw workers (see patterns.h).
 * Returns 0 (*ret set), 1 when the one-thread path must run instead (a
 * miner evicted: what is kept then depends on the order lines come in), or
 * -errno. */
static int run_par(const struct logs_query *q, const struct patterns_opts *o, unsigned nw,
                   json_t **ret)
{
    struct worker *ws = workers_new(q, o, nw);
    if (!ws) return -ENOMEM;
    workers_run(ws, nw, summary_worker, q);
    if (atomic_load(&ws[0].stop_flag)) {
        workers_free(ws, nw);
        return 1;
    }
    int r = 0, first_err = 0;
    size_t ok_paths = 0;
    for (unsigned i = 0; i < nw; i++) {
        if (!first_err) first_err = ws[i].first_err;
        ok_paths += ws[i].ok_paths;
    }
    for (unsigned i = 0; i < nw && !r; i++)
        if (ws[i].r < 0) r = ws[i].r;
    if (!r && !ok_paths && first_err) r = first_err;
    struct log_reader_stats rs = { 0 };
    struct log_reader *rds[PATTERNS_MAX_THREADS];
    for (unsigned i = 0; i < nw && !r; i++) {
        const struct log_reader_stats *st = log_reader_stats(ws[i].rd);
        rs.bytes += st->bytes;
        rs.lines += st->lines;
        rs.untimed += st->untimed;
        rs.truncated += st->truncated;
        rs.files += st->files;
        rs.skipped_binary += st->skipped_binary;
        rs.skipped_symlink += st->skipped_symlink;
        rs.errors += st->errors;
        rs.filtered += st->filtered;
        rs.disk_total += st->disk_total;
        rs.disk_done += st->disk_done;
        rds[i] = ws[i].rd;
        if (i) {
            r = miner_absorb(ws[0].m, ws[i].m, NULL);
            ws[i].m = miner_free(ws[i].m);
            if (!r && atomic_load(&ws[0].stop_flag)) r = 1;
        }
    }
    if (!r && q->progress) q->progress(q->progress_userdata, rs.bytes, rs.disk_done, rs.disk_total);
    if (!r) {
        struct miner_opts mo = worker_miner_opts(&ws[0]);
        r = build_doc(q, &mo, ws[0].m, &rs, rds, nw, ret);
    }
    workers_free(ws, nw);
    return r;
}
