/* SPDX-License-Identifier: MIT */
/*
 * Processes: one walk of /proc/PID for states, zombies, D-state wait
 * channels, the largest RSS, and descriptors vs RLIMIT_NOFILE (limits are
 * read only for processes with at least FD_LIMIT_MIN descriptors: fewer
 * cannot be near any sane limit, and skipping them keeps the walk fast).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host/hostctx.h"
#include "host/procparse.h"

#define TOP_RSS      10
#define TOP_FD       10
#define MAX_LISTED   20
#define FD_LIMIT_MIN 32
#define MAX_PIDS     100000

struct proc_brief {
    int pid;
    char comm[64];
    uint64_t v;     /* rss bytes or fd count */
    uint64_t limit; /* fds: soft limit */
    double ratio;
};

static void top_insert(struct proc_brief *arr, size_t *n, size_t max, const struct proc_brief *p,
                       bool by_ratio)
{
    size_t victim = *n;
    if (*n == max) {
        victim = 0;
        for (size_t i = 1; i < max; i++)
            if (by_ratio ? arr[i].ratio < arr[victim].ratio : arr[i].v < arr[victim].v) victim = i;
        if (by_ratio ? arr[victim].ratio >= p->ratio : arr[victim].v >= p->v) return;
    } else {
        (*n)++;
    }
    arr[victim] = *p;
}

static int cmp_v(const void *a, const void *b)
{
    const struct proc_brief *x = a, *y = b;
    return x->v < y->v ? 1 : x->v > y->v ? -1 : x->pid - y->pid;
}

static int cmp_ratio(const void *a, const void *b)
{
    const struct proc_brief *x = a, *y = b;
    return x->ratio < y->ratio ? 1 : x->ratio > y->ratio ? -1 : x->pid - y->pid;
}

static long count_fds(struct hctx *c, const char *pid)
{
    char rel[300], full[HCTX_PATH_MAX];
    snprintf(rel, sizeof rel, "/proc/%s/fd", pid);
    if (hctx_path(c, rel, full, sizeof full) < 0) return -1;
    DIR *d = opendir(full);
    if (!d) return -1;
    long n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int collect_processes(struct hctx *c)
{
    json_t *pj = json_object(), *fdj = json_object();
    if (!pj || !fdj) {
        json_decref(pj);
        json_decref(fdj);
        return -ENOMEM;
    }
    json_object_set_new(c->doc, "processes", pj);
    json_object_set_new(c->doc, "fds", fdj);
    char full[HCTX_PATH_MAX];
    if (hctx_path(c, "/proc", full, sizeof full) < 0) return 0;
    DIR *d = opendir(full);
    if (!d) {
        hctx_unavail(c, "/proc", "%s", strerror(errno));
        return 0;
    }
    struct proc_brief rss[TOP_RSS], fds[TOP_FD];
    size_t n_rss = 0, n_fds = 0;
    uint64_t total = 0, threads = 0, running = 0, sleeping = 0, dstate = 0, zombies = 0,
             stopped = 0, idle = 0, other = 0, malformed = 0;
    bool truncated = false;
    json_t *dlist = json_array(), *zlist = json_array();
    if (!dlist || !zlist) {
        closedir(d);
        json_decref(dlist);
        json_decref(zlist);
        return -ENOMEM;
    }
    json_object_set_new(pj, "d_state_list", dlist);
    json_object_set_new(pj, "zombie_list", zlist);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
        if (total >= MAX_PIDS || ((total & 63) == 0 && hctx_over_budget(c))) {
            truncated = true;
            break;
        }
        char rel[300];
        snprintf(rel, sizeof rel, "/proc/%s/stat", de->d_name);
        _cleanup_free_ char *st = NULL;
        if (hctx_read(c, rel, true, &st, NULL) < 0) continue;
        struct pid_stat ps;
        if (pid_stat_parse(st, &ps) < 0) {
            malformed++;
            hctx_unavail(c, rel, "malformed: not 'PID (COMM) STATE ...'");
            continue;
        }
        total++;
        threads += (uint64_t)(ps.num_threads > 0 ? ps.num_threads : 1);
        switch (ps.state) {
        case 'R': running++; break;
        case 'S': sleeping++; break;
        case 'D': dstate++; break;
        case 'Z': zombies++; break;
        case 'T':
        case 't': stopped++; break;
        case 'I': idle++; break;
        default: other++; break;
        }
        if (ps.state == 'D' && json_array_size(dlist) < MAX_LISTED) {
            snprintf(rel, sizeof rel, "/proc/%s/wchan", de->d_name);
            _cleanup_free_ char *w = NULL;
            (void)hctx_read(c, rel, true, &w, NULL);
            json_t *o = json_object();
            if (!o) continue;
            json_object_set_new(o, "pid", json_integer(ps.pid));
            json_object_set_new(o, "comm", json_redacted(ps.comm));
            json_object_set_new(o, "wchan",
                                w && *w && !streq(w, "0") ? json_redacted(w) : json_null());
            json_array_append_new(dlist, o);
        }
        if (ps.state == 'Z' && json_array_size(zlist) < MAX_LISTED) {
            json_t *o = json_object();
            if (!o) continue;
            json_object_set_new(o, "pid", json_integer(ps.pid));
            json_object_set_new(o, "ppid", json_integer(ps.ppid));
            json_object_set_new(o, "comm", json_redacted(ps.comm));
            json_array_append_new(zlist, o);
        }
        struct proc_brief b = { .pid = ps.pid };
        snprintf(b.comm, sizeof b.comm, "%s", ps.comm);
        if (ps.rss_pages > 0) {
            b.v = ps.rss_pages * (uint64_t)c->page_size;
            top_insert(rss, &n_rss, TOP_RSS, &b, false);
        }
        long nfd = ps.state == 'Z' ? -1 : count_fds(c, de->d_name);
        if (nfd >= FD_LIMIT_MIN) {
            snprintf(rel, sizeof rel, "/proc/%s/limits", de->d_name);
            _cleanup_free_ char *lim = NULL;
            uint64_t soft, hard;
            if (hctx_read(c, rel, true, &lim, NULL) == 0) {
                int r = limits_parse_nofile(lim, &soft, &hard);
                if (r < 0) {
                    hctx_unavail(c, rel, "malformed: no 'Max open files' numbers");
                } else if (soft != UINT64_MAX && soft > 0) {
                    b.v = (uint64_t)nfd;
                    b.limit = soft;
                    b.ratio = (double)nfd / (double)soft;
                    top_insert(fds, &n_fds, TOP_FD, &b, true);
                }
            }
        }
    }
    closedir(d);
    json_object_set_new(pj, "total", json_integer((json_int_t)total));
    json_object_set_new(pj, "threads", json_integer((json_int_t)threads));
    json_object_set_new(pj, "running", json_integer((json_int_t)running));
    json_object_set_new(pj, "sleeping", json_integer((json_int_t)sleeping));
    json_object_set_new(pj, "d_state", json_integer((json_int_t)dstate));
    json_object_set_new(pj, "zombies", json_integer((json_int_t)zombies));
    json_object_set_new(pj, "stopped", json_integer((json_int_t)stopped));
    json_object_set_new(pj, "idle", json_integer((json_int_t)idle));
    json_object_set_new(pj, "other", json_integer((json_int_t)other));
    json_object_set_new(pj, "malformed", json_integer((json_int_t)malformed));
    json_object_set_new(pj, "truncated", json_boolean(truncated));
    qsort(rss, n_rss, sizeof rss[0], cmp_v);
    json_t *tr = json_array();
    if (!tr) return -ENOMEM;
    json_object_set_new(pj, "top_rss", tr);
    for (size_t i = 0; i < n_rss; i++) {
        json_t *o = json_object();
        if (!o) return -ENOMEM;
        json_object_set_new(o, "pid", json_integer(rss[i].pid));
        json_object_set_new(o, "comm", json_redacted(rss[i].comm));
        json_object_set_new(o, "rss_bytes", json_integer((json_int_t)rss[i].v));
        json_array_append_new(tr, o);
    }
    qsort(fds, n_fds, sizeof fds[0], cmp_ratio);
    json_t *tf = json_array();
    if (!tf) return -ENOMEM;
    json_object_set_new(fdj, "closest_to_limit", tf);
    for (size_t i = 0; i < n_fds; i++) {
        json_t *o = json_object();
        if (!o) return -ENOMEM;
        double pct = 100.0 * fds[i].ratio;
        json_object_set_new(o, "pid", json_integer(fds[i].pid));
        json_object_set_new(o, "comm", json_redacted(fds[i].comm));
        json_object_set_new(o, "open", json_integer((json_int_t)fds[i].v));
        json_object_set_new(o, "limit", json_integer((json_int_t)fds[i].limit));
        json_object_set_new(o, "used_pct", json_pct(pct));
        json_array_append_new(tf, o);
        if (pct >= 80) {
            char subj[128];
            snprintf(subj, sizeof subj, "pid %d (%s)", fds[i].pid, fds[i].comm);
            hctx_finding(c, "fd.near_limit", pct >= 95 ? "critical" : "warning", subj, pct, 80,
                         "%s has %" PRIu64 " of %" PRIu64
                         " file descriptors open (%.1f%% of RLIMIT_NOFILE); accept()/open() "
                         "fail with EMFILE at the limit",
                         subj, fds[i].v, fds[i].limit, pct);
        }
    }
    json_object_set_new(fdj, "fd_limit_checked_from", json_integer(FD_LIMIT_MIN));
    if (dstate > 0) {
        char ex[256] = "";
        size_t o = 0, i;
        json_t *e;
        json_array_foreach(dlist, i, e)
        {
            if (i == 3) break;
            const char *w = json_string_value(json_object_get(e, "wchan"));
            o += (size_t)snprintf(ex + o, o < sizeof ex ? sizeof ex - o : 0, "%s%s[%lld]%s%s",
                                  i ? ", " : "", json_string_value(json_object_get(e, "comm")),
                                  (long long)json_integer_value(json_object_get(e, "pid")),
                                  w ? " in " : "", w ? w : "");
            if (o >= sizeof ex) break;
        }
        hctx_finding(c, "proc.d_state",
                     dstate >= 10  ? "critical"
                     : dstate >= 3 ? "warning"
                                   : "info",
                     "processes", (double)dstate, 1,
                     "%" PRIu64 " process(es) in uninterruptible sleep (D): %s; usually blocked "
                     "on storage or NFS",
                     dstate, ex);
    }
    if (zombies > 0)
        hctx_finding(c, "proc.zombies",
                     zombies >= 200  ? "critical"
                     : zombies >= 20 ? "warning"
                                     : "info",
                     "processes", (double)zombies, 20,
                     "%" PRIu64 " zombie process(es): a parent does not reap its children",
                     zombies);
    return 0;
}
