/* SPDX-License-Identifier: MIT */
/* Unit tests for the pure /proc parsers of lib/host (procparse.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/procparse.h"

static void test_mountinfo(void **state)
{
    (void)state;
    char l1[] = "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - ext3 /dev/root "
                "rw,errors=continue";
    struct mountinfo_entry e;
    assert_int_equal(mountinfo_parse_line(l1, &e), 0);
    assert_int_equal(e.id, 36);
    assert_int_equal(e.parent, 35);
    assert_int_equal(e.major, 98);
    assert_int_equal(e.minor, 0);
    assert_string_equal(e.root, "/mnt1");
    assert_string_equal(e.mountpoint, "/mnt two");
    assert_string_equal(e.opts, "rw,noatime");
    assert_string_equal(e.fstype, "ext3");
    assert_string_equal(e.source, "/dev/root");
    assert_string_equal(e.super_opts, "rw,errors=continue");
    /* no optional fields; tab, newline and backslash escapes */
    char l2[] = "25 24 0:23 / /dev/a\\011b\\012c\\134d rw - tmpfs tmpfs rw,size=1024k";
    assert_int_equal(mountinfo_parse_line(l2, &e), 0);
    assert_string_equal(e.mountpoint, "/dev/a\tb\nc\\d");
    assert_string_equal(e.fstype, "tmpfs");
    /* truncated and malformed lines are rejected */
    char t1[] = "25 24 0:23 / /dev/shm rw - tmpfs";
    assert_int_equal(mountinfo_parse_line(t1, &e), -EBADMSG);
    char t2[] = "25 24 0:23 / /dev/shm rw shared:1";
    assert_int_equal(mountinfo_parse_line(t2, &e), -EBADMSG);
    char t3[] = "x 24 0:23 / /dev/shm rw - tmpfs tmpfs rw";
    assert_int_equal(mountinfo_parse_line(t3, &e), -EBADMSG);
    char t4[] = "25 24 023 / /dev/shm rw - tmpfs tmpfs rw";
    assert_int_equal(mountinfo_parse_line(t4, &e), -EBADMSG);
    char t5[] = "25 24 0:23 / relative rw - tmpfs tmpfs rw";
    assert_int_equal(mountinfo_parse_line(t5, &e), -EBADMSG);
    char t6[] = "";
    assert_int_equal(mountinfo_parse_line(t6, &e), -EBADMSG);
    /* an escape of NUL or a short escape is kept verbatim */
    char u[] = "a\\000b\\04";
    unescape_octal(u);
    assert_string_equal(u, "a\\000b\\04");
}

static void test_pseudo(void **state)
{
    (void)state;
    static const char *const pseudo[] = { "proc",   "sysfs",     "cgroup",  "cgroup2", "devpts",
                                          "mqueue", "debugfs",   "tracefs", "bpf",     "nsfs",
                                          "autofs", "hugetlbfs", "configfs" };
    for (size_t i = 0; i < sizeof pseudo / sizeof pseudo[0]; i++)
        assert_true(fstype_is_pseudo(pseudo[i]));
    assert_false(fstype_is_pseudo("tmpfs"));
    assert_false(fstype_is_pseudo("overlay"));
    assert_false(fstype_is_pseudo("ext4"));
    assert_false(fstype_is_pseudo("devtmpfs"));
    assert_true(mount_opt_has("rw,nosuid,ro", "ro"));
    assert_false(mount_opt_has("rw,nosuid,errors=remount-ro", "ro"));
    assert_false(mount_opt_has("", "ro"));
}

static void test_kv_meminfo(void **state)
{
    (void)state;
    const char *mi = "MemTotal:       16303412 kB\nMemFree:  400 kB\nMemAvailable: 1200 kB\n"
                     "SwapTotal: 0 kB\nHugePages_Total: 0\n";
    struct meminfo m;
    assert_int_equal(meminfo_parse(mi, &m), 0);
    assert_int_equal(m.total, 16303412ULL * 1024);
    assert_int_equal(m.available, 1200 * 1024);
    assert_true(m.has_available);
    uint64_t v;
    assert_int_equal(kv_get_u64(mi, "HugePages_Total", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kv_get_u64(mi, "Mem", &v), -ENOENT); /* prefix of a key is not the key */
    assert_int_equal(kv_get_u64("oom_kill 7\n", "oom_kill", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(kv_get_u64("oom_kill x\n", "oom_kill", &v), -EBADMSG);
    assert_int_equal(kv_get_u64("oom_kill 99999999999999999999999\n", "oom_kill", &v), -EBADMSG);
    assert_int_equal(meminfo_parse("MemFree: 1 kB\n", &m), -EBADMSG);
    assert_int_equal(meminfo_parse("MemTotal: 0 kB\nMemFree: 0 kB\n", &m), -EBADMSG);
    /* old kernels: no MemAvailable, estimated from free + buffers + cached */
    assert_int_equal(
        meminfo_parse("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 5 kB\n", &m), 0);
    assert_false(m.has_available);
    assert_int_equal(m.available, 20 * 1024);
    assert_int_equal(parse_u64_or_max("max\n", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(parse_u64_or_max(" 4096\n", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(parse_u64_or_max("12x", &v), -EBADMSG);
    assert_int_equal(parse_u64_or_max("", &v), -EBADMSG);
}

static void test_psi_loadavg(void **state)
{
    (void)state;
    struct psi p;
    assert_int_equal(psi_parse("some avg10=1.50 avg60=2.25 avg300=0.00 total=1234\n"
                               "full avg10=0.10 avg60=12.50 avg300=0.00 total=99\n",
                               &p),
                     0);
    assert_true(p.some.present && p.full.present);
    assert_float_equal(p.some.avg60, 2.25, 1e-9);
    assert_float_equal(p.full.avg60, 12.5, 1e-9);
    assert_int_equal(p.some.total, 1234);
    assert_int_equal(psi_parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p), 0);
    assert_false(p.full.present);
    assert_int_equal(psi_parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p), -EBADMSG);
    assert_int_equal(psi_parse("some avg10=abc avg60=0.00 avg300=0.00 total=0\n", &p), -EBADMSG);
    assert_int_equal(psi_parse("some avg10=1.00 avg60=2.00 avg300=3.00\n", &p), -EBADMSG);
    assert_int_equal(psi_parse("", &p), -EBADMSG);
    struct loadavg l;
    assert_int_equal(loadavg_parse("9.50 8.20 6.10 5/900 5002\n", &l), 0);
    assert_float_equal(l.l5, 8.2, 1e-9);
    assert_int_equal(l.running, 5);
    assert_int_equal(l.total, 900);
    assert_int_equal(loadavg_parse("0.5", &l), -EBADMSG);
}

static void test_cgroup_ident(void **state)
{
    (void)state;
    struct cgroup_ident id;
    const char *cid = "3f9a1c2e4b5d6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
    char buf[1024];
    /* Kubernetes, systemd driver, containerd, cgroup v2 */
    snprintf(buf, sizeof buf,
             "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_"
             "4a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-%s.scope\n",
             cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, cid);
    assert_string_equal(id.pod_uid, "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
    assert_string_equal(id.runtime, "containerd");
    assert_int_equal(id.version, 2);
    assert_non_null(strstr(buf, id.mem_path));
    assert_true(strlen(id.mem_path) > 100);
    /* Kubernetes, cgroupfs driver, v1, CRI-O (crio-ID.scope) and bare id shapes */
    snprintf(buf, sizeof buf,
             "11:memory:/kubepods/burstable/pod0a1b2c3d-0000-4000-8000-123456789abc/%s\n"
             "10:cpu,cpuacct:/kubepods/burstable/pod0a1b2c3d-0000-4000-8000-123456789abc/%s\n",
             cid, cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, cid);
    assert_string_equal(id.pod_uid, "0a1b2c3d-0000-4000-8000-123456789abc");
    assert_int_equal(id.version, 1);
    assert_non_null(strstr(id.mem_path, "/kubepods/burstable/pod0a1b2c3d"));
    assert_non_null(strstr(id.cpu_path, "/kubepods/burstable/pod0a1b2c3d"));
    snprintf(
        buf, sizeof buf,
        "0::/kubepods.slice/kubepods-pod0a1b2c3d_0000_4000_8000_123456789abc.slice/crio-%s.scope\n",
        cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.runtime, "cri-o");
    assert_string_equal(id.pod_uid, "0a1b2c3d-0000-4000-8000-123456789abc");
    /* plain docker, v1 cgroupfs and v2 systemd */
    snprintf(buf, sizeof buf, "12:memory:/docker/%s\n1:name=systemd:/docker/%s\n0::/\n", cid, cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, cid);
    assert_string_equal(id.runtime, "docker");
    assert_string_equal(id.pod_uid, "");
    snprintf(buf, sizeof buf, "0::/system.slice/docker-%s.scope\n", cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, cid);
    assert_string_equal(id.runtime, "docker");
    /* podman: the conmon scope is not the container */
    snprintf(buf, sizeof buf, "0::/machine.slice/libpod-conmon-%s.scope\n", cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, "");
    snprintf(buf, sizeof buf, "0::/machine.slice/libpod-%s.scope/container\n", cid);
    assert_int_equal(cgroup_ident_parse(buf, &id), 0);
    assert_string_equal(id.id, cid);
    assert_string_equal(id.runtime, "podman");
    /* lxc names the container */
    assert_int_equal(cgroup_ident_parse("0::/lxc.payload.web1/init.scope\n", &id), 0);
    assert_string_equal(id.name, "web1");
    assert_string_equal(id.runtime, "lxc");
    /* a host service: no identity, but a path */
    assert_int_equal(cgroup_ident_parse("0::/system.slice/ssh.service\n", &id), 0);
    assert_string_equal(id.id, "");
    assert_string_equal(id.path, "/system.slice/ssh.service");
    /* 63 hex chars or a non-hex char is no id; a pod word is no pod */
    assert_int_equal(
        cgroup_ident_parse(
            "0::/docker/3f9a1c2e4b5d6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f\n", &id),
        0);
    assert_string_equal(id.id, "");
    assert_int_equal(cgroup_ident_parse("0::/podcast.service\n", &id), 0);
    assert_string_equal(id.pod_uid, "");
    /* malformed */
    assert_int_equal(cgroup_ident_parse("garbage without colons\n", &id), -EBADMSG);
    assert_int_equal(cgroup_ident_parse("0:memory\n", &id), -EBADMSG);
    assert_int_equal(cgroup_ident_parse("", &id), -EBADMSG);
}

static void test_tcp(void **state)
{
    (void)state;
    const char *v4 =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
        "   1: 0A00000A:8001 0B00000A:01BB 01 00000000:00000000 00:00000000 00000000  1000\n"
        "   2: 0A00000A:8001 0C00000A:01BB 01 00000000:00000000 00:00000000 00000000  1000\n"
        "   3: 0A00000A:0050 0C00000A:C000 06 00000000:00000000 00:00000000 00000000  1000\n"
        "   4: broken\n";
    const char *v6 =
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A\n"
        "   1: 0000000000000000FFFF00000A00000A:8004 0000000000000000FFFF00000B00000A:1F90 01\n";
    struct tcp_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    assert_int_equal(tcp_parse(v4, 32768, 60999, st), 0);
    assert_int_equal(tcp_parse(v6, 32768, 60999, st), 0);
    assert_int_equal(st->total, 6);
    assert_int_equal(st->malformed, 1);
    assert_int_equal(st->states[1], 3);  /* established */
    assert_int_equal(st->states[10], 2); /* listen */
    assert_int_equal(st->states[6], 1);  /* time_wait */
    /* 0x8001 twice (counted once) and 0x8004; port 80 is outside the range */
    assert_int_equal(st->ephemeral_in_use, 2);
    assert_int_equal(st->n_listeners, 2);
    assert_string_equal(st->listeners[0].addr, "127.0.0.1");
    assert_int_equal(st->listeners[0].port, 8080);
    assert_string_equal(st->listeners[1].addr, "[::]");
    assert_int_equal(st->listeners[1].port, 80);
    assert_int_equal(tcp_parse("   0: 0100007F:1F90 00000000:0000 0A\n", 1, 2, st), -EBADMSG);
    free(st);
    unsigned lo, hi;
    assert_int_equal(port_range_parse("32768\t60999\n", &lo, &hi), 0);
    assert_int_equal(lo, 32768);
    assert_int_equal(hi, 60999);
    assert_int_equal(port_range_parse("60999 32768\n", &lo, &hi), -EBADMSG);
    assert_int_equal(port_range_parse("1 70000\n", &lo, &hi), -EBADMSG);
    assert_string_equal(tcp_state_name(10), "listen");
}

static void test_pid_stat_limits(void **state)
{
    (void)state;
    struct pid_stat ps;
    const char *s = "4242 (my (odd) proc) D 4200 4242 4242 0 -1 4194560 100 0 0 0 50 20 0 0 20 0 "
                    "7 0 1000 100000000 2500 18446744073709551615 1 1 0\n";
    assert_int_equal(pid_stat_parse(s, &ps), 0);
    assert_int_equal(ps.pid, 4242);
    assert_string_equal(ps.comm, "my (odd) proc");
    assert_int_equal(ps.state, 'D');
    assert_int_equal(ps.ppid, 4200);
    assert_int_equal(ps.num_threads, 7);
    assert_int_equal(ps.rss_pages, 2500);
    assert_int_equal(ps.utime, 50);
    assert_int_equal(pid_stat_parse("77 (bash", &ps), -EBADMSG);
    assert_int_equal(pid_stat_parse("77 (bash) S 1 2 3", &ps), -EBADMSG);
    assert_int_equal(pid_stat_parse("", &ps), -EBADMSG);
    uint64_t soft, hard;
    const char *lim = "Limit                     Soft Limit           Hard Limit           Units\n"
                      "Max open files            1024                 524288               files\n";
    assert_int_equal(limits_parse_nofile(lim, &soft, &hard), 0);
    assert_int_equal(soft, 1024);
    assert_int_equal(hard, 524288);
    assert_int_equal(
        limits_parse_nofile("Max open files  unlimited  unlimited  files\n", &soft, &hard), 0);
    assert_true(soft == UINT64_MAX);
    assert_int_equal(limits_parse_nofile("Max open files  lots  of files\n", &soft, &hard),
                     -EBADMSG);
    assert_int_equal(limits_parse_nofile("Max cpu time unlimited\n", &soft, &hard), -ENOENT);
}

static void test_kmsg(void **state)
{
    (void)state;
    struct kmsg_record r;
    const char *l =
        "3,901,80000100000,-;Memory cgroup out of memory: Killed process 4300 (outpost)\n";
    assert_int_equal(kmsg_parse_record(l, strlen(l), &r), 0);
    assert_int_equal(r.prio, 3);
    assert_int_equal(r.seq, 901);
    assert_int_equal(r.usec, 80000100000ULL);
    assert_int_equal(r.text_len,
                     strlen("Memory cgroup out of memory: Killed process 4300 (outpost)"));
    assert_memory_equal(r.text, "Memory cgroup", 13);
    const char *l2 = "6,1,0,c,more;x";
    assert_int_equal(kmsg_parse_record(l2, strlen(l2), &r), 0);
    assert_int_equal(kmsg_parse_record("no semicolon", 12, &r), -EBADMSG);
    assert_int_equal(kmsg_parse_record("a,b,c;x", 7, &r), -EBADMSG);
}

static void test_prefix(void **state)
{
    (void)state;
    char p[PREFIX_MAX];
    assert_int_equal(name_prefix("session_abc123", p), 8);
    assert_string_equal(p, "session_");
    assert_int_equal(name_prefix("app.log.1", p), 4);
    assert_string_equal(p, "app.");
    name_prefix("php-fpm.sock", p);
    assert_string_equal(p, "php-");
    name_prefix("core", p);
    assert_string_equal(p, "core");
    name_prefix("sess12345", p);
    assert_string_equal(p, "sess");
    assert_int_equal(name_prefix("12345.tmp", p), 0);
    assert_string_equal(p, "");
    assert_int_equal(name_prefix(".hidden", p), 0);
    assert_int_equal(name_prefix("\xc3\xa9t\xc3\xa9", p), 0);
    /* long runs are capped */
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_true(name_prefix(longname, p) < PREFIX_MAX);
    assert_true(strlen(p) < PREFIX_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mountinfo),       cmocka_unit_test(test_pseudo),
        cmocka_unit_test(test_kv_meminfo),      cmocka_unit_test(test_psi_loadavg),
        cmocka_unit_test(test_cgroup_ident),    cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_pid_stat_limits), cmocka_unit_test(test_kmsg),
        cmocka_unit_test(test_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
