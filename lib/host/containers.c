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

struct runtime_meta {
    char *name, *pod, *ns; /* caller frees */
};

static char *jdup(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && *v ? strndup(v, 253) : NULL;
}

/* Parse one runtime state file and take only the naming fields (the rest,
 * such as environment variables, is dropped unread). */
static void meta_from_file(struct hctx *c, const char *rel, struct runtime_meta *m)
{
    _cleanup_free_ char *t = NULL;
    size_t len;
    if (hctx_read(c, rel, true, &t, &len) < 0) return;
    json_error_t err;
    json_t *j = json_loadb(t, len, 0, &err);
    if (!j) {
        hctx_unavail(c, rel, "malformed JSON: %s (line %d)", err.text, err.line);
        return;
    }
    json_t *ann = json_object_get(j, "annotations");
    json_t *labels = json_object_get(json_object_get(j, "Config"), "Labels");
    static const char *const names[] = { "io.kubernetes.cri.container-name",
                                         "io.kubernetes.container.name", "nerdctl/name" };
    static const char *const pods[] = { "io.kubernetes.cri.sandbox-name",
                                        "io.kubernetes.pod.name" };
    static const char *const nss[] = { "io.kubernetes.cri.sandbox-namespace",
                                       "io.kubernetes.pod.namespace" };
    json_t *src[] = { ann, labels };
    for (size_t k = 0; k < ELEMENTSOF(src); k++) {
        for (size_t i = 0; i < ELEMENTSOF(names) && !m->name; i++) m->name = jdup(src[k], names[i]);
        for (size_t i = 0; i < ELEMENTSOF(pods) && !m->pod; i++) m->pod = jdup(src[k], pods[i]);
        for (size_t i = 0; i < ELEMENTSOF(nss) && !m->ns; i++) m->ns = jdup(src[k], nss[i]);
    }
    if (!m->name) { /* docker: "Name": "/web-1" */
        const char *n = json_string_value(json_object_get(j, "Name"));
        if (n && *n) m->name = strndup(n[0] == '/' ? n + 1 : n, 253);
    }
    json_decref(j);
}

/* Names the kernel does not know: from the container runtimes' state files
 * (docker config.v2.json; containerd task and CRI-O userdata config.json
 * annotations, which carry the Kubernetes container, pod and namespace). */
static void runtime_meta(struct hctx *c, const char *id, struct runtime_meta *m)
{
    char rel[512];
    snprintf(rel, sizeof rel, "/var/lib/docker/containers/%s/config.v2.json", id);
    meta_from_file(c, rel, m);
    if (!m->name) {
        snprintf(rel, sizeof rel,
                 "/run/containers/storage/overlay-containers/%s/userdata/config.json", id);
        meta_from_file(c, rel, m);
    }
    if (!m->name) {
        char full[HCTX_PATH_MAX];
        if (hctx_path(c, "/run/containerd/io.containerd.runtime.v2.task", full, sizeof full) < 0)
            return;
        DIR *d = opendir(full);
        if (!d) return;
        struct dirent *de;
        for (int n = 0; (de = readdir(d)) && n < 32 && !m->name; n++) {
            if (de->d_name[0] == '.') continue;
            snprintf(rel, sizeof rel,
                     "/run/containerd/io.containerd.runtime.v2.task/%.64s/%s/config.json",
                     de->d_name, id);
            meta_from_file(c, rel, m);
        }
        closedir(d);
    }
}

void container_label(json_t *ct, char *buf, size_t size)
{
    const char *id = json_string_value(json_object_get(ct, "id"));
    const char *pod = json_string_value(json_object_get(ct, "pod"));
    const char *uid = json_string_value(json_object_get(ct, "pod_uid"));
    const char *ns = json_string_value(json_object_get(ct, "namespace"));
    const char *name = json_string_value(json_object_get(ct, "container_name"));
    const char *comm = json_string_value(json_object_get(ct, "comm"));
    int pid = (int)json_integer_value(json_object_get(ct, "pid"));
    char idb[16] = "";
    if (id) snprintf(idb, sizeof idb, "%.12s", id);
    if (pod || uid) {
        if (name || id)
            snprintf(buf, size, "pod %s%s%s (container %s%s%s)", ns ? ns : "", ns ? "/" : "",
                     pod ? pod : uid, name ? name : "", name && id ? ", " : "", idb);
        else
            snprintf(buf, size, "pod %s%s%s", ns ? ns : "", ns ? "/" : "", pod ? pod : uid);
    } else if (name) {
        snprintf(buf, size, "container %s%s%s%s", name, id ? " (" : "", idb, id ? ")" : "");
    } else if (id) {
        snprintf(buf, size, "container %s", idb);
    } else {
        snprintf(buf, size, "mount namespace of pid %d (%s)", pid, comm ? comm : "?");
    }
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
    struct runtime_meta meta = { 0 };
    if (id.id[0]) runtime_meta(c, id.id, &meta);
    json_object_set_new(o, "container_name",
                        meta.name    ? json_redacted(meta.name)
                        : id.name[0] ? json_redacted(id.name)
                                     : json_null());
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
    json_object_set_new(o, "pod",
                        meta.pod                     ? json_redacted(meta.pod)
                        : hn && *hn && id.pod_uid[0] ? json_redacted(hn)
                                                     : json_null());
    snprintf(rel, sizeof rel,
             "/proc/%d/root/var/run/secrets/kubernetes.io/serviceaccount/namespace", ns->pid);
    _cleanup_free_ char *kns = id.pod_uid[0] && !meta.ns ? small_file(c, rel) : NULL;
    json_object_set_new(o, "namespace",
                        meta.ns       ? json_redacted(meta.ns)
                        : kns && *kns ? json_redacted(kns)
                                      : json_null());
    free(meta.name);
    free(meta.pod);
    free(meta.ns);
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
