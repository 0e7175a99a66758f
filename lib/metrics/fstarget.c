/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/redact.h"
#include "host/procparse.h"
#include "metrics/fstarget.h"

#define MOUNTINFO_MAX  (4 << 20)
#define NAMESPACES_MAX 1024

static const char *const skipped_types[] = {
    "autofs",    "binfmt_misc", "bpf",        "cgroup",
    "cgroup2",   "configfs",    "debugfs",    "devpts",
    "devtmpfs",  "fusectl",     "hugetlbfs",  "iso9660",
    "mqueue",    "nsfs",        "overlay",    "proc",
    "procfs",    "pstore",      "rpc_pipefs", "securityfs",
    "selinuxfs", "squashfs",    "sysfs",      "tracefs",
    "ramfs",     "efivarfs",    "fuse.lxcfs", "fuse.gvfsd-fuse",
    "nfsd",      "aufs",        "shiftfs",
};

bool fs_type_watched(const char *fstype)
{
    for (size_t i = 0; i < ELEMENTSOF(skipped_types); i++)
        if (streq(fstype, skipped_types[i])) return false;
    return true;
}

void mountinfo_unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 4;
        } else
            *w++ = *r++;
    }
    *w = '\0';
}

/* One parsed mountinfo line (strings point into the file buffer). */
struct mi {
    dev_t dev;
    char *root, *mountpoint, *fstype, *source;
};

static int parse_mountinfo(char *text, struct mi **ret, size_t *ret_n)
{
    size_t n = 0, cap = 0;
    struct mi *v = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* id parent major:minor root mountpoint opts [optional...] - fstype source superopts */
        char *f[6];
        char *p = line, *sp;
        int i;
        for (i = 0; i < 5; i++) {
            f[i] = strsep(&p, " ");
            if (!f[i] || !p) break;
        }
        if (i < 5 || !p) continue;
        sp = strstr(p, " - ");
        if (!sp) continue;
        char *tail = sp + 3;
        char *fstype = strsep(&tail, " ");
        char *source = tail ? strsep(&tail, " ") : NULL;
        unsigned ma, mi_;
        if (!fstype || !source || sscanf(f[2], "%u:%u", &ma, &mi_) != 2) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct mi *nv = realloc(v, nc * sizeof *v);
            if (!nv) {
                free(v);
                return -ENOMEM;
            }
            v = nv;
            cap = nc;
        }
        mountinfo_unescape(f[3]);
        mountinfo_unescape(f[4]);
        mountinfo_unescape(source);
        v[n++] = (struct mi){ makedev(ma, mi_), f[3], f[4], fstype, source };
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/* A container runtime's private path on the host (where a pod's shm or
 * emptyDir shows up); a container seeing the same fs gets the labels. */
static bool runtime_path(const char *mp)
{
    static const char *const pre[] = { "/run/containerd/",     "/run/k3s/",
                                       "/var/lib/kubelet/",    "/var/lib/docker/",
                                       "/run/docker/",         "/var/run/docker/",
                                       "/var/run/containerd/", "/var/lib/containers/",
                                       "/run/containers/",     "/var/lib/rancher/" };
    for (size_t i = 0; i < ELEMENTSOF(pre); i++)
        if (startswith(mp, pre[i])) return true;
    return false;
}

struct ns_info {
    unsigned long long ino;
    pid_t pid;
    char *text; /* mountinfo buffer owning the strings of mi */
    struct mi *mi;
    size_t n_mi;
    char *cid, *pod, *pod_ns, *cname;
};

static void ns_info_done(struct ns_info *ns)
{
    free(ns->text);
    free(ns->mi);
    free(ns->cid);
    free(ns->pod);
    free(ns->pod_ns);
    free(ns->cname);
}

static int ns_inode(const char *proc, const char *pid, unsigned long long *ret)
{
    char path[128], link[64];
    snprintf(path, sizeof path, "%s/%s/ns/mnt", proc, pid);
    ssize_t l = readlink(path, link, sizeof link - 1);
    if (l < 0) return -errno;
    link[l] = '\0';
    if (sscanf(link, "mnt:[%llu]", ret) != 1) return -EINVAL;
    return 0;
}

/* Trimmed first line of a small file, or NULL. */
static char *read_line(const char *path)
{
    char *s = NULL;
    size_t n;
    int r = read_file(path, 512, &s, &n);
    if (r < 0 && r != -EFBIG) return NULL;
    s[strcspn(s, "\r\n")] = '\0';
    if (!*s) {
        free(s);
        return NULL;
    }
    return s;
}

/* Container identity from /proc/PID/cgroup (lib/host's parser, so that the
 * labels match `tshoot collect`), pod name and namespace through the
 * container's root. */
static void container_labels(const char *proc, struct ns_info *ns)
{
    char path[512];
    _cleanup_free_ char *cg = NULL;
    size_t n;
    struct cgroup_ident id;
    memset(&id, 0, sizeof id);
    snprintf(path, sizeof path, "%s/%d/cgroup", proc, (int)ns->pid);
    int r = read_file(path, 64 << 10, &cg, &n);
    if ((r >= 0 || r == -EFBIG) && cgroup_ident_parse(cg, &id) < 0) memset(&id, 0, sizeof id);
    if (id.id[0]) ns->cid = strdup(id.id);
    if (id.pod_uid[0]) {
        snprintf(path, sizeof path, "%s/%d/root/etc/hostname", proc, (int)ns->pid);
        ns->pod = read_line(path); /* a pod's hostname is its name */
        snprintf(path, sizeof path,
                 "%s/%d/root/var/run/secrets/kubernetes.io/serviceaccount/namespace", proc,
                 (int)ns->pid);
        ns->pod_ns = read_line(path);
    }
    if (id.name[0])
        ns->cname = strdup(id.name);
    else if (id.id[0])
        ns->cname = strndup(id.id, 12);
    else {
        char buf[48];
        snprintf(buf, sizeof buf, "mntns-%llu", ns->ino);
        ns->cname = strdup(buf);
    }
}

static int load_ns(const char *proc, struct ns_info *ns)
{
    char path[512];
    size_t n;
    snprintf(path, sizeof path, "%s/%d/mountinfo", proc, (int)ns->pid);
    int r = read_file(path, MOUNTINFO_MAX, &ns->text, &n);
    if (r < 0) {
        free(ns->text);
        ns->text = NULL;
        return r;
    }
    return parse_mountinfo(ns->text, &ns->mi, &ns->n_mi);
}

static bool glob_ok(const struct fs_list_opts *o, const char *mp)
{
    if (!o->n_globs) return true;
    for (size_t i = 0; i < o->n_globs; i++)
        if (fnmatch(o->globs[i], mp, 0) == 0) return true;
    return false;
}

void fs_targets_free(struct fs_target *t, size_t n)
{
    if (!t) return;
    for (size_t i = 0; i < n; i++) {
        free(t[i].key);
        free(t[i].mountpoint);
        free(t[i].fstype);
        free(t[i].device);
        free(t[i].access_path);
        free(t[i].container_id);
        free(t[i].pod);
        free(t[i].pod_namespace);
        free(t[i].container);
    }
    free(t);
}

/* Labels leave tshoot (metrics, alerts, the state file): redacted copies. */
static char *dup_or_null(const char *s)
{
    return s ? redact_dup(s, NULL) : NULL;
}

static int add_target(struct fs_target **v, size_t *n, size_t *cap, const struct ns_info *ns,
                      const struct mi *m, const char *proc, bool own_ns)
{
    if (*n >= FS_TARGETS_MAX) return -E2BIG;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        struct fs_target *nv = realloc(*v, nc * sizeof **v);
        if (!nv) return -ENOMEM;
        *v = nv;
        *cap = nc;
    }
    struct fs_target *t = &(*v)[*n];
    *t = (struct fs_target){ .dev = m->dev, .pid = own_ns ? 0 : ns->pid };
    char *key = NULL, *ap = NULL;
    bool host = !ns->cname;
    t->mountpoint = dup_or_null(m->mountpoint);
    t->fstype = dup_or_null(m->fstype);
    t->device = dup_or_null(m->source);
    t->container_id = dup_or_null(ns->cid);
    t->pod = dup_or_null(ns->pod);
    t->pod_namespace = dup_or_null(ns->pod_ns);
    t->container = dup_or_null(ns->cname);
    (*n)++;
    if (!t->mountpoint || !t->fstype || !t->device) return -ENOMEM;
    if (asprintf(&key, "%s/%s/%s|%s", host ? "host" : (t->pod_namespace ? t->pod_namespace : ""),
                 host ? "" : (t->pod ? t->pod : ""), host ? "" : t->container, t->mountpoint) < 0)
        key = NULL;
    /* the path to measure is the real one, never shown */
    if (own_ns)
        ap = strdup(m->mountpoint);
    else if (asprintf(&ap, "%s/%d/root%s", proc, (int)ns->pid,
                      streq(m->mountpoint, "/") ? "" : m->mountpoint) < 0)
        ap = NULL;
    t->key = key;
    t->access_path = ap;
    if (!key || !ap) return -ENOMEM;
    return 0;
}

int fs_targets_list(const struct fs_list_opts *o, struct fs_target **ret, size_t *ret_n,
                    size_t *ret_skipped)
{
    const char *proc = o->proc ? o->proc : "/proc";
    struct ns_info *nss = NULL;
    size_t n_ns = 0, skipped = 0;
    struct fs_target *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    unsigned long long self_ino = 0, host_ino = 0;

    if (ns_inode(proc, "self", &self_ino) < 0) self_ino = 0;
    /* the host namespace: PID 1's when visible (hostPID), else our own */
    if (ns_inode(proc, "1", &host_ino) < 0) host_ino = self_ino;

    nss = calloc(NAMESPACES_MAX, sizeof *nss);
    if (!nss) return -ENOMEM;
    /* nss[0] = host */
    nss[0].ino = host_ino;
    nss[0].pid = host_ino == self_ino ? getpid() : 1;
    n_ns = 1;
    if (host_ino == self_ino) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/self/mountinfo", proc);
        r = read_file(path, MOUNTINFO_MAX, &nss[0].text, &len);
        if (r >= 0) r = parse_mountinfo(nss[0].text, &nss[0].mi, &nss[0].n_mi);
    } else
        r = load_ns(proc, &nss[0]);
    if (r < 0) goto out;

    if (!o->no_containers) {
        DIR *d = opendir(proc);
        if (!d) {
            r = -errno;
            goto out;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!isdigit((unsigned char)de->d_name[0])) continue;
            unsigned long long ino;
            if (ns_inode(proc, de->d_name, &ino) < 0) continue; /* gone or not permitted */
            bool seen = false;
            for (size_t i = 0; i < n_ns && !seen; i++) seen = nss[i].ino == ino;
            if (seen || n_ns >= NAMESPACES_MAX) continue;
            struct ns_info *ns = &nss[n_ns];
            ns->ino = ino;
            ns->pid = (pid_t)atoi(de->d_name);
            if (load_ns(proc, ns) < 0) {
                ns_info_done(ns);
                memset(ns, 0, sizeof *ns);
                skipped++;
                continue;
            }
            container_labels(proc, ns);
            n_ns++;
        }
        closedir(d);
    }

    /* Containers first: a whole filesystem (root "/") that the host shows
     * only under a runtime directory (or not at all) belongs to them. */
    for (size_t k = 1; k < n_ns; k++) {
        const struct ns_info *ns = &nss[k];
        for (size_t i = 0; i < ns->n_mi; i++) {
            const struct mi *m = &ns->mi[i];
            if (!streq(m->root, "/") || !fs_type_watched(m->fstype)) continue;
            if (!glob_ok(o, m->mountpoint)) continue;
            bool host_owned = false, taken = false;
            for (size_t j = 0; j < nss[0].n_mi && !host_owned; j++)
                host_owned = nss[0].mi[j].dev == m->dev && !runtime_path(nss[0].mi[j].mountpoint);
            for (size_t j = 0; j < n && !taken; j++) taken = v[j].dev == m->dev;
            if (host_owned || taken) continue;
            r = add_target(&v, &n, &cap, ns, m, proc, ns->ino == self_ino);
            if (r == -E2BIG) break;
            if (r < 0) goto out;
        }
    }
    /* Then the host, once per filesystem (first mountpoint wins). */
    for (size_t i = 0; i < nss[0].n_mi; i++) {
        const struct mi *m = &nss[0].mi[i];
        if (!fs_type_watched(m->fstype) || !glob_ok(o, m->mountpoint)) continue;
        bool taken = false;
        for (size_t j = 0; j < n && !taken; j++) taken = v[j].dev == m->dev;
        if (taken) continue;
        r = add_target(&v, &n, &cap, &nss[0], m, proc, host_ino == self_ino);
        if (r == -E2BIG) break;
        if (r < 0) goto out;
    }
    r = 0;
    *ret = TAKE_PTR(v);
    *ret_n = n;
    if (ret_skipped) *ret_skipped = skipped;
out:
    fs_targets_free(v, n);
    for (size_t i = 0; i < n_ns; i++) ns_info_done(&nss[i]);
    free(nss);
    return r;
}
