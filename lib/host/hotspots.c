/* SPDX-License-Identifier: MIT */
/* File-count hot spots (see hotspots.h) and the collect section using them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <sys/syscall.h>

#include "core/timeutil.h"
#include "host/hostctx.h"
#include "host/hotspots.h"
#include "host/procparse.h"

#define PFX_SLOTS 1024 /* power of two; prefixes per directory beyond this go to "other" */
#define TOP_HOT   16
#define TOP_DIRS  8

struct pfx_slot {
    uint32_t hash;
    uint8_t len, used, estimated;
    char name[PREFIX_MAX];
    uint64_t count, bytes;
    int64_t oldest, newest;
};

struct hot_group {
    char *dir;
    char prefix[PREFIX_MAX];
    bool estimated;
    uint64_t count, bytes;
    int64_t oldest, newest;
};

struct top_dir {
    char *dir;
    uint64_t entries;
};

struct scanner {
    const struct hot_opts *o;
    struct pfx_slot slots[PFX_SLOTS];
    uint16_t used[PFX_SLOTS];
    size_t n_used;
    uint64_t overflow; /* files whose prefix found no slot */
    char path[PATH_MAX];
    size_t plen;
    dev_t dev;
    uint64_t entries, files, dirs, bytes, stats, stat_errors, open_errors;
    bool sampled;
    uint64_t skipped_depth, skipped_otherfs, skipped_symlinks;
    bool truncated;
    const char *trunc_reason;
    struct hot_group hot[TOP_HOT];
    size_t n_hot;
    struct top_dir top[TOP_DIRS];
    size_t n_top;
    int oom;
};

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* mtime INT64_MIN: the file was not stat()ed (sampling). */
static void pfx_add(struct scanner *s, const char *pfx, size_t n, uint64_t bytes, int64_t mtime,
                    bool estimated)
{
    uint32_t h = hash_name(pfx, n);
    for (size_t probe = 0; probe < 32; probe++) {
        size_t i = (h + probe) & (PFX_SLOTS - 1);
        struct pfx_slot *sl = &s->slots[i];
        if (!sl->used) {
            if (s->n_used >= PFX_SLOTS * 3 / 4) break;
            sl->used = 1;
            sl->hash = h;
            sl->len = (uint8_t)n;
            memcpy(sl->name, pfx, n);
            sl->name[n] = '\0';
            sl->count = 0;
            sl->bytes = 0;
            sl->oldest = INT64_MAX;
            sl->newest = INT64_MIN;
            sl->estimated = 0;
            s->used[s->n_used++] = (uint16_t)i;
        } else if (sl->hash != h || sl->len != n || memcmp(sl->name, pfx, n) != 0) {
            continue;
        }
        sl->count++;
        sl->bytes += bytes;
        sl->estimated |= estimated;
        if (mtime != INT64_MIN) {
            if (mtime < sl->oldest) sl->oldest = mtime;
            if (mtime > sl->newest) sl->newest = mtime;
        }
        return;
    }
    s->overflow++;
}

/* Move this directory's groups into the top list, then clear the table. */
static void pfx_flush(struct scanner *s)
{
    for (size_t k = 0; k < s->n_used; k++) {
        struct pfx_slot *sl = &s->slots[s->used[k]];
        sl->used = 0;
        if (sl->count < 2) continue;
        size_t victim = s->n_hot;
        if (s->n_hot == TOP_HOT) {
            victim = 0;
            for (size_t i = 1; i < TOP_HOT; i++)
                if (s->hot[i].count < s->hot[victim].count) victim = i;
            if (s->hot[victim].count >= sl->count) continue;
        }
        char *dir = strdup(s->plen ? s->path : "/");
        if (!dir) {
            s->oom = 1;
            continue;
        }
        struct hot_group *g = &s->hot[victim];
        if (victim == s->n_hot)
            s->n_hot++;
        else
            free(g->dir);
        g->dir = dir;
        memcpy(g->prefix, sl->name, sizeof g->prefix);
        g->count = sl->count;
        g->bytes = sl->bytes;
        g->estimated = sl->estimated;
        g->oldest = sl->oldest;
        g->newest = sl->newest;
    }
    s->n_used = 0;
}

static void top_dir_add(struct scanner *s, uint64_t entries)
{
    if (entries == 0) return;
    size_t victim = s->n_top;
    if (s->n_top == TOP_DIRS) {
        victim = 0;
        for (size_t i = 1; i < TOP_DIRS; i++)
            if (s->top[i].entries < s->top[victim].entries) victim = i;
        if (s->top[victim].entries >= entries) return;
    }
    char *dir = strdup(s->plen ? s->path : "/");
    if (!dir) {
        s->oom = 1;
        return;
    }
    if (victim == s->n_top)
        s->n_top++;
    else
        free(s->top[victim].dir);
    s->top[victim].dir = dir;
    s->top[victim].entries = entries;
}

static bool over(struct scanner *s)
{
    if (s->truncated) return true;
    if (s->entries >= s->o->max_entries) {
        s->truncated = true;
        s->trunc_reason = "entry budget";
    } else if (s->o->deadline && (s->entries & 1023) == 0 && ts_mono_ns() > s->o->deadline) {
        s->truncated = true;
        s->trunc_reason = "time budget";
    }
    return s->truncated;
}

/* Takes ownership of dfd. */
static void scan_dir(struct scanner *s, int dfd, int depth)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        s->open_errors++;
        return;
    }
    uint64_t n = 0, subdirs = 0;
    /* Sampling: the first stat_full files of a directory are all stat()ed;
     * after that the stride doubles every stat_full stats, so a directory
     * of N files costs O(stat_full * log N) stats. Counts stay exact (they
     * come from readdir); bytes are scaled by the stride, mtimes come from
     * the sample. */
    uint64_t stride = 1, stats_at_stride = 0, nondir = 0;
    struct dirent *de;
    char pfx[PREFIX_MAX];
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
        if (over(s)) break;
        s->entries++;
        n++;
        if (de->d_type == DT_DIR) {
            s->dirs++;
            subdirs++;
            continue;
        }
        bool want_stat = de->d_type == DT_UNKNOWN || nondir % stride == 0;
        nondir++;
        struct stat st;
        if (want_stat) {
            if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                s->stat_errors++;
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                s->dirs++;
                subdirs++;
                nondir--;
                continue;
            }
        }
        if (de->d_type == DT_LNK || (want_stat && S_ISLNK(st.st_mode))) s->skipped_symlinks++;
        s->files++;
        size_t pl = name_prefix(nm, pfx);
        if (want_stat) {
            uint64_t b = (uint64_t)st.st_blocks * 512 * stride;
            s->bytes += b;
            s->stats++;
            pfx_add(s, pfx, pl, b, (int64_t)st.st_mtim.tv_sec, stride > 1);
            if (++stats_at_stride >= s->o->stat_full) {
                stride *= 2;
                stats_at_stride = 0;
                s->sampled = true;
            }
        } else {
            pfx_add(s, pfx, pl, 0, INT64_MIN, true);
        }
    }
    pfx_flush(s);
    top_dir_add(s, n);
    if (subdirs && !s->truncated) {
        rewinddir(d);
        while ((de = readdir(d))) {
            const char *nm = de->d_name;
            if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) continue;
            if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
            if (s->truncated) break;
            if (depth >= s->o->max_depth) {
                s->skipped_depth++;
                continue;
            }
            int fd = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (errno != ENOTDIR && errno != ELOOP) s->open_errors++;
                continue;
            }
            struct stat st;
            if (fstat(fd, &st) < 0 || st.st_dev != s->dev) {
                s->skipped_otherfs++;
                close(fd);
                continue;
            }
            size_t saved = s->plen, nl = strlen(nm);
            if (saved + 1 + nl >= sizeof s->path) {
                s->skipped_depth++;
                close(fd);
                continue;
            }
            s->path[s->plen++] = '/';
            memcpy(s->path + s->plen, nm, nl + 1);
            s->plen += nl;
            scan_dir(s, fd, depth + 1);
            s->plen = saved;
            s->path[saved] = '\0';
        }
    }
    closedir(d);
}

static int cmp_hot(const void *a, const void *b)
{
    const struct hot_group *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int cmp_top(const void *a, const void *b)
{
    const struct top_dir *x = a, *y = b;
    return x->entries < y->entries ? 1 : x->entries > y->entries ? -1 : 0;
}

static json_t *time_json(int64_t s)
{
    char b[64];
    if (s == INT64_MAX || s == INT64_MIN) return json_null();
    return json_string(ts_format(s * TS_NSEC_PER_SEC, 0, b, sizeof b));
}

int hot_open_in_root(const char *path, int flags)
{
    const char *p = startswith(path, "/proc/");
    if (p && *p >= '1' && *p <= '9') {
        const char *q = p;
        while (*q >= '0' && *q <= '9') q++;
        const char *rest = startswith(q, "/root");
        if (rest && (*rest == '/' || *rest == '\0')) {
            char rootp[64];
            snprintf(rootp, sizeof rootp, "/proc/%.*s/root", (int)(q - p), p);
            int rfd = open(rootp, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (rfd < 0) return -errno;
            while (*rest == '/') rest++;
            struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
            };
            int fd = (int)syscall(SYS_openat2, rfd, *rest ? rest : ".", &how, sizeof how);
            int e = errno;
            if (fd < 0 && e == ENOSYS) {
                /* old kernel: refuse a symlink at the last component at least */
                fd = openat(rfd, *rest ? rest : ".", flags | O_NOFOLLOW | O_CLOEXEC);
                e = errno;
            }
            close(rfd);
            return fd < 0 ? -e : fd;
        }
    }
    int fd = open(path, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int hot_open_dir(const char *path)
{
    return hot_open_in_root(path, O_RDONLY | O_DIRECTORY);
}

int hot_scan(const char *path, const char *label, const struct hot_opts *o, json_t **ret)
{
    *ret = NULL;
    int fd = hot_open_dir(path);
    if (fd < 0) return fd;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    struct scanner *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return -ENOMEM;
    }
    struct hot_opts oo = *o;
    if (oo.stat_full == 0) oo.stat_full = 1024;
    s->o = &oo;
    s->dev = st.st_dev;
    /* paths are reported as the user sees them: label + relative path */
    size_t ll = strlen(label);
    while (ll > 1 && label[ll - 1] == '/') ll--;
    if (ll >= sizeof s->path) ll = sizeof s->path - 1;
    memcpy(s->path, label, ll);
    s->plen = streq(label, "/") ? 0 : ll;
    s->path[s->plen] = '\0';
    int64_t t0 = ts_mono_ns();
    scan_dir(s, fd, 0);
    int64_t dt = ts_mono_ns() - t0;

    int r = -ENOMEM;
    json_t *j = json_object(), *hot = json_array(), *top = json_array(), *un = json_object();
    if (!j || !hot || !top || !un) {
        json_decref(j);
        json_decref(hot);
        json_decref(top);
        json_decref(un);
        goto out;
    }
    json_object_set_new(j, "path", json_redacted(label));
    json_object_set_new(j, "entries", json_integer((json_int_t)s->entries));
    json_object_set_new(j, "files", json_integer((json_int_t)s->files));
    json_object_set_new(j, "dirs", json_integer((json_int_t)s->dirs));
    json_object_set_new(j, "bytes", json_integer((json_int_t)s->bytes));
    json_object_set_new(j, "stat_calls", json_integer((json_int_t)s->stats));
    json_object_set_new(j, "sampled", json_boolean(s->sampled));
    json_object_set_new(j, "elapsed_ms", json_real((double)(dt / 10000) / 100.0));
    json_object_set_new(j, "truncated", json_boolean(s->truncated));
    json_object_set_new(un, "reason", s->truncated ? json_string(s->trunc_reason) : json_null());
    json_object_set_new(un, "deeper_than_limit", json_integer((json_int_t)s->skipped_depth));
    json_object_set_new(un, "other_filesystems", json_integer((json_int_t)s->skipped_otherfs));
    json_object_set_new(un, "symlinks_not_followed", json_integer((json_int_t)s->skipped_symlinks));
    json_object_set_new(un, "stat_errors", json_integer((json_int_t)s->stat_errors));
    json_object_set_new(un, "open_errors", json_integer((json_int_t)s->open_errors));
    json_object_set_new(un, "prefix_overflow", json_integer((json_int_t)s->overflow));
    json_object_set_new(j, "unscanned", un);
    qsort(s->top, s->n_top, sizeof s->top[0], cmp_top);
    for (size_t i = 0; i < s->n_top; i++) {
        json_t *d = json_object();
        if (!d) goto out_j;
        json_object_set_new(d, "dir", json_redacted(s->top[i].dir));
        json_object_set_new(d, "entries", json_integer((json_int_t)s->top[i].entries));
        json_array_append_new(top, d);
    }
    json_object_set_new(j, "top_dirs", top);
    top = NULL;
    qsort(s->hot, s->n_hot, sizeof s->hot[0], cmp_hot);
    for (size_t i = 0; i < s->n_hot; i++) {
        struct hot_group *g = &s->hot[i];
        if (g->count < oo.min_count) continue;
        json_t *h = json_object();
        if (!h) goto out_j;
        json_object_set_new(h, "dir", json_redacted(g->dir));
        json_object_set_new(h, "prefix", json_redacted(g->prefix));
        json_object_set_new(h, "count", json_integer((json_int_t)g->count));
        json_object_set_new(h, "bytes", json_integer((json_int_t)g->bytes));
        json_object_set_new(h, "bytes_estimated", json_boolean(g->estimated));
        json_object_set_new(h, "oldest_mtime", time_json(g->oldest));
        json_object_set_new(h, "newest_mtime", time_json(g->newest));
        int64_t span = g->newest - g->oldest;
        json_object_set_new(h, "span_s", json_integer(span));
        json_object_set_new(
            h, "rate_per_min",
            span > 0 ? json_real((double)(int64_t)((double)g->count * 60.0 / (double)span * 100.0) /
                                 100.0)
                     : json_null());
        json_array_append_new(hot, h);
    }
    json_object_set_new(j, "hotspots", hot);
    hot = NULL;
    if (s->oom) goto out_j;
    *ret = TAKE_PTR(j);
    r = 0;
out_j:
    json_decref(j);
    json_decref(top);
    json_decref(hot);
out:
    for (size_t i = 0; i < s->n_hot; i++) free(s->hot[i].dir);
    for (size_t i = 0; i < s->n_top; i++) free(s->top[i].dir);
    free(s);
    return r;
}

/* ---- collect section ---- */

/* Scan one tree with an equal share of the remaining time budget among the
 * trees still to scan (n_left includes this one). */
static int scan_one(struct hctx *c, json_t *scans, json_t *hotspots, const struct scan_target *t,
                    uint64_t min_count, size_t n_left)
{
    int64_t now = ts_mono_ns(), left = c->deadline - now;
    struct hot_opts ho = {
        .max_entries = c->o->scan_max_entries ? c->o->scan_max_entries : 200000,
        .deadline = left > 0 ? now + left / (int64_t)(n_left ? n_left : 1) : now,
        .min_count = min_count,
        .max_depth = 32,
        .stat_full = 1024,
    };
    json_t *res = NULL;
    int r = hot_scan(t->path, t->label, &ho, &res);
    if (r == -ENOMEM) return r;
    if (r < 0) {
        hctx_unavail(c, t->path, "scan: %s", strerror(-r));
        return 0;
    }
    json_t *ct = t->container ? json_incref(t->container) : json_null();
    json_object_set_new(res, "fs_mountpoint", json_redacted(t->fs_mountpoint));
    json_object_set_new(res, "container", ct);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(res, "hotspots"), i, h)
    {
        json_t *copy = json_copy(h);
        if (!copy) return -ENOMEM;
        json_object_set_new(copy, "fs_mountpoint", json_redacted(t->fs_mountpoint));
        json_object_set_new(copy, "container", json_incref(ct));
        json_array_append_new(hotspots, copy);
    }
    json_array_append_new(scans, res);
    return 0;
}

static int cmp_json_count(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The file system entry a hot spot lives on (same mountpoint, same
 * namespace), or NULL. */
static json_t *fs_of(struct hctx *c, json_t *h)
{
    const char *mp = json_string_value(json_object_get(h, "fs_mountpoint"));
    json_t *hc = json_object_get(h, "container");
    size_t i;
    json_t *fs;
    json_array_foreach(json_object_get(c->doc, "filesystems"), i, fs)
    {
        json_t *fc = json_object_get(fs, "container");
        if (!mp || !streq_ptr(json_string_value(json_object_get(fs, "mountpoint")), mp)) continue;
        if (json_is_object(fc) != json_is_object(hc)) continue;
        if (json_is_object(fc) && json_integer_value(json_object_get(fc, "pid")) !=
                                      json_integer_value(json_object_get(hc, "pid")))
            continue;
        return fs;
    }
    return NULL;
}

/* While a group still grows (newest file under an hour old), project when
 * its file system runs out of space or inodes at the rate its mtimes
 * imply: "fills_in_s" on the hot spot, and a finding when that is within a
 * day (the founding incident: ~18 session files a minute into a 64 MiB
 * /dev/shm). */
static void fill_projection(struct hctx *c, json_t *hot)
{
    size_t i;
    json_t *h;
    json_array_foreach(hot, i, h)
    {
        json_t *rate = json_object_get(h, "rate_per_min");
        json_int_t count = json_integer_value(json_object_get(h, "count"));
        json_int_t bytes = json_integer_value(json_object_get(h, "bytes"));
        const char *newest = json_string_value(json_object_get(h, "newest_mtime"));
        json_t *fs = fs_of(c, h);
        if (!json_is_real(rate) || json_real_value(rate) <= 0 || count < 100 || !newest || !fs)
            continue;
        struct tm tm = { 0 };
        if (!strptime(newest, "%Y-%m-%dT%H:%M:%SZ", &tm)) continue;
        int64_t age = c->now_s - (int64_t)timegm(&tm);
        if (age > 3600) continue; /* not growing now */
        double per_s = json_real_value(rate) / 60.0;
        double eta = -1;
        json_t *avail = json_object_get(fs, "avail_bytes");
        if (json_is_integer(avail) && bytes > 0) {
            double bps = per_s * (double)bytes / (double)count;
            eta = (double)json_integer_value(avail) / bps;
        }
        json_t *ifree = json_object_get(fs, "inodes_free");
        if (json_is_integer(ifree) && json_integer_value(json_object_get(fs, "inodes_total")) > 0) {
            double ieta = (double)json_integer_value(ifree) / per_s;
            if (eta < 0 || ieta < eta) eta = ieta;
        }
        if (eta < 0) continue;
        json_object_set_new(h, "fills_in_s", json_integer((json_int_t)eta));
        if (eta > 86400 || eta < 1) continue; /* far off, or already full (fs.full says so) */
        char subj[600], who[400] = "", d[32];
        json_t *ct = json_object_get(fs, "container");
        if (json_is_object(ct)) container_label(ct, who, sizeof who);
        snprintf(subj, sizeof subj, "%s%s%s", json_string_value(json_object_get(fs, "mountpoint")),
                 *who ? " in " : "", who);
        hctx_finding(c, "fs.filling", eta < 3600 ? "critical" : "warning", subj, eta, 86400,
                     "%s fills in ~%s: %lld files named %s* in %s grow by ~%.1f/min", subj,
                     ts_format_duration((int64_t)eta * TS_NSEC_PER_SEC, d, sizeof d),
                     (long long)count, json_string_value(json_object_get(h, "prefix")) ?: "",
                     json_string_value(json_object_get(h, "dir")) ?: "?", json_real_value(rate));
    }
}

int collect_hotspots(struct hctx *c)
{
    /* collect_mounts() placed the (empty) arrays right after "filesystems" */
    json_t *scans = json_object_get(c->doc, "scans"), *hot = json_object_get(c->doc, "hotspots");
    if (!json_is_array(scans) || !json_is_array(hot)) {
        scans = json_array();
        hot = json_array();
        if (!scans || !hot) {
            json_decref(scans);
            json_decref(hot);
            return -ENOMEM;
        }
        json_object_set_new(c->doc, "scans", scans);
        json_object_set_new(c->doc, "hotspots", hot);
    }
    if (c->o->no_hotspots) return 0;
    uint64_t min_count = c->o->hot_min_count ? c->o->hot_min_count : 10;
    for (size_t i = 0; i < c->o->n_scan; i++) {
        struct scan_target t = { (char *)c->o->scan_paths[i], (char *)c->o->scan_paths[i],
                                 (char *)c->o->scan_paths[i], NULL };
        int r = scan_one(c, scans, hot, &t, min_count, c->o->n_scan - i + c->n_targets);
        if (r < 0) return r;
    }
    for (size_t i = 0; i < c->n_targets; i++) {
        int r = scan_one(c, scans, hot, &c->targets[i], min_count, c->n_targets - i);
        if (r < 0) return r;
    }
    /* biggest groups first */
    size_t n = json_array_size(hot);
    if (n > 1) {
        json_t **v = calloc(n, sizeof *v);
        if (!v) return -ENOMEM;
        for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(hot, i));
        qsort(v, n, sizeof *v, cmp_json_count);
        json_array_clear(hot);
        for (size_t i = 0; i < n && i < 50; i++) json_array_append(hot, v[i]);
        for (size_t i = 0; i < n; i++) json_decref(v[i]);
        free(v);
    }
    fill_projection(c, hot);
    /* a prefix group on a file system with a fullness finding explains it */
    size_t i;
    json_t *h;
    json_array_foreach(hot, i, h)
    {
        const char *mp = json_string_value(json_object_get(h, "fs_mountpoint"));
        json_t *hc = json_object_get(h, "container");
        size_t k;
        json_t *f;
        json_array_foreach(c->findings, k, f)
        {
            const char *id = json_string_value(json_object_get(f, "id"));
            if (!id || !(streq(id, "fs.full") || streq(id, "fs.nearly_full") ||
                         streq(id, "fs.inodes_full") || streq(id, "fs.inodes_nearly_full")))
                continue;
            const char *subj = json_string_value(json_object_get(f, "subject"));
            if (!subj || !mp || strncmp(subj, mp, strlen(mp)) != 0 ||
                (subj[strlen(mp)] != '\0' && subj[strlen(mp)] != ' '))
                continue;
            if (json_is_object(hc) != (strstr(subj, " in ") != NULL)) continue;
            bool already = false;
            size_t q;
            json_t *g;
            json_array_foreach(c->findings, q, g)
            {
                const char *gs = json_string_value(json_object_get(g, "subject"));
                already = already ||
                          (streq(json_string_value(json_object_get(g, "id")) ?: "", "fs.hotspot") &&
                           gs && streq(gs, subj));
            }
            if (already) break;
            json_t *rate = json_object_get(h, "rate_per_min");
            char rbuf[64] = "";
            if (json_is_real(rate))
                snprintf(rbuf, sizeof rbuf, ", created at ~%.1f/min", json_real_value(rate));
            hctx_finding(c, "fs.hotspot", json_string_value(json_object_get(f, "severity")), subj,
                         (double)json_integer_value(json_object_get(h, "count")), 0,
                         "%lld files named %s%s in %s fill %s%s",
                         (long long)json_integer_value(json_object_get(h, "count")),
                         json_string_value(json_object_get(h, "prefix")) ?: "",
                         *(json_string_value(json_object_get(h, "prefix")) ?: "")
                             ? "*"
                             : "without a letter prefix",
                         json_string_value(json_object_get(h, "dir")), subj, rbuf);
            break;
        }
    }
    return 0;
}
