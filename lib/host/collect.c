/* SPDX-License-Identifier: MIT */
/* collect_run(): the orchestration and the shared helpers of lib/host. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/redact.h"
#include "core/timeutil.h"
#include "host/collect.h"
#include "host/hostctx.h"
#include "host/hotspots.h"
#include "host/procparse.h"

int hctx_path(const struct hctx *c, const char *path, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s", c->rootpfx, path);
    if (n < 0 || (size_t)n >= size) return -ENAMETOOLONG;
    return 0;
}

void hctx_unavail(struct hctx *c, const char *path, const char *fmt, ...)
{
    if (json_array_size(c->unavailable) >= HCTX_MAX_UNAVAIL) {
        c->n_unavail_dropped++;
        return;
    }
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    if (!o) return;
    json_object_set_new(o, "path", json_redacted(path));
    json_object_set_new(o, "reason", json_string(reason));
    json_array_append_new(c->unavailable, o);
}

/* /proc/PID/root/...: a file inside another mount namespace */
static bool is_in_container_root(const char *path)
{
    const char *p = startswith(path, "/proc/");
    if (!p || *p < '1' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
    return startswith(p, "/root/") != NULL;
}

/* Read a regular file inside a container's root, resolved there (a symlink
 * such as /etc/hostname -> /etc/shadow must not reach the host's file). At
 * most max bytes (-EFBIG past it, like read_file()). */
static int read_in_root(const char *path, size_t max, char **ret, size_t *ret_len)
{
    *ret = NULL;
    int fd = hot_open_in_root(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return fd;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    if (!S_ISREG(st.st_mode)) { /* a FIFO or device planted in a container */
        close(fd);
        return -EINVAL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    int r = 0;
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            if (cap > max) break;
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                r = -ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + len, cap - len);
        if (k < 0) {
            if (errno == EINTR) continue;
            r = -errno;
            break;
        }
        if (k == 0) break;
        len += (size_t)k;
    }
    close(fd);
    if (r < 0) {
        free(buf);
        return r;
    }
    if (len > max) {
        len = max;
        r = -EFBIG;
    }
    buf[len] = '\0';
    *ret = buf;
    if (ret_len) *ret_len = len;
    return r;
}

int hctx_read(struct hctx *c, const char *path, bool quiet_enoent, char **ret, size_t *ret_len)
{
    return hctx_read_max(c, path, HCTX_READ_MAX, quiet_enoent, ret, ret_len);
}

int hctx_read_max(struct hctx *c, const char *path, size_t max, bool quiet_enoent, char **ret,
                  size_t *ret_len)
{
    char full[HCTX_PATH_MAX];
    size_t len = 0;
    *ret = NULL;
    int r = hctx_path(c, path, full, sizeof full);
    if (r < 0) {
        hctx_unavail(c, path, "path too long");
        return r;
    }
    char *data = NULL;
    if (c->live && is_in_container_root(path))
        r = read_in_root(full, max, &data, &len);
    else
        r = read_file(full, max, &data, &len);
    if (r == -EFBIG) {
        free(data);
        hctx_unavail(c, path, "larger than %zu bytes", max);
        return r;
    }
    if (r < 0) {
        free(data);
        if (!(quiet_enoent && (r == -ENOENT || r == -ESRCH || r == -ENOTDIR)))
            hctx_unavail(c, path, "%s", strerror(-r));
        return r;
    }
    if (memchr(data, '\0', len)) {
        free(data);
        hctx_unavail(c, path, "binary content (NUL bytes)");
        return -EBADMSG;
    }
    *ret = data;
    if (ret_len) *ret_len = len;
    return 0;
}

bool hctx_over_budget(const struct hctx *c)
{
    return ts_mono_ns() > c->deadline;
}

int hctx_statvfs(struct hctx *c, const char *path, struct statvfs *st)
{
    memset(st, 0, sizeof *st);
    if (c->live) {
        if (!startswith(path, "/proc/")) return statvfs(path, st) < 0 ? -errno : 0;
        /* a container's mount: resolve inside its root (see hot_open_dir) */
        int fd = hot_open_dir(path);
        if (fd == -ENOTDIR) return statvfs(path, st) < 0 ? -errno : 0; /* a bind-mounted file */
        if (fd < 0) return fd;
        int r = fstatvfs(fd, st) < 0 ? -errno : 0;
        close(fd);
        return r;
    }
    if (!c->statvfs_fixture) return -ENOENT;
    /* lines: bsize blocks bfree bavail files ffree PATH */
    for (const char *l = c->statvfs_fixture; l && *l;) {
        const char *nl = strchr(l, '\n');
        unsigned long long v[6];
        int off = 0;
        if (sscanf(l, "%llu %llu %llu %llu %llu %llu %n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &off) == 6 &&
            off > 0) {
            size_t plen = nl ? (size_t)(nl - (l + off)) : strlen(l + off);
            if (plen == strlen(path) && strncmp(l + off, path, plen) == 0) {
                st->f_bsize = st->f_frsize = (unsigned long)v[0];
                st->f_blocks = (fsblkcnt_t)v[1];
                st->f_bfree = (fsblkcnt_t)v[2];
                st->f_bavail = (fsblkcnt_t)v[3];
                st->f_files = (fsfilcnt_t)v[4];
                st->f_ffree = st->f_favail = (fsfilcnt_t)v[5];
                return 0;
            }
        }
        l = nl ? nl + 1 : NULL;
    }
    return -ENOENT;
}

json_t *json_redacted(const char *s)
{
    if (!s) return json_null();
    char *r = redact_dup(s, NULL);
    if (!r) return NULL;
    /* jansson wants UTF-8: replace invalid bytes so odd file names survive */
    json_t *j = json_string(r);
    if (!j) {
        for (unsigned char *p = (unsigned char *)r; *p; p++)
            if (*p >= 0x80 || *p < 0x20) *p = '?';
        j = json_string(r);
    }
    free(r);
    return j;
}

json_t *json_u64(uint64_t v)
{
    if (v == UINT64_MAX || v > (uint64_t)INT64_MAX) return json_null();
    return json_integer((json_int_t)v);
}

json_t *json_pct(double v)
{
    return json_real((double)(int64_t)(v * 10 + 0.5) / 10.0);
}

const char *fmt_bytes(uint64_t v, char *buf, size_t size)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double d = (double)v;
    size_t u = 0;
    while (d >= 1024 && u + 1 < ELEMENTSOF(units)) {
        d /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " B", v);
    else
        snprintf(buf, size, "%.1f %s", d, units[u]);
    return buf;
}

static void hctx_done(struct hctx *c)
{
    for (size_t i = 0; i < c->n_targets; i++) {
        free(c->targets[i].path);
        free(c->targets[i].label);
        free(c->targets[i].fs_mountpoint);
        json_decref(c->targets[i].container);
    }
    free(c->targets);
    free(c->host_devs);
    free(c->statvfs_fixture);
    json_decref(c->containers);
    json_decref(c->doc);
}

static int severity_rank(const char *s)
{
    if (!s) return 0;
    if (streq(s, "critical")) return 2;
    if (streq(s, "warning")) return 1;
    return 0;
}

int collect_worst_severity(json_t *doc)
{
    int worst = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
    {
        int r = severity_rank(json_string_value(json_object_get(f, "severity")));
        if (r > worst) worst = r;
    }
    return worst;
}

static int cmp_finding(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int rx = severity_rank(json_string_value(json_object_get(x, "severity")));
    int ry = severity_rank(json_string_value(json_object_get(y, "severity")));
    if (rx != ry) return ry - rx;
    return strcmp(json_string_value(json_object_get(x, "id")) ?: "",
                  json_string_value(json_object_get(y, "id")) ?: "");
}

/* Most severe first, then by id; stable for equal keys via insertion index. */
static int sort_findings(struct hctx *c)
{
    size_t n = json_array_size(c->findings);
    if (n < 2) return 0;
    json_t **v = calloc(n, sizeof *v);
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(c->findings, i));
    /* insertion sort keeps equal findings in their collection order */
    for (size_t i = 1; i < n; i++) {
        json_t *x = v[i];
        size_t j = i;
        while (j > 0 && cmp_finding(&v[j - 1], &x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    json_array_clear(c->findings);
    for (size_t i = 0; i < n; i++) json_array_append_new(c->findings, v[i]);
    free(v);
    return 0;
}

int collect_run(const struct collect_opts *o, json_t **ret)
{
    struct hctx c = { 0 };
    const char *root = o && o->root && *o->root ? o->root : "/";
    int r;
    *ret = NULL;
    if (!o) return -EINVAL;
    c.o = o;
    c.live = streq(root, "/");
    if (!c.live) {
        struct stat st;
        if (stat(root, &st) < 0) return -errno;
        if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/') n--;
        if (n >= sizeof c.rootpfx - 256) return -ENAMETOOLONG;
        memcpy(c.rootpfx, root, n);
        c.rootpfx[n] = '\0';
        char p[HCTX_PATH_MAX];
        if (hctx_path(&c, "/statvfs.txt", p, sizeof p) < 0) p[0] = 0;
        size_t len;
        if (read_file(p, HCTX_READ_MAX, &c.statvfs_fixture, &len) < 0) {
            free(c.statvfs_fixture);
            c.statvfs_fixture = NULL;
        }
    }
    int64_t budget = o->budget_ms > 0 ? o->budget_ms : 10000;
    c.deadline = ts_mono_ns() + budget * 1000000LL;
    c.page_size = c.live ? sysconf(_SC_PAGESIZE) : 4096;
    if (c.page_size <= 0) c.page_size = 4096;

    r = -ENOMEM;
    c.doc = json_object();
    c.unavailable = json_array();
    c.findings = json_array();
    c.containers = json_array();
    if (!c.doc || !c.unavailable || !c.findings || !c.containers) {
        json_decref(c.unavailable);
        json_decref(c.findings);
        goto out;
    }
    char tbuf[64];
    json_object_set_new(c.doc, "schema", json_string(COLLECT_SCHEMA));
    json_object_set_new(c.doc, "generated_at",
                        json_string(ts_format(ts_now(), 0, tbuf, sizeof tbuf)));
    json_object_set_new(c.doc, "root", json_string(root));
    json_object_set_new(c.doc, "live", json_boolean(c.live));
    json_object_set_new(c.doc, "findings", c.findings);
    json_object_set_new(c.doc, "unavailable", c.unavailable);

    static const struct {
        const char *name;
        int (*fn)(struct hctx *);
    } sections[] = {
        { "system", collect_system },
        { "containers", collect_containers },
        { "filesystems", collect_mounts },
        { "hotspots", collect_hotspots },
        { "memory", collect_memory },
        { "cgroups", collect_cgroups },
        { "pressure", collect_pressure },
        { "processes", collect_processes },
        { "fds", collect_fds },
        { "network", collect_network },
    };
    json_t *timing = json_object();
    if (!timing) goto out;
    json_object_set_new(c.doc, "timing_ms", timing);
    for (size_t i = 0; i < ELEMENTSOF(sections); i++) {
        int64_t t0 = ts_mono_ns();
        r = sections[i].fn(&c);
        if (r < 0) goto out;
        json_object_set_new(timing, sections[i].name,
                            json_real((double)((ts_mono_ns() - t0) / 10000) / 100.0));
    }
    if (c.n_unavail_dropped)
        json_object_set_new(c.doc, "unavailable_dropped",
                            json_integer((json_int_t)c.n_unavail_dropped));
    r = sort_findings(&c);
    if (r < 0) goto out;
    json_object_set_new(c.doc, "elapsed_ms",
                        json_integer((ts_mono_ns() - (c.deadline - budget * 1000000LL)) / 1000000));
    *ret = TAKE_PTR(c.doc);
    r = 0;
out:
    hctx_done(&c);
    return r;
}
