/* SPDX-License-Identifier: MIT */
/*
 * Filesystems: every mount of our namespace (/proc/self/mountinfo) and the
 * namespace-private mounts of every other mount namespace
 * (/proc/PID/mountinfo, sized through /proc/PID/root/<mountpoint>), with
 * statvfs() numbers and the fullness findings. Pseudo file systems are
 * skipped and counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/hostctx.h"
#include "host/procparse.h"

#define MAX_MOUNTS 16384

struct fs_entry {
    json_t *j; /* borrowed from the filesystems array */
    uint64_t dev;
    bool container;
    bool ro;
    bool tmpfs;
    char *statpath; /* live tmpfs only: the path to scan */
};

static uint64_t devkey(unsigned ma, unsigned mi)
{
    return (uint64_t)ma << 32 | mi;
}

static bool host_has_dev(const struct hctx *c, uint64_t dev)
{
    for (size_t i = 0; i < c->n_host_devs; i++)
        if (c->host_devs[i] == dev) return true;
    return false;
}

/* "mountpoint in pod NS/POD (container NAME, ID12)" */
static void subject_of(json_t *fs, char *buf, size_t size)
{
    const char *mp = json_string_value(json_object_get(fs, "mountpoint"));
    json_t *ct = json_object_get(fs, "container");
    if (!json_is_object(ct)) {
        snprintf(buf, size, "%s", mp ? mp : "?");
        return;
    }
    char who[400];
    container_label(ct, who, sizeof who);
    snprintf(buf, size, "%s in %s", mp ? mp : "?", who);
}

static void fs_findings(struct hctx *c, json_t *fs)
{
    char subj[512], b1[32], b2[32], b3[32];
    subject_of(fs, subj, sizeof subj);
    json_t *size = json_object_get(fs, "size_bytes");
    if (!json_is_integer(size) || json_integer_value(size) <= 0) return;
    uint64_t sz = (uint64_t)json_integer_value(size);
    uint64_t used = (uint64_t)json_integer_value(json_object_get(fs, "used_bytes"));
    uint64_t avail = (uint64_t)json_integer_value(json_object_get(fs, "avail_bytes"));
    double pct = json_number_value(json_object_get(fs, "used_pct"));
    fmt_bytes(used, b1, sizeof b1);
    fmt_bytes(sz, b2, sizeof b2);
    fmt_bytes(avail, b3, sizeof b3);
    if (pct >= 99 || avail == 0)
        hctx_finding(c, "fs.full", "critical", subj, pct, 99,
                     "%s is full: %.1f%% used (%s of %s, %s available); writes fail with "
                     "ENOSPC (no space left on device)",
                     subj, pct, b1, b2, b3);
    else if (pct >= 90)
        hctx_finding(c, "fs.nearly_full", pct >= 95 ? "critical" : "warning", subj, pct, 90,
                     "%s is %.1f%% used (%s of %s, %s available)", subj, pct, b1, b2, b3);
    json_t *itot = json_object_get(fs, "inodes_total");
    if (json_is_integer(itot) && json_integer_value(itot) > 0) {
        json_int_t tot = json_integer_value(itot);
        json_int_t iused = json_integer_value(json_object_get(fs, "inodes_used"));
        json_int_t ifree = json_integer_value(json_object_get(fs, "inodes_free"));
        double ipct = json_number_value(json_object_get(fs, "inodes_used_pct"));
        if (ipct >= 99 || ifree == 0)
            hctx_finding(c, "fs.inodes_full", "critical", subj, ipct, 99,
                         "%s has no free inodes: %lld of %lld used; creating files fails "
                         "with ENOSPC",
                         subj, (long long)iused, (long long)tot);
        else if (ipct >= 90)
            hctx_finding(c, "fs.inodes_nearly_full", ipct >= 95 ? "critical" : "warning", subj,
                         ipct, 90, "%s has %.1f%% of its inodes in use (%lld of %lld)", subj, ipct,
                         (long long)iused, (long long)tot);
    }
}

/* Same size and inode count, free space within 1%: statvfs of the same
 * backing file system (read at slightly different moments). */
static bool same_backing(json_t *a, json_t *b)
{
    json_t *sa = json_object_get(a, "size_bytes"), *sb = json_object_get(b, "size_bytes");
    if (!json_is_integer(sa) || !json_is_integer(sb)) return false;
    json_int_t size = json_integer_value(sa);
    if (size <= 0 || size != json_integer_value(sb)) return false;
    if (json_integer_value(json_object_get(a, "inodes_total")) !=
        json_integer_value(json_object_get(b, "inodes_total")))
        return false;
    json_int_t d = json_integer_value(json_object_get(a, "avail_bytes")) -
                   json_integer_value(json_object_get(b, "avail_bytes"));
    return (d < 0 ? -d : d) <= size / 100;
}

/* Fill statvfs numbers (or nulls) into fs. */
/* File systems whose statvfs() may block on a dead server. */
static bool fstype_is_network(const char *t)
{
    static const char *const net[] = { "nfs", "nfs4",   "cifs",      "smb3", "smbfs", "ceph", "9p",
                                       "afs", "lustre", "glusterfs", "gpfs", "ncpfs", "davfs" };
    for (size_t i = 0; i < ELEMENTSOF(net); i++)
        if (streq(t, net[i])) return true;
    return startswith(t, "fuse.") || startswith(t, "fuse");
}

/* statvfs() in a child process, waited for at most timeout_ms: a hard NFS
 * mount whose server is gone would hang us (in D state) otherwise. The child
 * is killed on timeout (NFS waits are killable) and reaped later by init if
 * it cannot die. -ETIMEDOUT on timeout. */
static int statvfs_timed(const char *path, struct statvfs *st, int timeout_ms)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return -e;
    }
    if (pid == 0) {
        close(pfd[0]);
        struct {
            int err;
            struct statvfs st;
        } res = { 0 };
        if (statvfs(path, &res.st) < 0) res.err = errno;
        ssize_t w = write(pfd[1], &res, sizeof res);
        _exit(w == (ssize_t)sizeof res ? 0 : 1);
    }
    close(pfd[1]);
    struct pollfd p = { .fd = pfd[0], .events = POLLIN };
    int r;
    do r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    struct {
        int err;
        struct statvfs st;
    } res;
    if (r == 1 && read(pfd[0], &res, sizeof res) == (ssize_t)sizeof res) {
        close(pfd[0]);
        waitpid(pid, NULL, 0);
        if (res.err) return -res.err;
        *st = res.st;
        return 0;
    }
    close(pfd[0]);
    kill(pid, SIGKILL);
    /* reap if it died; a child stuck in the kernel is left to init */
    for (int i = 0; i < 10 && waitpid(pid, NULL, WNOHANG) == 0; i++) usleep(1000);
    return r == 0 ? -ETIMEDOUT : -EIO;
}

static void fs_sizes(struct hctx *c, json_t *fs, const char *path, const char *shown,
                     const char *fstype)
{
    struct statvfs st;
    int r;
    if (c->live && fstype_is_network(fstype) && !startswith(path, "/proc/"))
        r = statvfs_timed(path, &st, 1000);
    else
        r = hctx_statvfs(c, path, &st);
    if (r == -ETIMEDOUT) {
        json_object_set_new(fs, "unresponsive", json_true());
        hctx_finding(c, "fs.unresponsive", "critical", shown, 1, 1,
                     "%s (%s) did not answer statvfs within 1 s: its server is unreachable or "
                     "hung; every process touching it blocks in D state",
                     shown, fstype);
    }
    static const char *const keys[] = { "size_bytes",   "used_bytes",     "avail_bytes",
                                        "inodes_total", "inodes_used",    "inodes_free",
                                        "used_pct",     "inodes_used_pct" };
    if (r < 0) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) json_object_set_new(fs, keys[i], json_null());
        if (c->live) hctx_unavail(c, shown, "statvfs: %s", strerror(-r));
        return;
    }
    uint64_t fr = st.f_frsize ? st.f_frsize : st.f_bsize;
    uint64_t size = (uint64_t)st.f_blocks * fr;
    uint64_t freeb = (uint64_t)st.f_bfree * fr;
    uint64_t avail = (uint64_t)st.f_bavail * fr;
    uint64_t used = size > freeb ? size - freeb : 0;
    json_object_set_new(fs, "size_bytes", json_u64(size));
    json_object_set_new(fs, "used_bytes", json_u64(used));
    json_object_set_new(fs, "avail_bytes", json_u64(avail));
    json_object_set_new(fs, "inodes_total", json_u64(st.f_files));
    json_object_set_new(fs, "inodes_used",
                        json_u64(st.f_files > st.f_ffree ? st.f_files - st.f_ffree : 0));
    json_object_set_new(fs, "inodes_free", json_u64(st.f_ffree));
    json_object_set_new(fs, "used_pct",
                        used + avail ? json_pct(100.0 * (double)used / (double)(used + avail))
                                     : json_null());
    json_object_set_new(
        fs, "inodes_used_pct",
        st.f_files ? json_pct(100.0 * (double)(st.f_files - st.f_ffree) / (double)st.f_files)
                   : json_null());
}

static json_t *fs_json(struct hctx *c, const struct mountinfo_entry *m, const char *statpath,
                       json_t *container)
{
    json_t *fs = json_object();
    if (!fs) return NULL;
    char mm[32];
    snprintf(mm, sizeof mm, "%u:%u", m->major, m->minor);
    json_object_set_new(fs, "mountpoint", json_redacted(m->mountpoint));
    json_object_set_new(fs, "fstype", json_redacted(m->fstype));
    json_object_set_new(fs, "device", json_redacted(m->source));
    json_object_set_new(fs, "dev", json_string(mm));
    json_object_set_new(fs, "options", json_redacted(m->opts));
    json_object_set_new(fs, "readonly", json_boolean(mount_opt_has(m->opts, "ro")));
    fs_sizes(c, fs, statpath, m->mountpoint, m->fstype);
    json_object_set_new(fs, "container", container ? json_incref(container) : json_null());
    return fs;
}

static int add_target(struct hctx *c, const char *path, const char *label, const char *fsmp,
                      json_t *container)
{
    struct scan_target *t = realloc(c->targets, (c->n_targets + 1) * sizeof *t);
    if (!t) return -ENOMEM;
    c->targets = t;
    t = &c->targets[c->n_targets];
    t->path = strdup(path);
    t->label = strdup(label);
    t->fs_mountpoint = strdup(fsmp);
    t->container = container ? json_incref(container) : NULL;
    c->n_targets++;
    if (!t->path || !t->label || !t->fs_mountpoint) return -ENOMEM;
    return 0;
}

struct mount_pass;
static bool host_has_mount(const struct mount_pass *mp, uint64_t dev, const char *mountpoint);

struct mount_pass {
    json_t *list;
    json_t *pseudo; /* fstype -> count */
    size_t n_pseudo, n_shared, n_dropped;
    struct fs_entry *ents;
    size_t n_ents;
};

/* The same device at the same place in our namespace: a copy inherited
 * when the namespace was created (unshare -m), not the container's own. */
static bool host_has_mount(const struct mount_pass *mp, uint64_t dev, const char *mountpoint)
{
    for (size_t i = 0; i < mp->n_ents; i++) {
        if (mp->ents[i].container) break; /* host entries come first */
        if (mp->ents[i].dev != dev) continue;
        const char *m = json_string_value(json_object_get(mp->ents[i].j, "mountpoint"));
        if (m && streq(m, mountpoint)) return true;
    }
    return false;
}

/* One mountinfo file: ours (container == NULL) or another namespace's. */
static int mount_table(struct hctx *c, struct mount_pass *mp, const char *rel, int pid,
                       json_t *container)
{
    _cleanup_free_ char *text = NULL;
    if (hctx_read_max(c, rel, HCTX_READ_BIG, pid > 0, &text, NULL) < 0) return 0;
    size_t bad = 0, lineno = 0, first_bad = 0;
    for (char *l = text; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        lineno++;
        struct mountinfo_entry m;
        if (*l == '\0') {
            /* empty line */
        } else if (mountinfo_parse_line(l, &m) < 0) {
            if (!bad++) first_bad = lineno;
        } else if (fstype_is_pseudo(m.fstype)) {
            mp->n_pseudo++;
            json_t *cnt = json_object_get(mp->pseudo, m.fstype);
            json_object_set_new(mp->pseudo, m.fstype,
                                json_integer(cnt ? json_integer_value(cnt) + 1 : 1));
            if (!container && c->n_host_devs < MAX_MOUNTS)
                c->host_devs[c->n_host_devs++] = devkey(m.major, m.minor);
        } else if (mp->n_ents == MAX_MOUNTS) {
            mp->n_dropped++;
        } else {
            uint64_t dev = devkey(m.major, m.minor);
            bool tmpfs = streq(m.fstype, "tmpfs");
            char statpath[HCTX_PATH_MAX];
            if (container) {
                /* bind mounts of host file systems are the host's entries; the
                 * container's own root and tmpfs mounts are listed as its own */
                if ((host_has_dev(c, dev) && !tmpfs && !streq(m.mountpoint, "/") &&
                     !streq(m.fstype, "overlay")) ||
                    host_has_mount(mp, dev, m.mountpoint)) {
                    mp->n_shared++;
                    goto next;
                }
                snprintf(statpath, sizeof statpath, "/proc/%d/root%s", pid,
                         streq(m.mountpoint, "/") ? "" : m.mountpoint);
                if (streq(m.mountpoint, "/"))
                    snprintf(statpath, sizeof statpath, "/proc/%d/root/", pid);
            } else {
                snprintf(statpath, sizeof statpath, "%s", m.mountpoint);
                if (c->n_host_devs < MAX_MOUNTS) c->host_devs[c->n_host_devs++] = dev;
            }
            json_t *fs = fs_json(c, &m, statpath, container);
            if (!fs) return -ENOMEM;
            json_array_append_new(mp->list, fs);
            mp->ents[mp->n_ents++] =
                (struct fs_entry){ fs,    dev, container != NULL, mount_opt_has(m.opts, "ro"),
                                   tmpfs, NULL };
            bool super_ro = mount_opt_has(m.super_opts, "ro");
            if (super_ro && !mount_opt_has(m.opts, "ro")) {
                char subj[512];
                subject_of(fs, subj, sizeof subj);
                hctx_finding(c, "fs.readonly", "critical", subj, 1, 0,
                             "%s is mounted read-write but its file system (%s on %s) is "
                             "read-only, typically remounted after I/O errors; writes fail "
                             "with EROFS",
                             subj, m.fstype, m.source);
            }
            /* tmpfs contents are scanned for hot spots (live only) */
            if (tmpfs && c->live && !startswith(m.mountpoint, "/sys/") &&
                !(mp->ents[mp->n_ents - 1].statpath = strdup(statpath)))
                return -ENOMEM;
        }
    next:
        l = nl ? nl + 1 : NULL;
    }
    if (bad)
        hctx_unavail(c, rel, "malformed: %zu line(s) skipped, first at line %zu", bad, first_bad);
    if (lineno == 0 && !container) hctx_unavail(c, rel, "malformed: empty");
    return 0;
}

int collect_mounts(struct hctx *c)
{
    struct mount_pass mp = { 0 };
    int r = -ENOMEM;
    mp.list = json_array();
    mp.pseudo = json_object();
    mp.ents = calloc(MAX_MOUNTS, sizeof *mp.ents);
    c->host_devs = calloc(MAX_MOUNTS, sizeof *c->host_devs);
    if (!mp.list || !mp.pseudo || !mp.ents || !c->host_devs) goto out;
    json_object_set_new(c->doc, "filesystems", json_incref(mp.list));
    /* filled by collect_hotspots(), which runs last */
    json_object_set_new(c->doc, "hotspots", json_array());
    json_object_set_new(c->doc, "scans", json_array());

    r = mount_table(c, &mp, "/proc/self/mountinfo", 0, NULL);
    if (r < 0) goto out;
    size_t n_host = mp.n_ents;
    size_t i;
    json_t *ct;
    json_array_foreach(c->containers, i, ct)
    {
        char rel[300];
        int pid = (int)json_integer_value(json_object_get(ct, "pid"));
        snprintf(rel, sizeof rel, "/proc/%d/mountinfo", pid);
        r = mount_table(c, &mp, rel, pid, ct);
        if (r < 0) goto out;
        if (hctx_over_budget(c)) {
            hctx_unavail(c, "/proc/PID/mountinfo", "time budget exhausted after %zu namespaces",
                         i + 1);
            break;
        }
    }
    /* Findings once per device; a container's view of a shared tmpfs wins
     * over the host's (it names the pod). */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < mp.n_ents; k++) {
            struct fs_entry *e = &mp.ents[k];
            if ((pass == 0) != e->container || e->ro) continue;
            bool dup = false;
            for (size_t j = 0; j < mp.n_ents && !dup; j++) {
                if (j == k || mp.ents[j].dev != e->dev || mp.ents[j].ro) continue;
                /* an earlier evaluated entry of the same device */
                if (mp.ents[j].container == e->container ? j < k : mp.ents[j].container) dup = true;
            }
            /* an overlay reports its backing file system: container roots on
             * the same disk would repeat that disk's finding once each */
            const char *t = json_string_value(json_object_get(e->j, "fstype"));
            for (size_t j = 0; j < mp.n_ents && !dup && t && streq(t, "overlay"); j++) {
                if (j == k || mp.ents[j].ro || !same_backing(e->j, mp.ents[j].j)) continue;
                const char *tj = json_string_value(json_object_get(mp.ents[j].j, "fstype"));
                bool j_overlay = tj && streq(tj, "overlay");
                if (!j_overlay)
                    dup = true; /* the disk itself is listed */
                else if (mp.ents[j].container == e->container ? j < k : mp.ents[j].container)
                    dup = true;
            }
            if (!dup) fs_findings(c, e->j);
        }
    }
    /* hot-spot targets: every tmpfs device once, through a container's view
     * when one has it (that names the pod), else the host's */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < mp.n_ents; k++) {
            struct fs_entry *e = &mp.ents[k];
            if ((pass == 0) != e->container || !e->statpath) continue;
            bool dup = false;
            for (size_t j = 0; j < mp.n_ents && !dup; j++)
                dup = j != k && mp.ents[j].statpath && mp.ents[j].dev == e->dev &&
                      (mp.ents[j].container == e->container ? j < k : mp.ents[j].container);
            for (size_t q = 0; q < c->n_targets && !dup; q++)
                dup = streq(c->targets[q].path, e->statpath); /* over-mounted: same view */
            if (dup) continue;
            const char *mpt = json_string_value(json_object_get(e->j, "mountpoint"));
            json_t *who = json_object_get(e->j, "container");
            r = add_target(c, e->statpath, mpt ? mpt : "?", mpt ? mpt : "?",
                           json_is_object(who) ? who : NULL);
            if (r < 0) goto out;
        }
    }
    r = -ENOMEM;
    json_t *sum = json_object();
    if (!sum) goto out;
    json_object_set_new(sum, "host_mounts", json_integer((json_int_t)n_host));
    json_object_set_new(sum, "container_mounts", json_integer((json_int_t)(mp.n_ents - n_host)));
    json_object_set_new(sum, "pseudo_skipped", json_integer((json_int_t)mp.n_pseudo));
    json_object_set_new(sum, "pseudo_by_type", json_incref(mp.pseudo));
    json_object_set_new(sum, "shared_with_host_skipped", json_integer((json_int_t)mp.n_shared));
    json_object_set_new(sum, "dropped_over_limit", json_integer((json_int_t)mp.n_dropped));
    if (mp.n_dropped)
        hctx_unavail(c, "/proc/PID/mountinfo", "%zu mount(s) beyond the limit of %d not listed",
                     mp.n_dropped, MAX_MOUNTS);
    json_object_set_new(c->doc, "filesystems_summary", sum);
    r = 0;
out:
    json_decref(mp.list);
    json_decref(mp.pseudo);
    if (mp.ents)
        for (size_t k = 0; k < mp.n_ents; k++) free(mp.ents[k].statpath);
    free(mp.ents);
    return r;
}
