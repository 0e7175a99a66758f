/* SPDX-License-Identifier: MIT */
/*
 * Cgroups: memory usage vs limit, OOM kills and CPU throttling for every
 * cgroup that has a limit (or has seen OOM kills / throttling).
 * v2 (unified): memory.current/memory.max/memory.events/memory.stat,
 * cpu.max/cpu.stat. v1: memory.usage_in_bytes/limit_in_bytes/oom_control/
 * memory.stat in the memory hierarchy, cpu.cfs_quota_us/cpu.stat in the cpu
 * hierarchy at the same path. The walk is bounded in depth and count.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "host/hostctx.h"
#include "host/procparse.h"

#define CG_MAX_VISIT  2000
#define CG_MAX_DEPTH  8
#define CG_MAX_REPORT 50
#define CG_UNLIMITED  (1ULL << 62)

struct cg_layout {
    int version;         /* 1 or 2; 0 none found */
    const char *mem_dir; /* root-relative mount of the memory hierarchy */
    const char *cpu_dir;
};

static bool is_dir(struct hctx *c, const char *rel)
{
    char p[HCTX_PATH_MAX];
    struct stat st;
    return hctx_path(c, rel, p, sizeof p) == 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(struct hctx *c, const char *rel)
{
    char p[HCTX_PATH_MAX];
    struct stat st;
    return hctx_path(c, rel, p, sizeof p) == 0 && stat(p, &st) == 0;
}

static void detect(struct hctx *c, struct cg_layout *l)
{
    memset(l, 0, sizeof *l);
    if (exists(c, "/sys/fs/cgroup/cgroup.controllers")) {
        l->version = 2;
        l->mem_dir = l->cpu_dir = "/sys/fs/cgroup";
    } else if (is_dir(c, "/sys/fs/cgroup/memory")) {
        l->version = 1;
        l->mem_dir = "/sys/fs/cgroup/memory";
        l->cpu_dir = is_dir(c, "/sys/fs/cgroup/cpu,cpuacct") ? "/sys/fs/cgroup/cpu,cpuacct"
                     : is_dir(c, "/sys/fs/cgroup/cpu")       ? "/sys/fs/cgroup/cpu"
                                                             : NULL;
    }
}

/* Read a one-number file; -ENOENT quietly; malformed -> unavailable. */
static int read_num(struct hctx *c, const char *rel, uint64_t *v)
{
    _cleanup_free_ char *t = NULL;
    int r = hctx_read(c, rel, true, &t, NULL);
    if (r < 0) return r;
    /* v1 limit files may hold a negative (-1) meaning unlimited */
    const char *p = t;
    while (*p == ' ') p++;
    if (*p == '-') {
        *v = UINT64_MAX;
        return 0;
    }
    if (parse_u64_or_max(t, v) < 0) {
        hctx_unavail(c, rel, "malformed: not a number");
        return -EBADMSG;
    }
    return 0;
}

static int read_kv(struct hctx *c, const char *rel, const char *key, uint64_t *v)
{
    _cleanup_free_ char *t = NULL;
    int r = hctx_read(c, rel, true, &t, NULL);
    if (r < 0) return r;
    r = kv_get_u64(t, key, v);
    if (r == -EBADMSG) hctx_unavail(c, rel, "malformed: '%s' is not a number", key);
    return r;
}

static json_t *container_for(struct hctx *c, const char *cg)
{
    size_t i;
    json_t *ct;
    json_array_foreach(c->containers, i, ct)
    {
        const char *p = json_string_value(json_object_get(ct, "memory_cgroup"));
        if (p && streq(p, cg)) return json_incref(ct);
    }
    return json_null();
}

/* A pod-level cgroup (kubepods-...-pod<uid>.slice, .../pod<uid>): name the pod
 * of a known container with that UID. */
static void pod_label_for(struct hctx *c, const char *cg, char *buf, size_t size)
{
    size_t i;
    json_t *ct;
    json_array_foreach(c->containers, i, ct)
    {
        const char *uid = json_string_value(json_object_get(ct, "pod_uid"));
        if (!uid || strlen(uid) != 36) continue;
        char us[37];
        memcpy(us, uid, 37);
        for (char *q = us; *q; q++)
            if (*q == '-') *q = '_';
        if (!strstr(cg, uid) && !strstr(cg, us)) continue;
        const char *pod = json_string_value(json_object_get(ct, "pod"));
        const char *ns = json_string_value(json_object_get(ct, "namespace"));
        snprintf(buf, size, "pod %s%s%s", ns ? ns : "", ns ? "/" : "", pod ? pod : uid);
        return;
    }
}

/* Look at one cgroup (cg: path inside the hierarchy, "/" for the root). */
static int one_cgroup(struct hctx *c, const struct cg_layout *l, const char *cg, json_t *list)
{
    char rel[HCTX_PATH_MAX];
    const char *sub = streq(cg, "/") ? "" : cg;
    uint64_t usage = 0, limit = UINT64_MAX, inactive = 0, oom = 0;
    bool has_usage;
#define P(dir, file) (snprintf(rel, sizeof rel, "%s%s/%s", dir, sub, file), rel)
    if (l->version == 2) {
        if (!streq(cg, "/") && read_num(c, P(l->mem_dir, "memory.max"), &limit) < 0)
            limit = UINT64_MAX;
        has_usage = read_num(c, P(l->mem_dir, "memory.current"), &usage) == 0;
        /* memory.events counts descendants too: every ancestor of a killed
         * container would report the same kill; .local (Linux >= 5.7) does not */
        int re = read_kv(c, P(l->mem_dir, "memory.events.local"), "oom_kill", &oom);
        if (re == -ENOENT && read_kv(c, P(l->mem_dir, "memory.events"), "oom_kill", &oom) < 0)
            oom = 0;
        else if (re < 0 && re != -ENOENT)
            oom = 0;
        if (limit < CG_UNLIMITED &&
            read_kv(c, P(l->mem_dir, "memory.stat"), "inactive_file", &inactive) < 0)
            inactive = 0;
    } else {
        if (read_num(c, P(l->mem_dir, "memory.limit_in_bytes"), &limit) < 0) limit = UINT64_MAX;
        has_usage = read_num(c, P(l->mem_dir, "memory.usage_in_bytes"), &usage) == 0;
        if (read_kv(c, P(l->mem_dir, "memory.oom_control"), "oom_kill", &oom) < 0) oom = 0;
        if (limit < CG_UNLIMITED &&
            read_kv(c, P(l->mem_dir, "memory.stat"), "total_inactive_file", &inactive) < 0)
            inactive = 0;
    }
    /* CPU */
    uint64_t periods = 0, throttled = 0, throttled_us = 0;
    double quota_cores = -1;
    if (l->cpu_dir) {
        if (l->version == 2) {
            _cleanup_free_ char *cm = NULL;
            if (!streq(cg, "/") && hctx_read(c, P(l->cpu_dir, "cpu.max"), true, &cm, NULL) == 0) {
                unsigned long long q, per;
                if (strncmp(cm, "max", 3) == 0)
                    quota_cores = -1;
                else if (sscanf(cm, "%llu %llu", &q, &per) == 2 && per > 0)
                    quota_cores = (double)q / (double)per;
                else
                    hctx_unavail(c, rel, "malformed: not 'QUOTA PERIOD'");
            }
            if (read_kv(c, P(l->cpu_dir, "cpu.stat"), "nr_periods", &periods) < 0) periods = 0;
            if (read_kv(c, rel, "nr_throttled", &throttled) < 0) throttled = 0;
            if (read_kv(c, rel, "throttled_usec", &throttled_us) < 0) throttled_us = 0;
        } else {
            uint64_t q = UINT64_MAX, per = 0;
            if (read_num(c, P(l->cpu_dir, "cpu.cfs_quota_us"), &q) == 0 && q != UINT64_MAX &&
                read_num(c, P(l->cpu_dir, "cpu.cfs_period_us"), &per) == 0 && per > 0)
                quota_cores = (double)q / (double)per;
            uint64_t tns = 0;
            if (read_kv(c, P(l->cpu_dir, "cpu.stat"), "nr_periods", &periods) < 0) periods = 0;
            if (read_kv(c, rel, "nr_throttled", &throttled) < 0) throttled = 0;
            if (read_kv(c, rel, "throttled_time", &tns) < 0) tns = 0;
            throttled_us = tns / 1000;
        }
    }
#undef P
    bool limited = limit < CG_UNLIMITED;
    if (!limited && oom == 0 && throttled == 0 && quota_cores < 0) return 0;
    json_t *o = json_object();
    if (!o) return -ENOMEM;
    json_object_set_new(o, "path", json_redacted(cg));
    json_object_set_new(o, "container", container_for(c, cg));
    json_t *m = json_object();
    json_object_set_new(o, "memory", m);
    uint64_t ws = usage > inactive ? usage - inactive : 0;
    json_object_set_new(m, "usage_bytes", has_usage ? json_u64(usage) : json_null());
    json_object_set_new(m, "working_set_bytes", has_usage ? json_u64(ws) : json_null());
    json_object_set_new(m, "limit_bytes", limited ? json_u64(limit) : json_null());
    double pct = limited && limit > 0 && has_usage ? 100.0 * (double)ws / (double)limit : -1;
    json_object_set_new(m, "usage_pct", pct >= 0 ? json_pct(pct) : json_null());
    json_object_set_new(m, "oom_kills", json_integer((json_int_t)oom));
    json_t *cpu = json_object();
    json_object_set_new(o, "cpu", cpu);
    json_object_set_new(cpu, "quota_cores",
                        quota_cores >= 0 ? json_real(quota_cores) : json_null());
    json_object_set_new(cpu, "nr_periods", json_integer((json_int_t)periods));
    json_object_set_new(cpu, "nr_throttled", json_integer((json_int_t)throttled));
    json_object_set_new(cpu, "throttled_s", json_real((double)throttled_us / 1e6));
    double tpct = periods ? 100.0 * (double)throttled / (double)periods : 0;
    json_object_set_new(cpu, "throttled_pct", json_pct(tpct));
    json_object_set_new(o, "_sort", json_real(pct));
    json_array_append_new(list, o);

    char subj[900], who[400] = "", b1[32], b2[32];
    json_t *ct = json_object_get(o, "container");
    if (json_is_object(ct))
        container_label(ct, who, sizeof who);
    else
        pod_label_for(c, cg, who, sizeof who);
    if (*who)
        snprintf(subj, sizeof subj, "cgroup of %s", who);
    else
        snprintf(subj, sizeof subj, "cgroup %s", cg);
    if (pct >= 90)
        hctx_finding(c, "mem.cgroup_near_limit", pct >= 98 ? "critical" : "warning", subj, pct, 90,
                     "%s uses %.1f%% of its memory limit (working set %s of %s); the OOM killer "
                     "acts at the limit",
                     subj, pct, fmt_bytes(ws, b1, sizeof b1), fmt_bytes(limit, b2, sizeof b2));
    if (oom > 0 && !streq(cg, "/"))
        hctx_finding(c, "mem.oom_kill", "critical", subj, (double)oom, 0,
                     "%s: %" PRIu64 " process(es) killed by the OOM killer at its memory limit",
                     subj, oom);
    if (periods >= 100 && tpct >= 25)
        hctx_finding(c, "cpu.throttled", tpct >= 50 ? "critical" : "warning", subj, tpct, 25,
                     "%s was throttled in %.1f%% of CPU periods (%" PRIu64 " of %" PRIu64
                     ", %.1f s in total)%s",
                     subj, tpct, throttled, periods, (double)throttled_us / 1e6,
                     quota_cores >= 0 ? "; its CPU quota is too small for its load" : "");
    return 0;
}

static int cmp_sort(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "_sort"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "_sort"));
    return x < y ? 1 : x > y ? -1 : 0;
}

int collect_cgroups(struct hctx *c)
{
    struct cg_layout l;
    detect(c, &l);
    json_t *cgs = json_object(), *list = json_array();
    if (!cgs || !list) {
        json_decref(cgs);
        json_decref(list);
        return -ENOMEM;
    }
    json_object_set_new(c->doc, "cgroups", cgs);
    json_object_set_new(cgs, "version", l.version ? json_integer(l.version) : json_null());
    if (!l.version) {
        json_decref(list);
        hctx_unavail(c, "/sys/fs/cgroup", "no cgroup v1 memory or v2 hierarchy found");
        return 0;
    }
    /* breadth-first walk of the memory hierarchy */
    char **queue = calloc(CG_MAX_VISIT, sizeof *queue);
    uint8_t *depth = calloc(CG_MAX_VISIT, 1);
    size_t head = 0, tail = 0, truncated = 0;
    int r = -ENOMEM;
    if (!queue || !depth || !(queue[tail++] = strdup("/"))) goto out;
    while (head < tail) {
        const char *cg = queue[head];
        uint8_t dp = depth[head++];
        r = one_cgroup(c, &l, cg, list);
        if (r < 0) goto out;
        if (hctx_over_budget(c)) {
            truncated += tail - head;
            break;
        }
        if (dp >= CG_MAX_DEPTH) continue;
        char rel[HCTX_PATH_MAX], full[HCTX_PATH_MAX];
        snprintf(rel, sizeof rel, "%s%s", l.mem_dir, streq(cg, "/") ? "" : cg);
        if (hctx_path(c, rel, full, sizeof full) < 0) continue;
        DIR *d = opendir(full);
        if (!d) continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_type != DT_DIR || de->d_name[0] == '.') continue;
            if (tail == CG_MAX_VISIT) {
                truncated++;
                continue;
            }
            char child[HCTX_PATH_MAX];
            if ((size_t)snprintf(child, sizeof child, "%s/%s", streq(cg, "/") ? "" : cg,
                                 de->d_name) >= sizeof child)
                continue;
            if (!(queue[tail] = strdup(child))) {
                closedir(d);
                r = -ENOMEM;
                goto out;
            }
            depth[tail++] = (uint8_t)(dp + 1);
        }
        closedir(d);
    }
    /* most loaded first, capped */
    size_t n = json_array_size(list);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    if (!v) goto out;
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(list, i));
    qsort(v, n, sizeof *v, cmp_sort);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_object_del(v[i], "_sort");
        if (out && i < CG_MAX_REPORT) json_array_append(out, v[i]);
        json_decref(v[i]);
    }
    free(v);
    if (!out) goto out;
    json_object_set_new(cgs, "list", out);
    json_object_set_new(cgs, "visited", json_integer((json_int_t)tail));
    json_object_set_new(cgs, "with_limits_or_events", json_integer((json_int_t)n));
    json_object_set_new(cgs, "not_visited", json_integer((json_int_t)truncated));
    r = 0;
out:
    json_decref(list);
    if (queue)
        for (size_t i = 0; i < tail; i++) free(queue[i]);
    free(queue);
    free(depth);
    return r;
}
