/* SPDX-License-Identifier: MIT */
/*
 * reader.c: records from files, directories, stdin, .gz/.zst and the
 * systemd journal, one line at a time, in bounded memory.
 *
 * Data path: read(2)/inflate/ZSTD_decompressStream fill one buffer of
 * max_line + 1 MiB; lines are found with memchr and handed out as pointers
 * into that buffer (no per-line copy or allocation). A partial line longer
 * than max_line is cut there (truncated, counted) and the rest of it is
 * skipped up to the next newline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <systemd/sd-journal.h>

#include "core/buf.h"
#include "logs/logs.h"

#define READ_CHUNK       (1u << 20)
#define IN_CHUNK         (256u << 10)
#define BINARY_PROBE     4096
#define MAX_ERRORS       1000
#define MAX_FILES        200000
#define MAX_DEPTH        64
#define DEFAULT_MAX_LINE (64u << 10)

enum src_kind { SRC_FILE, SRC_STDIN, SRC_JOURNAL };
enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct src {
    char *path; /* display path / source name */
    enum src_kind kind;
    char *unit;    /* journal */
    uint64_t size; /* on-disk size at queue time */
    size_t group;  /* rotation group (index of the first member) */
    int age_cls;   /* 0 dated, 1 numbered, 2 live */
    long age_num;  /* .N */
    const char *age_str;
    char *group_key;
    int skip;        /* belongs to another shard */
    char *open_path; /* what to open (resolved in-root symlink target), NULL: path */
    int nofollow;    /* found by a directory walk: open with O_NOFOLLOW */
    size_t idx;      /* queue position */
};

struct log_reader {
    struct log_reader_opts o;
    struct src *srcs;
    size_t n_srcs, cap_srcs;
    size_t cur;
    int started;
    /* current file */
    int fd;
    int active;
    enum comp comp;
    z_stream z;
    int z_init;
    ZSTD_DStream *zs;
    size_t zs_last;
    uint8_t *in;
    size_t in_len, in_pos;
    int in_eof;
    uint64_t comp_read; /* on-disk bytes read of this file */
    char *buf;
    size_t bufcap, start, end;
    int src_eof;
    int drop_partial; /* truncated archive: the unterminated tail is not a line */
    int probed;
    int skipping;
    uint64_t lineno;
    int year_hint;
    ts_time_t mtime;
    int last_pass;
    uint64_t disk_before; /* disk bytes of finished files */
    /* journal */
    sd_journal *j;
    char *jline;
    char jsource[256];
    /* parse scratch */
    char *scratch;
    size_t scratch_size;
    struct log_reader_stats st;
    char **errs;
    size_t n_errs;
};

static _printf_(2, 3) void add_error(struct log_reader *r, const char *fmt, ...)
{
    if (r->n_errs >= MAX_ERRORS) return;
    char **n = realloc(r->errs, (r->n_errs + 1) * sizeof(char *));
    if (!n) return;
    r->errs = n;
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    if (s) r->errs[r->n_errs++] = s;
}

int log_reader_new(const struct log_reader_opts *opts, struct log_reader **ret)
{
    struct log_reader *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    if (opts)
        r->o = *opts;
    else {
        r->o.since = TS_TIME_NONE;
        r->o.until = TS_TIME_NONE;
    }
    if (r->o.max_line == 0) r->o.max_line = DEFAULT_MAX_LINE;
    if (r->o.max_line > (256u << 20)) r->o.max_line = 256u << 20;
    r->fd = -1;
    r->bufcap = r->o.max_line + READ_CHUNK;
    r->buf = malloc(r->bufcap + 1);
    r->scratch_size = r->o.max_line * 2 + 64;
    r->scratch = malloc(r->scratch_size);
    if (!r->buf || !r->scratch) {
        log_reader_free(r);
        return -ENOMEM;
    }
    *ret = r;
    return 0;
}

static void close_current(struct log_reader *r)
{
    if (r->fd > 2) close(r->fd);
    r->fd = -1;
    if (r->z_init) inflateEnd(&r->z);
    r->z_init = 0;
    if (r->zs) ZSTD_freeDStream(r->zs);
    r->zs = NULL;
    if (r->j) sd_journal_close(r->j);
    r->j = NULL;
    r->active = 0;
    r->disk_before += r->comp_read;
    r->comp_read = 0;
}

struct log_reader *log_reader_free(struct log_reader *r)
{
    if (!r) return NULL;
    close_current(r);
    for (size_t i = 0; i < r->n_srcs; i++) {
        free(r->srcs[i].path);
        free(r->srcs[i].unit);
        free(r->srcs[i].group_key);
        free(r->srcs[i].open_path);
    }
    free(r->srcs);
    for (size_t i = 0; i < r->n_errs; i++) free(r->errs[i]);
    free(r->errs);
    free(r->in);
    free(r->buf);
    free(r->scratch);
    free(r->jline);
    free(r);
    return NULL;
}

/* Rotation: "app.log.2.gz" -> group "app.log", numbered 2;
 * "app.log-20260418.gz" -> group "app.log", dated "20260418"; "app.log" -> live. */
static int rotation_key(struct src *s)
{
    const char *p = s->path;
    size_t n = strlen(p);
    static const char *const exts[] = { ".gz", ".zst", ".xz", ".bz2", ".lz4" };
    for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
        size_t el = strlen(exts[i]);
        if (n > el && memcmp(p + n - el, exts[i], el) == 0) {
            n -= el;
            break;
        }
    }
    s->age_cls = 2;
    size_t d = n;
    while (d > 0 && p[d - 1] >= '0' && p[d - 1] <= '9') d--;
    if (d < n && d > 1 && p[d - 1] == '.' && n - d <= 6) {
        s->age_cls = 1;
        s->age_num = strtol(p + d, NULL, 10);
        n = d - 1;
    } else if (d < n && d > 1 && p[d - 1] == '-' && n - d >= 8 && n - d <= 10) {
        s->age_cls = 0;
        s->age_str = p + d;
        n = d - 1;
    }
    s->group_key = strndup(p, n);
    return s->group_key ? 0 : -ENOMEM;
}

static int push_src(struct log_reader *r, const char *path, enum src_kind kind, uint64_t size)
{
    if (r->n_srcs >= MAX_FILES) {
        add_error(r, "%s: too many files (limit %d), rest skipped", path, MAX_FILES);
        return 0;
    }
    if (r->n_srcs == r->cap_srcs) {
        size_t nc = r->cap_srcs ? r->cap_srcs * 2 : 16;
        struct src *ns = realloc(r->srcs, nc * sizeof(*ns));
        if (!ns) return -ENOMEM;
        r->srcs = ns;
        r->cap_srcs = nc;
    }
    struct src *s = &r->srcs[r->n_srcs];
    *s = (struct src){ .kind = kind, .size = size };
    s->path = strdup(path);
    if (!s->path) return -ENOMEM;
    if (kind == SRC_FILE && rotation_key(s) < 0) {
        free(s->path);
        return -ENOMEM;
    }
    r->n_srcs++;
    r->st.disk_total += size;
    return 1;
}

static int under_root(const char *real, const char *root)
{
    size_t n = strlen(root);
    if (streq(root, "/")) return 1;
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == 0);
}

static int walk(struct log_reader *r, const char *root_real, const char *dir, int depth)
{
    if (depth > MAX_DEPTH) {
        add_error(r, "%s: directory nesting too deep, not descended", dir);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        add_error(r, "%s: cannot open directory: %s", dir, strerror(errno));
        r->st.errors++;
        return 0;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    int ret = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (streq(de->d_name, ".") || streq(de->d_name, "..")) continue;
        if (nn == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **x = realloc(names, nc * sizeof(char *));
            if (!x) {
                ret = -ENOMEM;
                break;
            }
            names = x;
            cap = nc;
        }
        if (!(names[nn] = strdup(de->d_name))) {
            ret = -ENOMEM;
            break;
        }
        nn++;
    }
    int dfd = dirfd(d);
    for (size_t i = 0; i < nn && ret >= 0; i++) {
        char *path = NULL;
        if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]) < 0) {
            ret = -ENOMEM;
            break;
        }
        struct stat st;
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            free(path);
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            char *real = realpath(path, NULL);
            struct stat tst;
            int ok = real && stat(real, &tst) == 0 && S_ISREG(tst.st_mode) &&
                     (r->o.follow_symlinks || under_root(real, root_real));
            if (ok) {
                ret = push_src(r, path, SRC_FILE, (uint64_t)tst.st_size);
                if (ret > 0 && !r->o.follow_symlinks) {
                    /* open the checked target itself, so that a link swapped
                     * after the check cannot lead out of the root */
                    struct src *s = &r->srcs[r->n_srcs - 1];
                    s->open_path = real;
                    s->nofollow = 1;
                    real = NULL;
                }
            } else
                r->st.skipped_symlink++;
            free(real);
        } else if (S_ISDIR(st.st_mode)) {
            ret = walk(r, root_real, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            ret = push_src(r, path, SRC_FILE, (uint64_t)st.st_size);
            if (ret > 0 && !r->o.follow_symlinks) r->srcs[r->n_srcs - 1].nofollow = 1;
        }
        free(path);
    }
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    closedir(d);
    return ret;
}

int log_reader_add_path(struct log_reader *r, const char *path)
{
    if (!r || !path) return -EINVAL;
    if (streq(path, "-")) return TS_MIN(push_src(r, "-", SRC_STDIN, 0), 0);
    struct stat st;
    if (stat(path, &st) < 0) return -errno;
    if (S_ISDIR(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real) return -errno;
        int k = walk(r, real, path, 0);
        free(real);
        return TS_MIN(k, 0);
    }
    return TS_MIN(push_src(r, path, SRC_FILE, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0), 0);
}

int log_reader_add_journal(struct log_reader *r, const char *unit)
{
    if (!r) return -EINVAL;
    int k = push_src(r, unit ? unit : "journal", SRC_JOURNAL, 0);
    if (k <= 0) return k;
    struct src *s = &r->srcs[r->n_srcs - 1];
    if (unit) {
        if (strchr(unit, '.'))
            s->unit = strdup(unit);
        else if (asprintf(&s->unit, "%s.service", unit) < 0)
            s->unit = NULL;
        if (!s->unit) return -ENOMEM;
    }
    return 0;
}

static int age_cmp(const struct src *a, const struct src *b)
{
    if (a->age_cls != b->age_cls) return a->age_cls < b->age_cls ? -1 : 1;
    if (a->age_cls == 1) return a->age_num > b->age_num ? -1 : a->age_num < b->age_num;
    if (a->age_cls == 0) return strcmp(a->age_str, b->age_str);
    return 0;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int cmp_src(const void *a, const void *b)
{
    const struct src *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    int c = age_cmp(x, y);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Groups (rotated sets) keep the position of their first member, members
 * are ordered oldest first; otherwise the queue order is kept. O(n log n). */
static void sort_sources(struct log_reader *r)
{
    size_t ns = 16;
    while (ns < 2 * r->n_srcs) ns *= 2;
    size_t *tab = calloc(ns, sizeof(size_t));
    for (size_t i = 0; i < r->n_srcs; i++) {
        struct src *s = &r->srcs[i];
        s->group = i;
        s->idx = i;
        if (s->kind != SRC_FILE || !tab) continue;
        size_t h = (size_t)str_hash(s->group_key) & (ns - 1);
        while (tab[h]) {
            struct src *o = &r->srcs[tab[h] - 1];
            if (streq(o->group_key, s->group_key)) {
                s->group = o->group;
                break;
            }
            h = (h + 1) & (ns - 1);
        }
        if (!tab[h]) tab[h] = i + 1;
    }
    free(tab);
    qsort(r->srcs, r->n_srcs, sizeof(*r->srcs), cmp_src);
}

struct shard_group {
    size_t first, n; /* members are contiguous after sort_sources() */
    uint64_t size;
};

static int cmp_group_size(const void *a, const void *b)
{
    const struct shard_group *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Spread rotation groups over the shards: largest group first, each to the
 * least loaded shard (ties: lowest index); stdin and the journal to shard 0.
 * Deterministic for given inputs. */
static void assign_shards(struct log_reader *r)
{
    unsigned n = r->o.n_shards;
    if (n <= 1) return;
    if (n > 64) n = 64;
    uint64_t load[64] = { 0 };
    struct shard_group *g = calloc(r->n_srcs ? r->n_srcs : 1, sizeof(*g));
    size_t ng = 0;
    if (!g) {
        /* no memory to plan: shard 0 reads everything, the others nothing */
        for (size_t i = 0; i < r->n_srcs; i++) r->srcs[i].skip = r->o.shard != 0;
        goto out;
    }
    for (size_t i = 0; i < r->n_srcs; i++) {
        if (ng == 0 || r->srcs[i].group != r->srcs[g[ng - 1].first].group)
            g[ng++] = (struct shard_group){ .first = i };
        g[ng - 1].n++;
        g[ng - 1].size += r->srcs[i].size + 1;
    }
    qsort(g, ng, sizeof(*g), cmp_group_size);
    for (size_t k = 0; k < ng; k++) {
        unsigned target = 0;
        if (r->srcs[g[k].first].kind == SRC_FILE)
            for (unsigned j = 1; j < n; j++)
                if (load[j] < load[target]) target = j;
        load[target] += g[k].size;
        for (size_t i = g[k].first; i < g[k].first + g[k].n; i++)
            r->srcs[i].skip = target != r->o.shard;
    }
out:
    r->st.disk_total = 0;
    for (size_t i = 0; i < r->n_srcs; i++)
        if (!r->srcs[i].skip) r->st.disk_total += r->srcs[i].size;
    free(g);
}

static int year_of(ts_time_t t)
{
    time_t s = (time_t)(t / TS_NSEC_PER_SEC);
    struct tm tm;
    if (!gmtime_r(&s, &tm)) return 0;
    return tm.tm_year + 1900;
}

static int open_journal(struct log_reader *r, struct src *s)
{
    int k = sd_journal_open(&r->j, SD_JOURNAL_LOCAL_ONLY);
    if (k < 0) {
        add_error(r, "journal: cannot open: %s", strerror(-k));
        r->st.errors++;
        r->j = NULL;
        return 0;
    }
    if (s->unit) {
        char m[300];
        snprintf(m, sizeof(m), "_SYSTEMD_UNIT=%s", s->unit);
        (void)sd_journal_add_match(r->j, m, 0);
        (void)sd_journal_add_disjunction(r->j);
        snprintf(m, sizeof(m), "UNIT=%s", s->unit);
        (void)sd_journal_add_match(r->j, m, 0);
    }
    if (r->o.since != TS_TIME_NONE && r->o.since > 0)
        k = sd_journal_seek_realtime_usec(r->j, (uint64_t)(r->o.since / 1000));
    else
        k = sd_journal_seek_head(r->j);
    (void)k;
    if (!r->jline && !(r->jline = malloc(r->o.max_line + 1))) return -ENOMEM;
    r->active = 1;
    r->st.files++;
    return 1;
}

static int open_next(struct log_reader *r)
{
    while (r->cur < r->n_srcs) {
        struct src *s = &r->srcs[r->cur++];
        if (s->skip) continue;
        r->lineno = 0;
        r->start = r->end = 0;
        r->src_eof = 0;
        r->drop_partial = 0;
        r->probed = 0;
        r->skipping = 0;
        r->last_pass = 1;
        r->in_len = r->in_pos = 0;
        r->in_eof = 0;
        r->comp = COMP_NONE;
        r->comp_read = 0;
        if (s->kind == SRC_JOURNAL) {
            int k = open_journal(r, s);
            if (k != 0) return k;
            continue;
        }
        int fd;
        if (s->kind == SRC_STDIN)
            fd = 0;
        else {
            fd =
                open(s->open_path ? s->open_path : s->path,
                     O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (s->nofollow ? O_NOFOLLOW : 0));
            if (fd < 0) {
                add_error(r, "%s: cannot open: %s", s->path, strerror(errno));
                r->st.errors++;
                continue;
            }
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode) ||
            (s->kind == SRC_FILE && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
             !S_ISCHR(st.st_mode))) {
            add_error(r, "%s: not a regular file, skipped", s->path);
            if (fd > 2) close(fd);
            continue;
        }
        /* back to blocking reads (O_NONBLOCK only guarded the open of a FIFO) */
        if (fd > 2) {
            int fl = fcntl(fd, F_GETFL);
            if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        }
        r->fd = fd;
        r->mtime = S_ISREG(st.st_mode)
                       ? (ts_time_t)st.st_mtim.tv_sec * TS_NSEC_PER_SEC + st.st_mtim.tv_nsec
                       : ts_now();
        r->year_hint = year_of(r->mtime);
        r->active = 1;
        r->st.files++;
        /* compression by magic number */
        if (!r->in && !(r->in = malloc(IN_CHUNK))) return -ENOMEM;
        ssize_t n;
        do n = read(fd, r->in, IN_CHUNK);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            add_error(r, "%s: read error: %s", s->path, strerror(errno));
            r->st.errors++;
            close_current(r);
            continue;
        }
        r->in_len = (size_t)n;
        r->comp_read = (uint64_t)n;
        if (n == 0) r->in_eof = 1;
        if (n >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
            memset(&r->z, 0, sizeof(r->z));
            if (inflateInit2(&r->z, 15 + 32) != Z_OK) return -ENOMEM;
            r->z_init = 1;
            r->comp = COMP_GZIP;
        } else if (n >= 4 && r->in[0] == 0x28 && r->in[1] == 0xb5 && r->in[2] == 0x2f &&
                   r->in[3] == 0xfd) {
            r->zs = ZSTD_createDStream();
            if (!r->zs) return -ENOMEM;
            ZSTD_initDStream(r->zs);
            r->zs_last = 1;
            r->comp = COMP_ZSTD;
        } else if (n >= 6 && memcmp(r->in,
                                    "\xfd"
                                    "7zXZ",
                                    5) == 0) {
            add_error(r, "%s: xz compression is not supported, skipped", s->path);
            r->st.errors++;
            close_current(r);
            continue;
        } else if (n >= 3 && memcmp(r->in, "BZh", 3) == 0 && s->kind == SRC_FILE &&
                   strstr(s->path, ".bz2")) {
            add_error(r, "%s: bzip2 compression is not supported, skipped", s->path);
            r->st.errors++;
            close_current(r);
            continue;
        }
        return 1;
    }
    return 0;
}

static const char *cur_path(struct log_reader *r)
{
    return r->srcs[r->cur - 1].path;
}

static int read_in(struct log_reader *r)
{
    ssize_t n;
    do n = read(r->fd, r->in, IN_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        add_error(r, "%s: read error at byte %llu: %s", cur_path(r),
                  (unsigned long long)r->comp_read, strerror(errno));
        r->st.errors++;
        return -1;
    }
    if (n == 0) r->in_eof = 1;
    r->in_len = (size_t)n;
    r->in_pos = 0;
    r->comp_read += (uint64_t)n;
    return (int)(n > 0);
}

/* Append decompressed/plain bytes to buf[end..bufcap). Sets src_eof at the
 * end of the input. */
static void fill(struct log_reader *r)
{
    size_t room = r->bufcap - r->end;
    char *dst = r->buf + r->end;
    if (r->comp == COMP_NONE) {
        if (r->in_pos < r->in_len) { /* the probe block */
            size_t k = TS_MIN(room, r->in_len - r->in_pos);
            memcpy(dst, r->in + r->in_pos, k);
            r->in_pos += k;
            r->end += k;
            return;
        }
        if (r->in_eof) {
            r->src_eof = 1;
            return;
        }
        ssize_t n;
        do n = read(r->fd, dst, room);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            add_error(r, "%s: read error at byte %llu: %s", cur_path(r),
                      (unsigned long long)r->comp_read, strerror(errno));
            r->st.errors++;
            r->src_eof = 1;
        } else if (n == 0)
            r->src_eof = 1;
        else {
            r->end += (size_t)n;
            r->comp_read += (uint64_t)n;
        }
        return;
    }
    size_t produced = 0;
    while (produced == 0) {
        if (r->in_pos >= r->in_len) {
            if (r->in_eof) goto at_eof;
            int k = read_in(r);
            if (k < 0) {
                r->src_eof = 1;
                return;
            }
            if (k == 0) goto at_eof;
        }
        if (r->comp == COMP_GZIP) {
            r->z.next_in = r->in + r->in_pos;
            r->z.avail_in = (uInt)(r->in_len - r->in_pos);
            r->z.next_out = (Bytef *)dst;
            r->z.avail_out = (uInt)room;
            int zr = inflate(&r->z, Z_NO_FLUSH);
            size_t used = (r->in_len - r->in_pos) - r->z.avail_in;
            r->in_pos += used;
            produced = room - r->z.avail_out;
            if (zr == Z_STREAM_END) {
                /* concatenated members: continue when more input follows */
                if (r->in_pos >= r->in_len && !r->in_eof) {
                    if (read_in(r) <= 0) {
                        r->src_eof = 1;
                        inflateEnd(&r->z);
                        r->z_init = 0;
                        break;
                    }
                }
                if (r->in_pos < r->in_len) {
                    inflateReset(&r->z);
                } else {
                    inflateEnd(&r->z);
                    r->z_init = 0;
                    r->src_eof = 1;
                    break;
                }
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                r->drop_partial = 1;
                add_error(r, "%s: corrupt gzip stream at byte %llu", cur_path(r),
                          (unsigned long long)(r->comp_read - (r->in_len - r->in_pos)));
                r->st.errors++;
                r->src_eof = 1;
                break;
            }
        } else {
            ZSTD_inBuffer ib = { r->in, r->in_len, r->in_pos };
            ZSTD_outBuffer ob = { dst, room, 0 };
            size_t zr = ZSTD_decompressStream(r->zs, &ob, &ib);
            r->in_pos = ib.pos;
            produced = ob.pos;
            if (ZSTD_isError(zr)) {
                r->drop_partial = 1;
                add_error(r, "%s: corrupt zstd stream at byte %llu: %s", cur_path(r),
                          (unsigned long long)(r->comp_read - (r->in_len - r->in_pos)),
                          ZSTD_getErrorName(zr));
                r->st.errors++;
                r->src_eof = 1;
                break;
            }
            r->zs_last = zr;
        }
    }
    r->end += produced;
    return;
at_eof:
    r->src_eof = 1;
    if ((r->comp == COMP_GZIP && r->z_init) || (r->comp == COMP_ZSTD && r->zs_last != 0)) {
        r->drop_partial = 1;
        add_error(r, "%s: truncated %s stream at byte %llu", cur_path(r),
                  r->comp == COMP_GZIP ? "gzip" : "zstd", (unsigned long long)r->comp_read);
        r->st.errors++;
    }
}

/* Binary: a NUL byte, or more than 10% control bytes other than tab, CR, LF,
 * FF, ESC (ANSI colour), in the first block. */
static int looks_binary(const char *p, size_t n)
{
    if (n > BINARY_PROBE) n = BINARY_PROBE;
    if (memchr(p, 0, n)) return 1;
    size_t ctl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ||
            c == 0x7f)
            ctl++;
    }
    return ctl * 10 > n;
}

/* Next raw line of the current file: 1, or 0 at its end. */
static int next_line(struct log_reader *r, const char **line, size_t *len, int *trunc)
{
    for (;;) {
        if (r->start < r->end) {
            char *s = r->buf + r->start;
            size_t avail = r->end - r->start;
            char *nl = memchr(s, '\n', avail);
            if (r->skipping) {
                if (!nl) {
                    r->start = r->end;
                    goto refill;
                }
                r->start += (size_t)(nl - s) + 1;
                r->skipping = 0;
                continue;
            }
            if (nl) {
                size_t l = (size_t)(nl - s);
                r->start += l + 1;
                *trunc = 0;
                if (l > r->o.max_line) {
                    l = r->o.max_line;
                    *trunc = 1;
                }
                *line = s;
                *len = l;
                return 1;
            }
            if (avail >= r->o.max_line) {
                *line = s;
                *len = r->o.max_line;
                *trunc = 1;
                r->start = r->end;
                r->skipping = 1;
                return 1;
            }
            if (r->src_eof) {
                r->start = r->end;
                if (r->drop_partial) return 0;
                *line = s;
                *len = avail;
                *trunc = 0;
                return 1;
            }
        } else if (r->src_eof)
            return 0;
    refill:
        if (r->src_eof) {
            if (r->start >= r->end) return 0;
            continue;
        }
        if (r->start > 0) {
            size_t keep = r->end - r->start;
            memmove(r->buf, r->buf + r->start, keep);
            r->start = 0;
            r->end = keep;
        }
        size_t before = r->end;
        fill(r);
        r->st.bytes += r->end - before;
        if (!r->probed && (r->end > 0 || r->src_eof)) {
            r->probed = 1;
            if (looks_binary(r->buf, r->end)) {
                add_error(r, "%s: binary file skipped", cur_path(r));
                r->st.skipped_binary++;
                r->st.bytes -= r->end - before;
                r->start = r->end = 0;
                r->src_eof = 1;
                return 0;
            }
        }
    }
}

static int journal_next(struct log_reader *r, struct log_record *rec)
{
    for (;;) {
        int k = sd_journal_next(r->j);
        if (k <= 0) {
            if (k < 0) {
                add_error(r, "journal: read error: %s", strerror(-k));
                r->st.errors++;
            }
            return 0;
        }
        const void *d;
        size_t l;
        uint64_t usec = 0;
        (void)sd_journal_get_realtime_usec(r->j, &usec);
        ts_time_t t = (ts_time_t)usec * 1000;
        if (r->o.until != TS_TIME_NONE && t > r->o.until) return 0;
        if (sd_journal_get_data(r->j, "MESSAGE", &d, &l) < 0) continue;
        const char *m = (const char *)d + 8;
        l -= 8;
        int trunc = 0;
        if (l > r->o.max_line) {
            l = r->o.max_line;
            trunc = 1;
            r->st.truncated++;
        }
        memcpy(r->jline, m, l);
        r->jline[l] = 0;
        r->jsource[0] = 0;
        if (sd_journal_get_data(r->j, "_SYSTEMD_UNIT", &d, &l) >= 0 ||
            sd_journal_get_data(r->j, "SYSLOG_IDENTIFIER", &d, &l) >= 0) {
            const char *eq = memchr(d, '=', l);
            if (eq) {
                size_t vl = l - (size_t)(eq + 1 - (const char *)d);
                if (vl >= sizeof(r->jsource)) vl = sizeof(r->jsource) - 1;
                memcpy(r->jsource, eq + 1, vl);
                r->jsource[vl] = 0;
            }
        }
        if (!r->jsource[0]) snprintf(r->jsource, sizeof(r->jsource), "journal");
        enum log_level pl = LOG_LEVEL_UNKNOWN;
        if (sd_journal_get_data(r->j, "PRIORITY", &d, &l) >= 0 && l == 10)
            pl = log_level_parse((const char *)d + 9, 1);
        r->lineno++;
        rec->source = r->jsource;
        rec->lineno = r->lineno;
        rec->truncated = trunc;
        log_parse_line(r->jline, strlen(r->jline), r->year_hint, r->scratch, r->scratch_size, rec);
        rec->time = t;
        rec->yearless = 0;
        if (rec->level == LOG_LEVEL_UNKNOWN) rec->level = pl;
        if (rec->format == LOG_FORMAT_PLAIN) rec->format = LOG_FORMAT_JOURNAL;
        r->st.lines++;
        return 1;
    }
}

int log_reader_next(struct log_reader *r, struct log_record *rec)
{
    if (!r || !rec) return -EINVAL;
    if (!r->started) {
        sort_sources(r);
        assign_shards(r);
        r->started = 1;
    }
    for (;;) {
        if (!r->active) {
            int k = open_next(r);
            if (k <= 0) return k;
        }
        struct src *s = &r->srcs[r->cur - 1];
        if (s->kind == SRC_JOURNAL) {
            if (journal_next(r, rec) > 0) return 1;
            close_current(r);
            continue;
        }
        const char *line;
        size_t len;
        int trunc;
        if (!next_line(r, &line, &len, &trunc)) {
            close_current(r);
            continue;
        }
        r->lineno++;
        if (len && line[len - 1] == '\r') len--;
        rec->source = s->path;
        rec->lineno = r->lineno;
        rec->truncated = trunc;
        if (r->o.raw) {
            rec->time = TS_TIME_NONE;
            rec->level = LOG_LEVEL_UNKNOWN;
            rec->format = LOG_FORMAT_PLAIN;
            rec->msg = rec->line = line;
            rec->msg_len = rec->line_len = len;
            rec->err = NULL;
            rec->err_len = 0;
            rec->yearless = 0;
            r->st.lines++;
            r->st.untimed++;
            if (trunc) r->st.truncated++;
            return 1;
        }
        log_parse_line(line, len, r->year_hint, r->scratch, r->scratch_size, rec);
        if (rec->yearless && rec->time != TS_TIME_NONE &&
            rec->time > r->mtime + 2 * 86400 * TS_NSEC_PER_SEC) {
            /* a year-less stamp after the file's mtime belongs to the year before */
            log_parse_line(line, len, r->year_hint - 1, r->scratch, r->scratch_size, rec);
        }
        r->st.lines++;
        if (trunc) r->st.truncated++;
        if (rec->time == TS_TIME_NONE) {
            r->st.untimed++;
            if (!r->last_pass) {
                r->st.filtered++;
                continue;
            }
        } else if (r->o.since != TS_TIME_NONE || r->o.until != TS_TIME_NONE) {
            r->last_pass = (r->o.since == TS_TIME_NONE || rec->time >= r->o.since) &&
                           (r->o.until == TS_TIME_NONE || rec->time <= r->o.until);
            if (!r->last_pass) {
                r->st.filtered++;
                continue;
            }
        }
        return 1;
    }
}

const struct log_reader_stats *log_reader_stats(const struct log_reader *r)
{
    struct log_reader *w = (struct log_reader *)r;
    w->st.disk_done = r->disk_before + r->comp_read;
    return &r->st;
}

const char *log_reader_error(const struct log_reader *r, size_t i)
{
    if (!r || i >= r->n_errs) return NULL;
    return r->errs[i];
}
