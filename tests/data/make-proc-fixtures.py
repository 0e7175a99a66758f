#!/usr/bin/env python3
"""Regenerate the captured /proc + /sys trees used by the collect tests:
  proc-v2   Kubernetes node, cgroup v2, containerd pod whose /dev/shm is full
  proc-v1   Docker host, cgroup v1, a throttled container near its memory limit
  proc-bad  malformed, truncated and binary /proc files (each must be reported
            as unavailable, never crash)
Run from anywhere: python3 tests/data/make-proc-fixtures.py"""
import os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CID = "3f9a1c2e4b5d6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
DID = "9b8a7c6d5e4f30211203948576afbecd0123456789abcdef0123456789abcdef"
POD = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"


def w(root, rel, text, mode="w"):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, mode) as f:
        f.write(text)


def ln(root, rel, target):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def stat_line(pid, comm, state, ppid, threads=1, rss=1000):
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss ...
    return (f"{pid} ({comm}) {state} {ppid} {pid} {pid} 0 -1 4194560 100 0 0 0 "
            f"50 20 0 0 20 0 {threads} 0 1000 100000000 {rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n")


LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            {soft}                 {hard}               files
Max processes             63471                63471                processes
"""

COMMON_TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0
   2: 0A00000A:8001 0B00000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0 20 4 30 10 -1
   3: 0A00000A:8002 0B00000A:01BB 06 00000000:00000000 03:00000500 00000000     0        0 0 3 0
   4: 0A00000A:8003 0B00000A:01BB 08 00000000:00000000 00:00000000 00000000  1000        0 1004 1 0 20 4 30 10 -1
"""
COMMON_TCP6 = """  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0
   1: 0000000000000000FFFF00000A00000A:8004 0000000000000000FFFF00000B00000A:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 20 4 30 10 -1
"""


def base_host(root, hostname, kernel):
    w(root, "proc/sys/kernel/hostname", hostname + "\n")
    w(root, "proc/sys/kernel/osrelease", kernel + "\n")
    w(root, "proc/uptime", "86400.52 160000.10\n")
    w(root, "proc/stat", "cpu  100 0 100 1000 0 0 0 0 0 0\ncpu0 50 0 50 500 0 0 0 0 0 0\n"
      "cpu1 50 0 50 500 0 0 0 0 0 0\nintr 0\nctxt 1000\nbtime 1700000000\nprocesses 500\n")
    w(root, "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n")
    w(root, "proc/net/tcp", COMMON_TCP)
    w(root, "proc/net/tcp6", COMMON_TCP6)
    ln(root, "proc/self/ns/mnt", "mnt:[4026531841]")


def proc(root, pid, comm, state, ppid, ns, cgroup, nfd=3, soft=1024, hard=4096, rss=1000, wchan=None):
    d = f"proc/{pid}"
    w(root, f"{d}/stat", stat_line(pid, comm, state, ppid, rss=rss))
    w(root, f"{d}/comm", comm + "\n")
    w(root, f"{d}/cgroup", cgroup)
    w(root, f"{d}/limits", LIMITS.format(soft=soft, hard=hard))
    ln(root, f"{d}/ns/mnt", f"mnt:[{ns}]")
    for i in range(nfd):
        ln(root, f"{d}/fd/{i}", "/dev/null")
    if wchan is not None:
        w(root, f"{d}/wchan", wchan)


def make_v2(root):
    base_host(root, "node-a", "6.1.0-18-amd64")
    w(root, "proc/self/mountinfo",
      "21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
      "22 26 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
      "26 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
      "27 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
      "28 26 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=803136k,mode=755\n"
      "29 26 259:3 / /var/lib/data\\040volume rw,relatime shared:30 - xfs /dev/nvme0n1p3 rw\n"
      "30 26 0:45 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/" + CID + "/rootfs rw,relatime shared:40 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
      "31 26 259:4 / /srv/logs rw,relatime shared:31 - ext4 /dev/nvme1n1 ro,errors=remount-ro\n")
    proc(root, 1, "systemd", "S", 0, 4026531841, "0::/init.scope\n", nfd=40)
    proc(root, 4242, "outpost", "S", 4200, 4026532500,
         "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
         + POD.replace("-", "_") + ".slice/cri-containerd-" + CID + ".scope\n",
         nfd=38, soft=40, hard=40, rss=30000)
    proc(root, 4243, "outpost-worker", "S", 4242, 4026532500, "0::/kubepods.slice/x\n")
    proc(root, 5000, "defunct", "Z", 1, 4026531841, "0::/init.scope\n", nfd=0)
    proc(root, 5001, "rsync", "D", 1, 4026531841, "0::/system.slice/backup.service\n",
         wchan="nfs_wait_bit_killable")
    w(root, "proc/4242/mountinfo",
      "600 500 0:45 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
      "601 600 0:60 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
      "602 600 0:61 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
      "603 602 0:62 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n"
      "604 600 259:2 /var/lib/kubelet/pods/" + POD + "/etc-hosts /etc/hosts rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
      "605 602 0:63 / /dev/mqueue rw,relatime - mqueue mqueue rw\n")
    w(root, "proc/4242/root/etc/hostname", "authentik-outpost-7d9f\n")
    w(root, "proc/4242/root/var/run/secrets/kubernetes.io/serviceaccount/namespace", "authentik")
    # containerd's task state: names from annotations; the env must never leak
    w(root, f"run/containerd/io.containerd.runtime.v2.task/k8s.io/{CID}/config.json",
      '{"ociVersion": "1.1.0", "process": {"env": ["PATH=/bin", "AUTHENTIK_SECRET=hunter2-do-not-leak"]},'
      ' "annotations": {"io.kubernetes.cri.container-type": "container",'
      ' "io.kubernetes.cri.container-name": "proxy",'
      ' "io.kubernetes.cri.sandbox-name": "ak-outpost-proxy-6c9f8d7b5-x2x9q",'
      ' "io.kubernetes.cri.sandbox-namespace": "authentik",'
      f' "io.kubernetes.cri.sandbox-uid": "{POD}"}}}}\n')
    w(root, "statvfs.txt",
      "# bsize blocks bfree bavail files ffree PATH\n"
      "4096 65536000 32768000 29491200 16384000 15000000 /\n"
      "4096 200784 200000 200000 1000000 999000 /run\n"
      "4096 1000000 50000 40000 500000 499990 /var/lib/data volume\n"
      "4096 65536000 32768000 29491200 16384000 15000000 /proc/4242/root/\n"
      "4096 16384 16384 16384 3000000 3000000 /proc/4242/root/dev\n"
      "4096 16384 0 0 3000000 2955990 /proc/4242/root/dev/shm\n"
      "4096 1000 0 0 1000 10 /srv/logs\n")
    w(root, "proc/meminfo", "MemTotal:       16303412 kB\nMemFree:          400000 kB\nMemAvailable:    1200000 kB\n"
      "Buffers:          100000 kB\nCached:          2000000 kB\nSwapCached:            0 kB\nShmem:            70000 kB\n"
      "SwapTotal:             0 kB\nSwapFree:              0 kB\n")
    w(root, "proc/vmstat", "nr_free_pages 100000\nnr_zone_inactive_anon 2000\noom_kill 3\n")
    w(root, "proc/loadavg", "9.50 8.20 6.10 5/900 5002\n")
    w(root, "proc/pressure/cpu", "some avg10=12.00 avg60=10.50 avg300=5.00 total=123456789\n"
      "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    w(root, "proc/pressure/memory", "some avg10=30.10 avg60=25.00 avg300=10.00 total=999999\n"
      "full avg10=15.00 avg60=12.50 avg300=4.00 total=555555\n")
    w(root, "proc/pressure/io", "some avg10=1.00 avg60=0.50 avg300=0.20 total=1000\n"
      "full avg10=0.50 avg60=0.25 avg300=0.10 total=500\n")
    w(root, "proc/sys/fs/file-nr", "9000\t0\t10000\n")
    w(root, "proc/sys/net/netfilter/nf_conntrack_count", "250000\n")
    w(root, "proc/sys/net/netfilter/nf_conntrack_max", "262144\n")
    w(root, "dev/kmsg",
      "6,1,0,-;Linux version 6.1.0-18-amd64\n"
      "4,900,80000000000,-;outpost invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=999\n"
      " SUBSYSTEM=memory\n"
      "3,901,80000100000,-;Memory cgroup out of memory: Killed process 4300 (outpost) total-vm:900000kB, anon-rss:500000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1200kB oom_score_adj:999\n"
      "6,902,80000200000,-;oom_reaper: reaped process 4300 (outpost), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n")
    cg = "sys/fs/cgroup"
    w(root, f"{cg}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    w(root, f"{cg}/memory.current", "9000000000\n")
    w(root, f"{cg}/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
    w(root, f"{cg}/cpu.stat", "usage_usec 1000\nuser_usec 500\nsystem_usec 500\n")
    pod = f"{cg}/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{POD.replace('-', '_')}.slice"
    ctr = f"{pod}/cri-containerd-{CID}.scope"
    for d, cur, mx, oom, inact, cpumax, periods, thr in (
            (pod, "520093696", "536870912", 0, "1000000", "max 100000", 0, 0),
            (ctr, "530000000", "536870912", 2, "2000000", "50000 100000", 10000, 4000)):
        w(root, f"{d}/memory.current", cur + "\n")
        w(root, f"{d}/memory.max", mx + "\n")
        # memory.events is hierarchical (the pod shows its container's kills),
        # memory.events.local is not
        w(root, f"{d}/memory.events", "low 0\nhigh 0\nmax 17\noom 2\noom_kill 2\noom_group_kill 0\n")
        w(root, f"{d}/memory.events.local", f"low 0\nhigh 0\nmax 17\noom 2\noom_kill {oom}\noom_group_kill 0\n")
        w(root, f"{d}/memory.stat", f"anon 500000000\nfile 20000000\ninactive_file {inact}\nactive_file 100\n")
        w(root, f"{d}/cpu.max", cpumax + "\n")
        w(root, f"{d}/cpu.stat", f"usage_usec 99999\nuser_usec 90000\nsystem_usec 9999\nnr_periods {periods}\n"
          f"nr_throttled {thr}\nthrottled_usec {thr * 25000}\n")
    w(root, f"{cg}/system.slice/memory.max", "max\n")
    w(root, f"{cg}/system.slice/memory.current", "100000\n")


def make_v1(root):
    base_host(root, "docker-host", "5.10.0-28-amd64")
    w(root, "proc/self/mountinfo",
      "21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
      "26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
      "27 26 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
      "28 27 0:23 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory\n"
      "29 27 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpu,cpuacct\n"
      "30 26 8:17 / /var/lib/docker rw,relatime shared:20 - ext4 /dev/sdb1 rw\n")
    v1cg = ("12:memory:/docker/{id}\n11:cpu,cpuacct:/docker/{id}\n10:pids:/docker/{id}\n"
            "1:name=systemd:/docker/{id}\n0::/\n")
    proc(root, 1, "systemd", "S", 0, 4026531841, "12:memory:/init.scope\n1:name=systemd:/init.scope\n0::/\n")
    proc(root, 3000, "java", "S", 2990, 4026532777, v1cg.format(id=DID), nfd=5, rss=800000)
    proc(root, 3001, "java", "S", 3000, 4026532777, v1cg.format(id=DID), nfd=2)
    w(root, "proc/3000/mountinfo",
      "700 650 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
      "701 700 0:51 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
      "702 700 0:52 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n"
      "703 700 8:17 /volumes/data/_data /data rw,relatime - ext4 /dev/sdb1 rw\n")
    w(root, "proc/3000/root/etc/hostname", DID[:12] + "\n")
    w(root, f"var/lib/docker/containers/{DID}/config.v2.json",
      '{"ID": "' + DID + '", "Name": "/billing-api", "Config": {"Hostname": "' + DID[:12] + '",'
      ' "Env": ["DB_PASSWORD=hunter2-do-not-leak"], "Labels": {"com.example.team": "billing"}}}\n')
    w(root, "statvfs.txt",
      "4096 10000000 9500000 9000000 5000000 4000000 /\n"
      "4096 10000000 600000 100000 5000000 4900000 /var/lib/docker\n"
      "4096 10000000 600000 100000 5000000 4900000 /proc/3000/root/\n"
      "4096 16384 10000 10000 3000000 2999000 /proc/3000/root/dev/shm\n")
    w(root, "proc/meminfo", "MemTotal:        8000000 kB\nMemFree:         3000000 kB\n"
      "Buffers:          100000 kB\nCached:          1000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1900000 kB\n")
    w(root, "proc/vmstat", "nr_free_pages 750000\nnr_inactive_anon 1000\n")
    w(root, "proc/loadavg", "0.50 0.40 0.30 1/300 3002\n")
    w(root, "proc/sys/fs/file-nr", "2048\t0\t9223372036854775807\n")
    m = "sys/fs/cgroup/memory"
    w(root, f"{m}/memory.usage_in_bytes", "3000000000\n")
    w(root, f"{m}/memory.limit_in_bytes", "9223372036854771712\n")
    w(root, f"{m}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
    w(root, f"{m}/docker/memory.limit_in_bytes", "9223372036854771712\n")
    w(root, f"{m}/docker/memory.usage_in_bytes", "1000000000\n")
    w(root, f"{m}/docker/{DID}/memory.limit_in_bytes", "1073741824\n")
    w(root, f"{m}/docker/{DID}/memory.usage_in_bytes", "1050000000\n")
    w(root, f"{m}/docker/{DID}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    w(root, f"{m}/docker/{DID}/memory.stat", "cache 20000000\nrss 900000000\ntotal_inactive_file 10000000\n")
    c = "sys/fs/cgroup/cpu,cpuacct"
    w(root, f"{c}/cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n")
    w(root, f"{c}/docker/{DID}/cpu.cfs_quota_us", "100000\n")
    w(root, f"{c}/docker/{DID}/cpu.cfs_period_us", "100000\n")
    w(root, f"{c}/docker/{DID}/cpu.stat", "nr_periods 2000\nnr_throttled 800\nthrottled_time 40000000000\n")


def make_bad(root):
    # files that are missing entirely: /proc/pressure, /sys/fs/cgroup, conntrack
    w(root, "proc/sys/kernel/hostname", "")
    w(root, "proc/sys/kernel/osrelease", "6.1\x00\x01\x02binary\n")
    w(root, "proc/uptime", "not-a-number\n")
    w(root, "proc/stat", "intr 0\n")
    w(root, "proc/self/mountinfo",
      "26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "27 26 0:22 / /tmp rw shared:4 - tmpfs\n"         # truncated: no source
      "28 26 0:23\n"                                     # truncated
      "29 26 8:2 / /data\\040dir rw - ext4 /dev/sda2 rw\n"
      "garbage line with no structure at all\n")
    ln(root, "proc/self/ns/mnt", "mnt:[4026531841]")
    w(root, "proc/meminfo", "MemTotal:  \x00\x00\x00\xff\xfe binary\n")
    w(root, "proc/vmstat", "oom_kill lots\n")
    w(root, "proc/loadavg", "0.5")
    w(root, "proc/pressure/cpu", "some avg10=abc avg60=0.00 avg300=0.00 total=0\n")
    w(root, "proc/pressure/memory", "some avg10=1.00 avg60=2.00 avg300=3.00\n")  # truncated: no total
    w(root, "proc/pressure/io", "")
    w(root, "proc/sys/fs/file-nr", "garbage\n")
    w(root, "proc/sys/net/ipv4/ip_local_port_range", "60999 32768\n")
    w(root, "proc/net/tcp", "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n")  # no header
    w(root, "proc/net/tcp6", COMMON_TCP6.splitlines()[0] + "\n   0: ZZZZ:0050 00:00 0A\n   1: 0000\n")
    w(root, "proc/sys/net/netfilter/nf_conntrack_count", "12x\n")
    w(root, "proc/sys/net/netfilter/nf_conntrack_max", "262144\n")
    w(root, "dev/kmsg", "this is not kmsg\nneither is this\n")
    proc(root, 1, "init", "S", 0, 4026531841, "0::/\n")
    os.makedirs(os.path.join(root, "proc/77"), exist_ok=True)
    w(root, "proc/77/stat", "77 (bash")                # truncated
    ln(root, "proc/77/ns/mnt", "mnt:[4026531841]")
    proc(root, 78, "weird", "S", 1, 4026539999, "garbage without colons\n", nfd=40)
    w(root, "proc/78/limits", "Max open files  lots  of files\n")
    w(root, "proc/78/mountinfo", "\x00\x00\x00\x00")
    w(root, "sys/fs/cgroup/cgroup.controllers", "memory\n")
    w(root, "sys/fs/cgroup/bad.slice/memory.max", "lots\n")
    w(root, "sys/fs/cgroup/bad.slice/memory.current", "\n")
    w(root, "sys/fs/cgroup/bad.slice/memory.events", "oom_kill x\n")


for name, fn in (("proc-v2", make_v2), ("proc-v1", make_v1), ("proc-bad", make_bad)):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    fn(root)
print("fixtures written")
