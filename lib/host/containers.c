/* SPDX-License-Identifier: MIT */
/*
 * Containers: other mount namespaces seen through /proc.
 *
 * Every PID's /proc/PID/ns/mnt link names its mount namespace
 * ("mnt:[4026532291]"). PIDs are grouped by that inode; the lowest PID of
 * each namespace other than ours represents it. Its identity comes from
 * /proc/PID/cgroup (container id, pod UID, runtime: see cgroup_ident_parse)
 * plus, read through /proc/PID/root, /etc/hostname (a pod's name) and the
 * service-account namespace file (only that file: never the token).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/hostctx.h"
#include "host/procparse.h"

#define MAX_NAMESPACES 512

struct ns_rep {
    uint64_t ino;
    int pid;
    unsigned nproc;
};

static int read_ns(struct hctx *c, const char *pid, uint64_t *ino)
{
    char path[HCTX_PATH_MAX], rel[64], link[128];
    snprintf(rel, sizeof rel, "/proc/%s/ns/mnt", pid);
    if (hctx_path(c, rel, path, sizeof path) < 0) return -ENAMETOOLONG;
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0) return -errno;
    link[n] = '\0';
    unsigned long long v;
    char close;
    if (sscanf(link, "mnt:[%llu%c", &v, &close) != 2 || close != ']') return -EBADMSG;
    *ino = v;
    return 0;
}

static char *small_file(struct hctx *c, const char *rel)
{
    char *t = NULL;
    if (hctx_read(c, rel, true, &t, NULL) < 0) return NULL;
    t[strcspn(t, "\n")] = '\0';
    if (strlen(t) > 253) t[253] = '\0';
    return t;
}

/* Kernel threads (children of kthreadd, pid 2) are no containers, even
 * when one (kdevtmpfs) has a mount namespace of its own. */
static bool is_kthread(struct hctx *c, const char *pid)
{
    char rel[300];
    _cleanup_free_ char *t = NULL;
    struct pid_stat ps;
    snprintf(rel, sizeof rel, "/proc/%s/stat", pid);
    if (hctx_read(c, rel, true, &t, NULL) < 0 || pid_stat_parse(t, &ps) < 0) return false;
    return ps.pid == 2 || ps.ppid == 2;
}

/* Build the container object of one namespace representative. */
static json_t *container_json(struct hctx *c, const struct ns_rep *ns)
{
    char rel[256];
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "pid", json_integer(ns->pid));
    json_object_set_new(o, "mnt_ns", json_integer((json_int_t)ns->ino));
    json_object_set_new(o, "processes", json_integer(ns->nproc));
    snprintf(rel, sizeof rel, "/proc/%d/cgroup", ns->pid);
    _cleanup_free_ char *cg = NULL;
    struct cgroup_ident id;
    memset(&id, 0, sizeof id);
    if (hctx_read(c, rel, true, &cg, NULL) == 0) {
        if (cgroup_ident_parse(cg, &id) < 0) {
            hctx_unavail(c, rel, "malformed: not N:controllers:/path lines");
            memset(&id, 0, sizeof id);
        }
    }
    json_object_set_new(o, "id", id.id[0] ? json_string(id.id) : json_null());
    json_object_set_new(o, "pod_uid", id.pod_uid[0] ? json_string(id.pod_uid) : json_null());
    json_object_set_new(o, "container_name", id.name[0] ? json_redacted(id.name) : json_null());
    json_object_set_new(o, "runtime", id.runtime[0] ? json_string(id.runtime) : json_null());
    json_object_set_new(o, "cgroup", id.path[0] ? json_redacted(id.path) : json_null());
    json_object_set_new(o, "memory_cgroup",
                        id.mem_path[0] ? json_redacted(id.mem_path) : json_null());
    json_object_set_new(o, "cpu_cgroup", id.cpu_path[0] ? json_redacted(id.cpu_path) : json_null());
    snprintf(rel, sizeof rel, "/proc/%d/comm", ns->pid);
    _cleanup_free_ char *comm = small_file(c, rel);
    json_object_set_new(o, "comm", comm ? json_redacted(comm) : json_null());
    snprintf(rel, sizeof rel, "/proc/%d/root/etc/hostname", ns->pid);
    _cleanup_free_ char *hn = small_file(c, rel);
    json_object_set_new(o, "hostname", hn && *hn ? json_redacted(hn) : json_null());
    json_object_set_new(o, "pod", hn && *hn && id.pod_uid[0] ? json_redacted(hn) : json_null());
    snprintf(rel, sizeof rel,
             "/proc/%d/root/var/run/secrets/kubernetes.io/serviceaccount/namespace", ns->pid);
    _cleanup_free_ char *kns = id.pod_uid[0] ? small_file(c, rel) : NULL;
    json_object_set_new(o, "namespace", kns && *kns ? json_redacted(kns) : json_null());
    return o;
}

int collect_containers(struct hctx *c)
{
    if (c->o->no_containers) return 0;
    uint64_t self_ino = 0;
    int r = read_ns(c, "self", &self_ino);
    if (r < 0) {
        hctx_unavail(c, "/proc/self/ns/mnt", "%s", strerror(-r));
        return 0;
    }
    char path[HCTX_PATH_MAX];
    if (hctx_path(c, "/proc", path, sizeof path) < 0) return 0;
    DIR *d = opendir(path);
    if (!d) {
        hctx_unavail(c, "/proc", "%s", strerror(errno));
        return 0;
    }
    struct ns_rep reps[MAX_NAMESPACES];
    size_t n = 0, dropped = 0, denied = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0 || pid > INT32_MAX) continue;
        uint64_t ino;
        int rr = read_ns(c, de->d_name, &ino);
        if (rr == -EACCES || rr == -EPERM) denied++;
        if (rr < 0 || ino == self_ino) continue;
        size_t i;
        for (i = 0; i < n; i++)
            if (reps[i].ino == ino) break;
        if (i < n) {
            reps[i].nproc++;
            if (pid < reps[i].pid) reps[i].pid = (int)pid;
            continue;
        }
        if (is_kthread(c, de->d_name)) continue;
        if (n == MAX_NAMESPACES) {
            dropped++;
            continue;
        }
        reps[n++] = (struct ns_rep){ ino, (int)pid, 1 };
    }
    closedir(d);
    if (denied)
        hctx_unavail(c, "/proc/PID/ns/mnt",
                     "permission denied for %zu process(es): their containers are not seen "
                     "(run as root / with CAP_SYS_PTRACE)",
                     denied);
    for (size_t i = 0; i < n; i++) {
        json_t *o = container_json(c, &reps[i]);
        if (!o) return -ENOMEM;
        json_array_append_new(c->containers, o);
    }
    json_t *summary = json_object();
    if (!summary) return -ENOMEM;
    json_object_set_new(summary, "mount_namespaces", json_integer((json_int_t)n));
    json_object_set_new(summary, "dropped", json_integer((json_int_t)dropped));
    json_object_set_new(summary, "pids_denied", json_integer((json_int_t)denied));
    json_object_set_new(summary, "own_mnt_ns", json_integer((json_int_t)self_ino));
    json_object_set_new(summary, "list", json_incref(c->containers));
    json_object_set_new(c->doc, "containers", summary);
    return 0;
}
