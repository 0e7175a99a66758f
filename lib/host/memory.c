/* SPDX-License-Identifier: MIT */
/* Memory: /proc/meminfo, OOM kills (/proc/vmstat, kernel log via /dev/kmsg). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "host/hostctx.h"
#include "host/procparse.h"

#define KMSG_MAX_RECORDS 20000
#define KMSG_MAX_BYTES   (4u << 20)
#define KMSG_KEEP_LINES  10

/* Read the kernel ring buffer without blocking. Live: /dev/kmsg, one
 * record per read(). --root: <root>/dev/kmsg as a file of records. */
static int kmsg_read(struct hctx *c, char **ret, size_t *ret_len)
{
    *ret = NULL;
    if (!c->live) {
        char *t = NULL;
        int r = hctx_read(c, "/dev/kmsg", true, &t, ret_len);
        *ret = t;
        return r;
    }
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (unsigned n = 0; n < KMSG_MAX_RECORDS; n++) {
        if (cap - len < 8192 + 2) {
            if (cap >= KMSG_MAX_BYTES) break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + len, cap - len - 2);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) continue; /* overwritten record: skip */
            break;                        /* EAGAIN: end of buffer */
        }
        if (k == 0) break;
        len += (size_t)k;
        if (buf[len - 1] != '\n') buf[len++] = '\n';
        if (ts_mono_ns() > c->deadline) break;
    }
    close(fd);
    buf[len] = '\0';
    *ret = buf;
    *ret_len = len;
    return 0;
}

static void kmsg_scan(struct hctx *c, json_t *mem)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int r = kmsg_read(c, &buf, &len);
    json_t *k = json_object();
    if (!k) return;
    json_object_set_new(mem, "kernel_log", k);
    if (r < 0) {
        json_object_set_new(k, "readable", json_false());
        if (c->live || r != -ENOENT) hctx_unavail(c, "/dev/kmsg", "%s", strerror(-r));
        return;
    }
    json_object_set_new(k, "readable", json_true());
    json_t *lines = json_array();
    uint64_t ooms = 0, records = 0, bad = 0;
    int64_t last_oom = -1;
    for (const char *l = buf; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t ll = nl ? (size_t)(nl - l) : strlen(l);
        if (ll > 0 && *l != ' ') { /* continuation lines start with a space */
            struct kmsg_record rec;
            if (kmsg_parse_record(l, ll, &rec) < 0) {
                bad++;
            } else {
                records++;
                char text[512];
                size_t tl = rec.text_len < sizeof text - 1 ? rec.text_len : sizeof text - 1;
                memcpy(text, rec.text, tl);
                text[tl] = '\0';
                if (strstr(text, "Out of memory: Killed process") ||
                    strstr(text, "Memory cgroup out of memory: Killed process") ||
                    strstr(text, "oom-kill:")) {
                    if (!strstr(text, "oom-kill:")) ooms++;
                    int64_t when = c->boot_s ? c->boot_s + (int64_t)(rec.usec / 1000000) : 0;
                    if (when > last_oom) last_oom = when;
                    json_t *e = json_object();
                    if (e) {
                        char tb[64];
                        json_object_set_new(
                            e, "time",
                            when ? json_string(ts_format(when * TS_NSEC_PER_SEC, 0, tb, sizeof tb))
                                 : json_null());
                        json_object_set_new(e, "text", json_redacted(text));
                        json_array_append_new(lines, e);
                        while (json_array_size(lines) > KMSG_KEEP_LINES)
                            json_array_remove(lines, 0);
                    }
                }
            }
        }
        l = nl ? nl + 1 : NULL;
    }
    if (bad && !records)
        hctx_unavail(c, "/dev/kmsg", "malformed: %" PRIu64 " record(s) not in kmsg format", bad);
    json_object_set_new(k, "records", json_integer((json_int_t)records));
    json_object_set_new(k, "oom_kill_lines", json_integer((json_int_t)ooms));
    json_object_set_new(k, "oom_lines", lines);
    char tb[64];
    json_object_set_new(k, "last_oom",
                        last_oom > 0
                            ? json_string(ts_format(last_oom * TS_NSEC_PER_SEC, 0, tb, sizeof tb))
                            : json_null());
}

int collect_memory(struct hctx *c)
{
    json_t *mem = json_object();
    if (!mem) return -ENOMEM;
    json_object_set_new(c->doc, "memory", mem);
    static const char *const keys[] = { "total_bytes",     "available_bytes", "free_bytes",
                                        "cached_bytes",    "shmem_bytes",     "swap_total_bytes",
                                        "swap_free_bytes", "available_pct" };
    for (size_t i = 0; i < ELEMENTSOF(keys); i++) json_object_set_new(mem, keys[i], json_null());
    _cleanup_free_ char *mi = NULL;
    struct meminfo m;
    if (hctx_read(c, "/proc/meminfo", false, &mi, NULL) == 0) {
        if (meminfo_parse(mi, &m) < 0) {
            hctx_unavail(c, "/proc/meminfo", "malformed: no MemTotal/MemFree numbers");
        } else {
            json_object_set_new(mem, "total_bytes", json_u64(m.total));
            json_object_set_new(mem, "available_bytes", json_u64(m.available));
            json_object_set_new(mem, "free_bytes", json_u64(m.free));
            json_object_set_new(mem, "cached_bytes", json_u64(m.cached));
            json_object_set_new(mem, "shmem_bytes", json_u64(m.shmem));
            json_object_set_new(mem, "swap_total_bytes", json_u64(m.swap_total));
            json_object_set_new(mem, "swap_free_bytes", json_u64(m.swap_free));
            double avail_pct = 100.0 * (double)m.available / (double)m.total;
            json_object_set_new(mem, "available_pct", json_pct(avail_pct));
            char b1[32], b2[32];
            if (avail_pct < 10)
                hctx_finding(c, "mem.pressure", avail_pct < 5 ? "critical" : "warning", "memory",
                             avail_pct, 10, "only %.1f%% of memory is available (%s of %s)",
                             avail_pct, fmt_bytes(m.available, b1, sizeof b1),
                             fmt_bytes(m.total, b2, sizeof b2));
            if (m.swap_total > 0) {
                double sw = 100.0 *
                            (double)(m.swap_total -
                                     (m.swap_free < m.swap_total ? m.swap_free : m.swap_total)) /
                            (double)m.swap_total;
                json_object_set_new(mem, "swap_used_pct", json_pct(sw));
                if (sw >= 80 && avail_pct < 20)
                    hctx_finding(c, "mem.pressure", "warning", "swap", sw, 80,
                                 "swap is %.1f%% used and only %.1f%% of memory is available", sw,
                                 avail_pct);
            }
        }
    }
    _cleanup_free_ char *vm = NULL;
    uint64_t oom = 0;
    bool have_oom = false;
    if (hctx_read(c, "/proc/vmstat", false, &vm, NULL) == 0) {
        int r = kv_get_u64(vm, "oom_kill", &oom);
        if (r == 0)
            have_oom = true;
        else if (r == -EBADMSG)
            hctx_unavail(c, "/proc/vmstat", "malformed: oom_kill is not a number");
        else if (kv_get_u64(vm, "nr_free_pages", &oom) < 0)
            hctx_unavail(c, "/proc/vmstat", "malformed: no known counters");
        if (!have_oom) oom = 0;
    }
    json_object_set_new(mem, "oom_kills", have_oom ? json_integer((json_int_t)oom) : json_null());
    kmsg_scan(c, mem);
    json_t *k = json_object_get(mem, "kernel_log");
    json_int_t klines = json_integer_value(json_object_get(k, "oom_kill_lines"));
    if (oom > 0 || klines > 0) {
        const char *last = json_string_value(json_object_get(k, "last_oom"));
        hctx_finding(c, "mem.oom_kill", "warning", "memory",
                     (double)(oom > (uint64_t)klines ? oom : (uint64_t)klines), 0,
                     "the kernel OOM killer has killed %" PRIu64 " process(es) since boot%s%s",
                     oom > (uint64_t)klines ? oom : (uint64_t)klines, last ? "; last at " : "",
                     last ? last : "");
    }
    return 0;
}
