/* SPDX-License-Identifier: MIT */
/* collect_run() on captured /proc + /sys trees (tests/data/proc-*, made by
 * tests/data/make-proc-fixtures.py) and hot_scan() on a real directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/collect.h"
#include "host/hotspots.h"

#define CID "3f9a1c2e4b5d6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define DID "9b8a7c6d5e4f30211203948576afbecd0123456789abcdef0123456789abcdef"

static json_t *run_root(const char *name)
{
    char root[4096];
    const char *src = getenv("SRCDIR");
    snprintf(root, sizeof root, "%s/tests/data/%s", src ? src : ".", name);
    struct collect_opts o = { .root = root };
    json_t *doc = NULL;
    assert_int_equal(collect_run(&o, &doc), 0);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "tshoot.collect/1");
    return doc;
}

static json_t *find_fs(json_t *doc, const char *mp, bool container)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "filesystems"), i, e)
    {
        if (streq(json_string_value(json_object_get(e, "mountpoint")), mp) &&
            json_is_object(json_object_get(e, "container")) == container)
            return e;
    }
    return NULL;
}

/* The finding with this id whose subject contains `subj` (NULL: any). */
static json_t *find_finding(json_t *doc, const char *id, const char *subj)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "findings"), i, e)
    {
        if (!streq(json_string_value(json_object_get(e, "id")), id)) continue;
        if (!subj || strstr(json_string_value(json_object_get(e, "subject")), subj)) return e;
    }
    return NULL;
}

static const char *sev(json_t *f)
{
    return json_string_value(json_object_get(f, "severity"));
}

static json_int_t ival(json_t *o, const char *path)
{
    /* "a.b.c" */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = o;
    for (char *t = strtok(buf, "."); t && cur; t = strtok(NULL, ".")) cur = json_object_get(cur, t);
    assert_true(json_is_integer(cur));
    return json_integer_value(cur);
}

/* Runtime state files hold environment variables: only names may come out. */
static void assert_no_leak(json_t *doc)
{
    char *dump = json_dumps(doc, 0);
    assert_non_null(dump);
    assert_null(strstr(dump, "hunter2"));
    assert_null(strstr(dump, "do-not-leak"));
    free(dump);
}

static void test_v2_pod(void **state)
{
    (void)state;
    json_t *doc = run_root("proc-v2");
    assert_no_leak(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "unavailable")), 0);
    /* the pod's /dev/shm, seen through /proc/4242/root, full */
    json_t *shm = find_fs(doc, "/dev/shm", true);
    assert_non_null(shm);
    json_t *ct = json_object_get(shm, "container");
    assert_int_equal(ival(ct, "pid"), 4242);
    assert_string_equal(json_string_value(json_object_get(ct, "id")), CID);
    assert_string_equal(json_string_value(json_object_get(ct, "pod_uid")),
                        "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
    assert_string_equal(json_string_value(json_object_get(ct, "namespace")), "authentik");
    /* names from containerd's task annotations win over the hostname */
    assert_string_equal(json_string_value(json_object_get(ct, "pod")),
                        "ak-outpost-proxy-6c9f8d7b5-x2x9q");
    assert_string_equal(json_string_value(json_object_get(ct, "container_name")), "proxy");
    assert_string_equal(json_string_value(json_object_get(ct, "hostname")),
                        "authentik-outpost-7d9f");
    assert_string_equal(json_string_value(json_object_get(ct, "runtime")), "containerd");
    assert_int_equal(ival(shm, "size_bytes"), 64 * 1024 * 1024);
    assert_int_equal(ival(shm, "avail_bytes"), 0);
    assert_string_equal(json_string_value(json_object_get(shm, "fstype")), "tmpfs");
    json_t *f = find_finding(doc, "fs.full",
                             "/dev/shm in pod authentik/ak-outpost-proxy-6c9f8d7b5-x2x9q "
                             "(container proxy, 3f9a1c2e4b5d)");
    assert_non_null(f);
    assert_string_equal(sev(f), "critical");
    /* the container's root overlay is listed as its own; bind mounts of host
     * disks (/etc/hosts) are not; mqueue/proc are counted as pseudo */
    assert_non_null(find_fs(doc, "/", true));
    assert_null(find_fs(doc, "/etc/hosts", true));
    assert_int_equal(ival(doc, "filesystems_summary.shared_with_host_skipped"), 1);
    assert_int_equal(ival(doc, "filesystems_summary.pseudo_by_type.mqueue"), 1);
    /* one namespace, two processes, lowest pid represents it */
    json_t *cl = json_object_get(json_object_get(doc, "containers"), "list");
    assert_int_equal(json_array_size(cl), 1);
    assert_int_equal(ival(json_array_get(cl, 0), "processes"), 2);
    /* escaped mountpoint, read-only super block, inodes */
    assert_non_null(find_fs(doc, "/var/lib/data volume", false));
    f = find_finding(doc, "fs.nearly_full", "/var/lib/data volume");
    assert_non_null(f);
    assert_string_equal(sev(f), "critical"); /* 96% */
    assert_non_null(find_finding(doc, "fs.readonly", "/srv/logs"));
    assert_non_null(find_finding(doc, "fs.inodes_full", "/srv/logs"));
    assert_null(find_finding(doc, "fs.full", "/run"));
    /* memory, cgroups, pressure, fds, network, processes */
    assert_int_equal(ival(doc, "memory.oom_kills"), 3);
    assert_int_equal(ival(doc, "memory.kernel_log.oom_kill_lines"), 1);
    assert_non_null(
        find_finding(doc, "mem.oom_kill",
                     "cgroup of pod authentik/ak-outpost-proxy-6c9f8d7b5-x2x9q (container proxy"));
    /* the pod's own cgroup counts the same kill in memory.events: not twice */
    size_t n_oom = 0, k;
    json_t *g;
    json_array_foreach(json_object_get(doc, "findings"), k, g)
    {
        n_oom += streq(json_string_value(json_object_get(g, "id")), "mem.oom_kill") &&
                 strstr(json_string_value(json_object_get(g, "subject")), "cgroup");
    }
    assert_int_equal(n_oom, 1);
    assert_non_null(find_finding(doc, "mem.pressure", NULL));
    f = find_finding(doc, "mem.cgroup_near_limit", "(container proxy, 3f9a1c2e4b5d)");
    assert_non_null(f);
    assert_string_equal(sev(f), "critical"); /* (530000000 - 2000000) / 512 MiB = 98.3% */
    f = find_finding(doc, "cpu.throttled", "container proxy");
    assert_non_null(f);
    assert_float_equal(json_real_value(json_object_get(f, "value")), 40.0, 0.01);
    f = find_finding(doc, "psi.memory", NULL);
    assert_non_null(f);
    assert_string_equal(sev(f), "critical"); /* full avg60 12.5 >= 2 * 5 */
    assert_null(find_finding(doc, "psi.io", NULL));
    f = find_finding(doc, "fd.near_limit", "pid 4242");
    assert_non_null(f);
    assert_float_equal(json_real_value(json_object_get(f, "value")), 95.0, 0.01);
    assert_non_null(find_finding(doc, "fd.system_near_limit", NULL));
    assert_string_equal(sev(find_finding(doc, "net.conntrack_near_limit", NULL)), "critical");
    assert_int_equal(ival(doc, "network.tcp.total"), 7);
    assert_int_equal(ival(doc, "network.tcp.listeners_total"), 3);
    assert_int_equal(ival(doc, "network.ephemeral_ports.in_use"), 4);
    assert_int_equal(ival(doc, "processes.total"), 5);
    assert_int_equal(ival(doc, "processes.zombies"), 1);
    assert_int_equal(ival(doc, "processes.d_state"), 1);
    json_t *d =
        json_array_get(json_object_get(json_object_get(doc, "processes"), "d_state_list"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "wchan")), "nfs_wait_bit_killable");
    assert_non_null(find_finding(doc, "proc.d_state", NULL));
    assert_non_null(find_finding(doc, "proc.zombies", NULL));
    /* clock is unknown under --root: no finding */
    assert_null(find_finding(doc, "time.unsynced", NULL));
    assert_true(json_is_null(
        json_object_get(json_object_get(json_object_get(doc, "host"), "clock"), "synchronized")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "host"), "kernel")),
                        "6.1.0-18-amd64");
    assert_int_equal(ival(doc, "host.uptime_s"), 86400);
    /* findings are ordered: critical before warning before info */
    assert_int_equal(collect_worst_severity(doc), 2);
    json_t *fl = json_object_get(doc, "findings");
    int last = 3;
    size_t i;
    json_array_foreach(fl, i, f)
    {
        int r = streq(sev(f), "critical") ? 2 : streq(sev(f), "warning") ? 1 : 0;
        assert_true(r <= last);
        last = r;
    }
    json_decref(doc);
}

static void test_v1_docker(void **state)
{
    (void)state;
    json_t *doc = run_root("proc-v1");
    assert_no_leak(doc);
    assert_int_equal(ival(doc, "cgroups.version"), 1);
    json_t *shm = find_fs(doc, "/dev/shm", true);
    assert_non_null(shm);
    json_t *ct = json_object_get(shm, "container");
    assert_string_equal(json_string_value(json_object_get(ct, "id")), DID);
    assert_string_equal(json_string_value(json_object_get(ct, "runtime")), "docker");
    assert_true(json_is_null(json_object_get(ct, "pod_uid")));
    assert_null(find_fs(doc, "/data", true)); /* volume on a host disk */
    assert_null(find_finding(doc, "fs.full", "/dev/shm"));
    /* the container's overlay root sits on /var/lib/docker: one finding, the disk's */
    assert_non_null(find_finding(doc, "fs.nearly_full", "/var/lib/docker"));
    assert_null(find_finding(doc, "fs.nearly_full", "in container"));
    assert_non_null(find_fs(doc, "/", true));
    json_t *cg = json_array_get(json_object_get(json_object_get(doc, "cgroups"), "list"), 0);
    assert_non_null(cg);
    assert_string_equal(json_string_value(json_object_get(cg, "path")), "/docker/" DID);
    assert_int_equal(ival(cg, "memory.oom_kills"), 1);
    assert_int_equal(ival(cg, "memory.limit_bytes"), 1073741824);
    assert_int_equal(ival(cg, "memory.working_set_bytes"), 1040000000);
    assert_int_equal(ival(cg, "cpu.nr_throttled"), 800);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cg, "container"), "id")),
                        DID);
    assert_non_null(find_finding(doc, "cpu.throttled", "container billing-api (9b8a7c6d5e4f)"));
    assert_non_null(find_finding(doc, "mem.oom_kill", "container billing-api"));
    assert_string_equal(sev(find_finding(doc, "mem.cgroup_near_limit", "billing-api")), "warning");
    assert_string_equal(json_string_value(json_object_get(ct, "container_name")), "billing-api");
    /* no oom_kill counter in this vmstat: unknown, not zero */
    assert_true(json_is_null(json_object_get(json_object_get(doc, "memory"), "oom_kills")));
    json_decref(doc);
}

static bool has_unavail(json_t *doc, const char *path, const char *reason_part)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "unavailable"), i, e)
    {
        if (streq(json_string_value(json_object_get(e, "path")), path) &&
            strstr(json_string_value(json_object_get(e, "reason")), reason_part))
            return true;
    }
    return false;
}

static void test_bad_files(void **state)
{
    (void)state;
    json_t *doc = run_root("proc-bad");
    static const struct {
        const char *path, *reason;
    } want[] = {
        { "/proc/sys/kernel/hostname", "empty" },
        { "/proc/sys/kernel/osrelease", "binary" },
        { "/proc/uptime", "malformed" },
        { "/proc/stat", "malformed" },
        { "/proc/self/mountinfo", "3 line(s) skipped, first at line 2" },
        { "/proc/meminfo", "binary" },
        { "/proc/vmstat", "oom_kill" },
        { "/proc/loadavg", "malformed" },
        { "/proc/pressure/cpu", "malformed" },
        { "/proc/pressure/memory", "malformed" },
        { "/proc/pressure/io", "malformed" },
        { "/proc/sys/fs/file-nr", "malformed" },
        { "/proc/sys/net/ipv4/ip_local_port_range", "malformed" },
        { "/proc/net/tcp", "no header" },
        { "/proc/net/tcp6", "2 socket line(s) skipped" },
        { "/proc/sys/net/netfilter/nf_conntrack_count", "malformed" },
        { "/dev/kmsg", "malformed" },
        { "/proc/77/stat", "malformed" },
        { "/proc/78/cgroup", "malformed" },
        { "/proc/78/limits", "malformed" },
        { "/proc/78/mountinfo", "binary" },
        { "/sys/fs/cgroup/bad.slice/memory.max", "malformed" },
        { "/sys/fs/cgroup/bad.slice/memory.current", "malformed" },
        { "/sys/fs/cgroup/bad.slice/memory.events", "malformed" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!has_unavail(doc, want[i].path, want[i].reason))
            fail_msg("no unavailable entry for %s (%s)", want[i].path, want[i].reason);
    }
    /* the good lines still count */
    assert_non_null(find_fs(doc, "/", false));
    assert_non_null(find_fs(doc, "/data dir", false));
    assert_int_equal(json_array_size(json_object_get(doc, "filesystems")), 2);
    assert_true(json_is_null(json_object_get(json_object_get(doc, "host"), "kernel")));
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 0);
    json_decref(doc);
}

static void test_bad_root(void **state)
{
    (void)state;
    json_t *doc = NULL;
    struct collect_opts o = { .root = "/nonexistent/tshoot-root" };
    assert_int_equal(collect_run(&o, &doc), -ENOENT);
    assert_null(doc);
    o.root = "/etc/hostname";
    assert_int_equal(collect_run(&o, &doc), -ENOTDIR);
    assert_int_equal(collect_run(NULL, &doc), -EINVAL);
}

/* A /proc file past the 1 MiB read cap is reported, not read without end. */
static void test_oversized_file(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/tshoot-root.XXXXXX";
    char *root = mkdtemp(tmpl);
    assert_non_null(root);
    char p[4200];
    snprintf(p, sizeof p, "%s/proc", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/proc/meminfo", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("MemTotal: 1000 kB\nMemFree: 10 kB\n", f);
    for (int i = 0; i < 80000; i++) fputs("Filler:          12345 kB\n", f);
    fclose(f);
    /* a busy node's mount table passes 1 MiB: still read whole */
    assert_int_equal(mkdir(strcat(strcpy(p, root), "/proc/self"), 0755), 0);
    snprintf(p, sizeof p, "%s/proc/self/mountinfo", root);
    f = fopen(p, "w");
    assert_non_null(f);
    for (int i = 0; i < 7000; i++)
        fprintf(
            f,
            "%d 26 0:%d / /var/lib/kubelet/pods/0a1b2c3d-0000-4000-8000-%012d/volumes/"
            "kubernetes.io~empty-dir/cache rw,relatime shared:%d - tmpfs tmpfs rw,size=65536k\n",
            i + 100, i + 100, i, i);
    long sz = ftell(f);
    fclose(f);
    assert_true(sz > (1 << 20));
    struct collect_opts o = { .root = root };
    json_t *doc = NULL;
    assert_int_equal(collect_run(&o, &doc), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "filesystems")), 7000);
    assert_false(has_unavail(doc, "/proc/self/mountinfo", ""));
    assert_true(has_unavail(doc, "/proc/meminfo", "larger than"));
    assert_true(json_is_null(json_object_get(json_object_get(doc, "memory"), "total_bytes")));
    json_decref(doc);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void touch(const char *dir, const char *name, time_t mtime, size_t size)
{
    char p[8448]; /* dir and name may each be up to PATH_MAX */
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    char buf[8192] = { 0 };
    assert_true(write(fd, buf, size) == (ssize_t)size);
    struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
    assert_int_equal(futimens(fd, ts), 0);
    close(fd);
}

static void test_hot_scan(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/tshoot-hot.XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char sub[4096], outside[4096], name[64];
    snprintf(sub, sizeof sub, "%s/cache", dir);
    snprintf(outside, sizeof outside, "%s-outside", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);
    /* 120 session_ files spread over 119 minutes: 1 per minute */
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof name, "session_%04d", i);
        touch(dir, name, 1700000000 + i * 60, 10);
    }
    for (int i = 0; i < 15; i++) {
        snprintf(name, sizeof name, "img-%d.png", i);
        touch(sub, name, 1700000000, 100);
    }
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "secret_%d", i);
        touch(outside, name, 1700000000, 1);
    }
    /* a symlink to a directory outside must not be followed */
    char link[4096];
    snprintf(link, sizeof link, "%s/escape", dir);
    assert_int_equal(symlink(outside, link), 0);

    struct hot_opts o = {
        .max_entries = 100000, .min_count = 10, .max_depth = 8, .stat_full = 4096
    };
    json_t *res = NULL;
    assert_int_equal(hot_scan(dir, "/label", &o, &res), 0);
    assert_int_equal(ival(res, "files"), 136); /* 120 + 15 + the symlink itself */
    assert_int_equal(ival(res, "dirs"), 1);
    assert_int_equal(ival(res, "unscanned.symlinks_not_followed"), 1);
    assert_false(json_is_true(json_object_get(res, "truncated")));
    json_t *hot = json_object_get(res, "hotspots");
    assert_int_equal(json_array_size(hot), 2);
    json_t *h = json_array_get(hot, 0);
    assert_string_equal(json_string_value(json_object_get(h, "prefix")), "session_");
    assert_string_equal(json_string_value(json_object_get(h, "dir")), "/label");
    assert_int_equal(ival(h, "count"), 120);
    assert_int_equal(ival(h, "span_s"), 119 * 60);
    assert_float_equal(json_real_value(json_object_get(h, "rate_per_min")), 1.01, 0.01);
    assert_string_equal(json_string_value(json_object_get(h, "oldest_mtime")),
                        "2023-11-14T22:13:20Z");
    h = json_array_get(hot, 1);
    assert_string_equal(json_string_value(json_object_get(h, "prefix")), "img-");
    assert_string_equal(json_string_value(json_object_get(h, "dir")), "/label/cache");
    char *dump = json_dumps(res, 0);
    assert_non_null(dump);
    assert_null(strstr(dump, "secret_"));
    free(dump);
    json_decref(res);

    /* entry budget: stops and says so */
    o.max_entries = 50;
    assert_int_equal(hot_scan(dir, dir, &o, &res), 0);
    assert_true(json_is_true(json_object_get(res, "truncated")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "unscanned"), "reason")),
        "entry budget");
    assert_int_equal(ival(res, "entries"), 50);
    json_decref(res);
    /* depth limit */
    o.max_entries = 100000;
    o.max_depth = 0;
    assert_int_equal(hot_scan(dir, dir, &o, &res), 0);
    assert_int_equal(ival(res, "unscanned.deeper_than_limit"), 1);
    json_decref(res);
    assert_int_equal(hot_scan("/nonexistent/x", "x", &o, &res), -ENOENT);

    /* sampling: 3000 files, 100 stat()ed before the stride doubles: the
     * count stays exact, sizes are scaled, far fewer stat calls */
    char big[4200];
    snprintf(big, sizeof big, "%s/big", dir);
    assert_int_equal(mkdir(big, 0755), 0);
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "job-%05d", i);
        touch(big, name, 1700000000 + i, 4096);
    }
    o.max_depth = 8;
    o.stat_full = 100;
    assert_int_equal(hot_scan(big, "/big", &o, &res), 0);
    assert_true(json_is_true(json_object_get(res, "sampled")));
    assert_int_equal(ival(res, "files"), 3000);
    assert_true(ival(res, "stat_calls") < 800);
    h = json_array_get(json_object_get(res, "hotspots"), 0);
    assert_string_equal(json_string_value(json_object_get(h, "prefix")), "job-");
    assert_int_equal(ival(h, "count"), 3000);
    assert_true(json_is_true(json_object_get(h, "bytes_estimated")));
    json_int_t bytes = ival(h, "bytes"), want = 3000LL * 4096;
    assert_true(bytes > want * 8 / 10 && bytes < want * 12 / 10);
    assert_true(ival(h, "span_s") > 2900);
    json_decref(res);
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_pod),    cmocka_unit_test(test_v1_docker),
        cmocka_unit_test(test_bad_files), cmocka_unit_test(test_bad_root),
        cmocka_unit_test(test_hot_scan),  cmocka_unit_test(test_oversized_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
