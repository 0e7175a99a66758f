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
#include <ctype.h>
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
    char *jdir;    /* journal directory, or NULL */
    char **jfiles; /* journal files (n_jfiles), or NULL; neither: this host's journal */
    size_t n_jfiles;
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
    uint64_t j_seen;     /* entries iterated */
    uint64_t j_bad;      /* entries whose time or fields could not be read */
    uint64_t j_expected; /* entries the files' headers announce (0: unknown) */
    int j_stopped;       /* stopped early at --until */
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
        free(r->srcs[i].jdir);
        for (size_t k = 0; k < r->srcs[i].n_jfiles; k++) free(r->srcs[i].jfiles[k]);
        free(r->srcs[i].jfiles);
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

static int endswith(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* "web" -> "web.service"; names with a unit type suffix are kept. */
static int unit_name(const char *unit, char **ret)
{
    static const char *const types[] = { ".service", ".socket",    ".target", ".device",
                                         ".mount",   ".automount", ".swap",   ".timer",
                                         ".path",    ".slice",     ".scope" };
    if (!*unit || strlen(unit) > 255 || strchr(unit, '=')) return -EINVAL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (endswith(unit, types[i])) {
            *ret = strdup(unit);
            return *ret ? 0 : -ENOMEM;
        }
    return asprintf(ret, "%s.service", unit) < 0 ? -ENOMEM : 0;
}

static int push_journal(struct log_reader *r, const char *name, const char *unit, struct src **ret)
{
    _cleanup_free_ char *u = NULL;
    if (unit) {
        int k = unit_name(unit, &u);
        if (k < 0) return k;
    }
    int k = push_src(r, name, SRC_JOURNAL, 0);
    if (k <= 0) return k;
    *ret = &r->srcs[r->n_srcs - 1];
    (*ret)->unit = TAKE_PTR(u);
    return 1;
}

int log_reader_add_journal(struct log_reader *r, const char *unit)
{
    if (!r) return -EINVAL;
    struct src *s;
    int k = push_journal(r, unit ? unit : "journal", unit, &s);
    return TS_MIN(k, 0);
}

int log_reader_add_journal_dir(struct log_reader *r, const char *dir, const char *unit)
{
    if (!r || !dir) return -EINVAL;
    struct src *s;
    int k = push_journal(r, dir, unit, &s);
    if (k <= 0) return k;
    if (!(s->jdir = strdup(dir))) return -ENOMEM;
    return 0;
}

int log_reader_add_journal_files(struct log_reader *r, const char *const *files, size_t n,
                                 const char *unit)
{
    if (!r || !files || n == 0) return -EINVAL;
    _cleanup_free_ char *name = NULL;
    if (n == 1)
        name = strdup(files[0]);
    else if (asprintf(&name, "%s (+%zu journal files)", files[0], n - 1) < 0)
        name = NULL;
    if (!name) return -ENOMEM;
    struct src *s;
    int k = push_journal(r, name, unit, &s);
    if (k <= 0) return k;
    if (!(s->jfiles = calloc(n, sizeof(char *)))) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!(s->jfiles[i] = strdup(files[i]))) return -ENOMEM;
        s->n_jfiles++;
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

static uint64_t le64_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static int year_of(ts_time_t t)
{
    time_t s = (time_t)(t / TS_NSEC_PER_SEC);
    struct tm tm;
    if (!gmtime_r(&s, &tm)) return 0;
    return tm.tm_year + 1900;
}

/* Journal files: the header fields read before libsystemd maps the file
 * (docs: systemd's JOURNAL_FILE_FORMAT). */
#define JOURNAL_HEADER_MIN  160
#define JOURNAL_MAX_FILES   10000
#define JOURNAL_FIELD_SMALL 256

/* Check one journal file: our header checks, then libsystemd opens it alone.
 * Returns 0 and *ret_entries (the header's entry count), or -errno with
 * the reason in why. */
static int journal_file_probe(const char *path, uint64_t *ret_entries, char *why, size_t why_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        snprintf(why, why_size, "cannot open: %s", strerror(e));
        return -e;
    }
    struct stat st;
    unsigned char h[JOURNAL_HEADER_MIN];
    ssize_t n = -1;
    int r = 0;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        snprintf(why, why_size, "cannot stat: %s", strerror(-r));
    } else if (S_ISDIR(st.st_mode)) {
        r = -EISDIR;
        snprintf(why, why_size, "a directory, not a journal file");
    } else if (!S_ISREG(st.st_mode)) {
        r = -EBADMSG;
        snprintf(why, why_size, "not a regular file");
    } else {
        do n = pread(fd, h, sizeof(h), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            r = -errno;
            snprintf(why, why_size, "read error: %s", strerror(-r));
        }
    }
    close(fd);
    if (r < 0) return r;
    if ((size_t)n < sizeof(h) || memcmp(h, "LPKSHHRH", 8) != 0) {
        snprintf(why, why_size, "not a journal file");
        return -EBADMSG;
    }
    uint64_t hsize = le64_at(h + 88), arena = le64_at(h + 96);
    if (hsize < JOURNAL_HEADER_MIN || hsize > (uint64_t)st.st_size ||
        arena > (uint64_t)st.st_size - hsize) {
        snprintf(why, why_size, "truncated journal file (%llu of %llu bytes)",
                 (unsigned long long)st.st_size,
                 (unsigned long long)(hsize + TS_MIN(arena, UINT64_MAX - hsize)));
        return -EBADMSG;
    }
    sd_journal *j = NULL;
    const char *files[2] = { path, NULL };
    r = sd_journal_open_files(&j, files, 0);
    if (r < 0) {
        if (r == -EPROTONOSUPPORT)
            snprintf(why, why_size,
                     "journal file format not supported by this libsystemd "
                     "(written by a newer systemd?)");
        else
            snprintf(why, why_size, "corrupt journal file: %s", strerror(-r));
        return r == -EPROTONOSUPPORT ? r : -EBADMSG;
    }
    sd_journal_close(j);
    if (ret_entries) *ret_entries = le64_at(h + 152);
    return 0;
}

static int is_journal_name(const char *n)
{
    return endswith(n, ".journal") || endswith(n, ".journal~");
}

/* 32 hex digits, optionally followed by ".namespace": a machine-id directory. */
static int is_machine_dir(const char *n)
{
    for (int i = 0; i < 32; i++)
        if (!isxdigit((unsigned char)n[i])) return 0;
    return n[32] == 0 || n[32] == '.';
}

typedef int (*journal_file_fn)(void *u, const char *path);

/* Call fn on each journal file of dir and of its machine-id subdirectories
 * (what sd_journal_open_directory reads), at most JOURNAL_MAX_FILES. Returns
 * the number of files, or -errno. */
static int journal_dir_walk(const char *dir, int depth, journal_file_fn fn, void *u)
{
    DIR *d = opendir(dir);
    if (!d) return -errno;
    int n = 0, r = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < JOURNAL_MAX_FILES) {
        if (de->d_name[0] == '.') continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
            r = -ENOMEM;
            break;
        }
        struct stat st;
        if (stat(p, &st) == 0) { /* symlinks followed, as libsystemd does */
            if (S_ISREG(st.st_mode) && is_journal_name(de->d_name)) {
                n++;
                r = fn(u, p);
            } else if (S_ISDIR(st.st_mode) && depth == 0 && is_machine_dir(de->d_name)) {
                int k = journal_dir_walk(p, 1, fn, u);
                if (k < 0)
                    r = k == -ENOMEM ? k : 0;
                else
                    n += k;
            }
        }
        free(p);
        if (r < 0) break;
    }
    closedir(d);
    return r < 0 ? r : n;
}

struct dir_check {
    struct log_reader *r; /* NULL: log_journal_check */
    uint64_t entries;
    int ok;
    int first_err;
    char *why;
    size_t why_size;
};

static int dir_check_file(void *u, const char *path)
{
    struct dir_check *c = u;
    char why[256];
    uint64_t n = 0;
    int k = journal_file_probe(path, &n, why, sizeof why);
    if (k < 0) {
        if (c->r) {
            add_error(c->r, "%s: %s, skipped", path, why);
            c->r->st.errors++;
        } else if (!c->first_err) {
            c->first_err = k;
            snprintf(c->why, c->why_size, "%s: %s", path, why);
        }
        return 0;
    }
    c->ok++;
    c->entries += n;
    return 0;
}

int log_journal_check(const char *path, int dir, char *why, size_t why_size)
{
    char dummy[8];
    if (!why || !why_size) {
        why = dummy;
        why_size = sizeof dummy;
    }
    if (!path) return -EINVAL;
    if (!dir) return journal_file_probe(path, NULL, why, why_size);
    struct stat st;
    if (stat(path, &st) < 0) {
        int e = errno;
        snprintf(why, why_size, "%s", strerror(e));
        return -e;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, why_size, "not a directory");
        return -ENOTDIR;
    }
    struct dir_check c = { .why = why, .why_size = why_size };
    int k = journal_dir_walk(path, 0, dir_check_file, &c);
    if (k < 0) {
        snprintf(why, why_size, "%s", strerror(-k));
        return k;
    }
    if (c.ok) return 0;
    if (c.first_err) return c.first_err;
    snprintf(why, why_size, "no journal files (*.journal) in it");
    return -ENOENT;
}

/* Open the journal of s; 1 when open, 0 when skipped (listed as an error). */
static int open_journal(struct log_reader *r, struct src *s)
{
    int k;
    r->j_seen = r->j_bad = r->j_expected = 0;
    r->j_stopped = 0;
    uint64_t expected = 0;
    if (s->jfiles) {
        _cleanup_free_ const char **ok = calloc(s->n_jfiles + 1, sizeof(char *));
        if (!ok) return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < s->n_jfiles; i++) {
            char why[256];
            uint64_t e = 0;
            if (journal_file_probe(s->jfiles[i], &e, why, sizeof why) < 0) {
                add_error(r, "%s: %s, skipped", s->jfiles[i], why);
                r->st.errors++;
                continue;
            }
            ok[n++] = s->jfiles[i];
            expected += e;
        }
        if (n == 0) return 0;
        k = sd_journal_open_files(&r->j, ok, 0);
    } else if (s->jdir) {
        struct dir_check c = { .r = r };
        k = journal_dir_walk(s->jdir, 0, dir_check_file, &c);
        if (k == -ENOMEM) return k;
        if (k < 0) {
            add_error(r, "%s: cannot read the journal directory: %s", s->jdir, strerror(-k));
            r->st.errors++;
            return 0;
        }
        if (c.ok == 0) {
            if (k == 0) {
                add_error(r, "%s: no journal files (*.journal) in it", s->jdir);
                r->st.errors++;
            }
            return 0;
        }
        expected = c.entries;
        k = sd_journal_open_directory(&r->j, s->jdir, 0);
    } else
        k = sd_journal_open(&r->j, SD_JOURNAL_LOCAL_ONLY);
    if (k < 0) {
        add_error(r, "%s: cannot open the journal: %s", s->path, strerror(-k));
        r->st.errors++;
        r->j = NULL;
        return 0;
    }
    /* a hint only (compressed fields are cut there): journal_next caps again */
    k = sd_journal_set_data_threshold(r->j, r->o.max_line + sizeof("MESSAGE=") + 1);
    if (k >= 0 && s->unit) {
        _cleanup_free_ char *m1 = NULL, *m2 = NULL;
        if (asprintf(&m1, "_SYSTEMD_UNIT=%s", s->unit) < 0 || asprintf(&m2, "UNIT=%s", s->unit) < 0)
            return -ENOMEM;
        /* _SYSTEMD_UNIT=U OR (UNIT=U AND _PID=1): the unit's own lines and
         * systemd's messages about it */
        k = sd_journal_add_match(r->j, m1, 0);
        if (k >= 0) k = sd_journal_add_disjunction(r->j);
        if (k >= 0) k = sd_journal_add_match(r->j, m2, 0);
        if (k >= 0) k = sd_journal_add_match(r->j, "_PID=1", 0);
    }
    if (k >= 0) {
        if (r->o.since != TS_TIME_NONE && r->o.since > 0)
            k = sd_journal_seek_realtime_usec(r->j, (uint64_t)(r->o.since / 1000));
        else
            k = sd_journal_seek_head(r->j);
    }
    if (k < 0) {
        add_error(r, "%s: cannot read the journal: %s", s->path, strerror(-k));
        r->st.errors++;
        sd_journal_close(r->j);
        r->j = NULL;
        return 0;
    }
    /* the header counts are comparable with what we iterate only for a
     * whole, unfiltered read of copied files */
    if ((s->jfiles || s->jdir) && !s->unit && (r->o.since == TS_TIME_NONE || r->o.since <= 0))
        r->j_expected = expected;
    if (!r->jline && !(r->jline = malloc(r->o.max_line + 1))) return -ENOMEM;
    r->year_hint = year_of(ts_now());
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

/* Copy the value of field data d[0..l) ("NAME=value") to dst (capped). */
static void field_copy(char *dst, size_t cap, const char *d, size_t l, size_t name_len)
{
    size_t vl = l - name_len;
    if (vl >= cap) vl = cap - 1;
    memcpy(dst, d + name_len, vl);
    for (size_t i = 0; i < vl; i++)
        if (dst[i] == 0) dst[i] = ' ';
    dst[vl] = 0;
}

#define FIELD_IS(d, l, name) ((l) >= sizeof(name) - 1 && memcmp((d), name, sizeof(name) - 1) == 0)

static int journal_next(struct log_reader *r, struct log_record *rec)
{
    char unit[JOURNAL_FIELD_SMALL], ident[JOURNAL_FIELD_SMALL], comm[JOURNAL_FIELD_SMALL];
    for (;;) {
        int k = sd_journal_next(r->j);
        if (k <= 0) {
            if (k < 0) {
                add_error(r, "%s: journal read error after %llu entries: %s", cur_path(r),
                          (unsigned long long)r->j_seen, strerror(-k));
                r->st.errors++;
                r->j_stopped = 1;
            }
            return 0;
        }
        r->j_seen++;
        uint64_t usec = 0;
        k = sd_journal_get_realtime_usec(r->j, &usec);
        if (k < 0 || usec > (uint64_t)INT64_MAX / 1000) {
            r->j_bad++;
            continue;
        }
        ts_time_t t = (ts_time_t)usec * 1000;
        if (r->o.until != TS_TIME_NONE && t > r->o.until) {
            r->j_stopped = 1;
            return 0;
        }
        if (r->o.since != TS_TIME_NONE && t < r->o.since) {
            r->st.filtered++;
            continue;
        }
        const void *dv;
        size_t l, ml = 0;
        int have_msg = 0, trunc = 0, prio = -1, is_stdout = 0;
        unit[0] = ident[0] = comm[0] = 0;
        sd_journal_restart_data(r->j);
        while ((k = sd_journal_enumerate_available_data(r->j, &dv, &l)) > 0) {
            const char *d = dv;
            if (FIELD_IS(d, l, "MESSAGE=")) {
                /* binary-safe: by length; NUL, CR, LF inside become spaces */
                ml = l - 8;
                if (ml > r->o.max_line) {
                    ml = r->o.max_line;
                    trunc = 1;
                }
                memcpy(r->jline, d + 8, ml);
                for (size_t i = 0; i < ml; i++)
                    if (r->jline[i] == 0 || r->jline[i] == '\n' || r->jline[i] == '\r')
                        r->jline[i] = ' ';
                r->jline[ml] = 0;
                have_msg = 1;
            } else if (FIELD_IS(d, l, "_SYSTEMD_UNIT="))
                field_copy(unit, sizeof unit, d, l, 14);
            else if (FIELD_IS(d, l, "SYSLOG_IDENTIFIER="))
                field_copy(ident, sizeof ident, d, l, 18);
            else if (FIELD_IS(d, l, "_COMM="))
                field_copy(comm, sizeof comm, d, l, 6);
            else if (FIELD_IS(d, l, "PRIORITY=") && l == 10 && d[9] >= '0' && d[9] <= '7')
                prio = d[9] - '0';
            else if (l == 17 && memcmp(d, "_TRANSPORT=stdout", 17) == 0)
                is_stdout = 1;
        }
        if (k < 0) {
            r->j_bad++;
            continue;
        }
        if (!have_msg) continue;
        snprintf(r->jsource, sizeof(r->jsource), "%s",
                 unit[0]    ? unit
                 : ident[0] ? ident
                 : comm[0]  ? comm
                            : "journal");
        r->lineno++;
        rec->source = r->jsource;
        rec->lineno = r->lineno;
        rec->truncated = trunc;
        if (r->o.raw) {
            rec->level = LOG_LEVEL_UNKNOWN;
            rec->format = LOG_FORMAT_JOURNAL;
            rec->msg = rec->line = r->jline;
            rec->msg_len = rec->line_len = ml;
            rec->err = NULL;
            rec->err_len = 0;
        } else {
            log_parse_line(r->jline, ml, r->year_hint, r->scratch, r->scratch_size, rec);
            /* PRIORITY=6 is what journald gives every line of a captured
             * stdout stream: it says nothing about the line */
            enum log_level pl = prio < 0 || (prio == 6 && is_stdout) ? LOG_LEVEL_UNKNOWN
                                                                     : log_level_from_number(prio);
            if (pl > rec->level) rec->level = pl;
            if (rec->format == LOG_FORMAT_PLAIN) rec->format = LOG_FORMAT_JOURNAL;
        }
        rec->time = t;
        rec->yearless = 0;
        r->st.lines++;
        r->st.bytes += ml;
        if (trunc) r->st.truncated++;
        return 1;
    }
}

/* At the end of a journal: entries that could not be read, counted. */
static void journal_finish(struct log_reader *r)
{
    uint64_t total = r->j_seen, bad = r->j_bad;
    if (r->j_expected > r->j_seen && !r->j_stopped) {
        bad += r->j_expected - r->j_seen;
        total = r->j_expected;
    }
    if (bad) {
        add_error(r, "%s: %llu of %llu journal entries unreadable", cur_path(r),
                  (unsigned long long)bad, (unsigned long long)total);
        r->st.errors++;
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
            journal_finish(r);
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
