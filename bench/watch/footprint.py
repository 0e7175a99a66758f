#!/usr/bin/env python3
"""Footprint of `tshoot watch` with N tmpfs mounts, side by side with Debian's
prometheus-node-exporter measured in the same run on the same mounts.

Run inside a private mount namespace (bench/watch/run.sh does:
`unshare -m --propagation private`), as root. Both daemons are scraped every
INTERVAL seconds like Prometheus would; over the window we read utime+stime
and VmRSS from /proc and time every scrape.
usage: footprint.py TSHOOT [--mounts 200] [--interval 15] [--window 120]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("tshoot")
ap.add_argument("--mounts", type=int, default=200)
ap.add_argument("--interval", type=float, default=15)
ap.add_argument("--window", type=float, default=120)
ap.add_argument("--out")
a = ap.parse_args()

TCK = os.sysconf("SC_CLK_TCK")
base = tempfile.mkdtemp(prefix="tshoot-bench-")
mounts = []
for i in range(a.mounts):
    d = os.path.join(base, "m%03d" % i)
    os.mkdir(d)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "bench%03d" % i, d], check=True)
    mounts.append(d)
    # a little content, some with a hot prefix
    for j in range(i % 5 * 10):
        with open(os.path.join(d, "session_%d" % j), "w") as f:
            f.write("x")


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def children(pid):
    out = []
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(x) for x in open(f"/proc/{pid}/task/{t}/children").read().split()]
        except OSError:
            pass
    return out


def cpu_s(pid):
    """utime+stime of the daemon and of its live helper processes"""
    total = 0.0
    for p in [pid] + children(pid):
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / TCK  # utime, stime (fields 14, 15)
        except OSError:
            pass
    return total


def status_kib(pid, key="VmRSS"):
    """a kB field of /proc/PID/status: VmRSS, RssAnon (heap, stacks: the
    daemon's own memory), RssFile (library and file pages)"""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def pss_kib(pid):
    """proportional set size of the daemon plus its helper processes: shared
    pages (libraries, copy-on-write) counted once"""
    total = 0
    for p in [pid] + children(pid):
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def scrape(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read()
    return (time.perf_counter() - t) * 1000, len(body), body


def wait(url):
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except Exception:
            time.sleep(0.1)
    return False


tp, np_ = port(), port()
procs = {}
procs["tshoot watch"] = subprocess.Popen(
    [a.tshoot, "watch", "--interval", "%gs" % a.interval, "--listen", "127.0.0.1:%d" % tp,
     "--state", os.path.join(base, "state.db")], stderr=subprocess.DEVNULL)
tshoot_url = "http://127.0.0.1:%d/metrics" % tp
ne = "/usr/bin/prometheus-node-exporter"
have_ne = os.path.exists(ne)
# node_exporter reads the mount table of PID 1 (<procfs>/1/mountinfo): give
# it a procfs whose "1" is itself, so that it sees this private namespace's
# mounts like tshoot does
fakeproc = os.path.join(base, "procfs")
os.mkdir(fakeproc)
os.symlink("/proc/self", os.path.join(fakeproc, "1"))
if have_ne:
    procs["node_exporter (filesystem)"] = subprocess.Popen(
        [ne, "--web.listen-address=127.0.0.1:%d" % np_, "--path.procfs=" + fakeproc,
         "--collector.disable-defaults",
         "--collector.filesystem", "--collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys)($|/)",
         "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
urls = {"tshoot watch": tshoot_url,
        "node_exporter (filesystem)": "http://127.0.0.1:%d/metrics" % np_}
try:
    for name in procs:
        if not wait(urls[name]):
            sys.exit(f"{name} did not start")
    time.sleep(a.interval + 1)  # warm-up: first samples taken
    start = {n: cpu_s(p.pid) for n, p in procs.items()}
    t0 = time.time()
    lat = {n: [] for n in procs}
    rss = {n: 0 for n in procs}
    anon = {n: 0 for n in procs}
    filep = {n: 0 for n in procs}
    pss = {n: 0 for n in procs}
    series = {}
    while time.time() - t0 < a.window:
        for n, p in procs.items():
            ms, size, body = scrape(urls[n])
            lat[n].append(ms)
            rss[n] = max(rss[n], rss_kib(p.pid))
            anon[n] = max(anon[n], status_kib(p.pid, "RssAnon"))
            filep[n] = max(filep[n], status_kib(p.pid, "RssFile"))
            pss[n] = max(pss[n], pss_kib(p.pid))
            series[n] = sum(1 for l in body.decode().splitlines() if l and not l.startswith("#"))
        time.sleep(max(0, a.interval - (time.time() - t0) % a.interval))
    # scrape latency: 20 more back-to-back scrapes each
    for n in procs:
        for _ in range(20):
            lat[n].append(scrape(urls[n])[0])
    el = time.time() - t0
    res = {"mounts": a.mounts, "interval_s": a.interval, "window_s": round(el, 1), "daemons": {}}
    for n, p in procs.items():
        cpu = cpu_s(p.pid) - start[n]
        res["daemons"][n] = {
            "cpu_pct_one_core": round(100 * cpu / el, 3),
            "rss_mib": round(rss[n] / 1024, 2),
            "rss_anon_mib": round(anon[n] / 1024, 2),
            "rss_file_mib": round(filep[n] / 1024, 2),
            "pss_with_helpers_mib": round(pss[n] / 1024, 2),
            "helper_processes": len(children(p.pid)),
            "scrape_ms_median": round(statistics.median(lat[n]), 2),
            "scrape_ms_p95": round(sorted(lat[n])[int(len(lat[n]) * 0.95) - 1], 2),
            "series": series.get(n),
        }
    out = json.dumps(res, indent=1)
    print(out)
    if a.out:
        open(a.out, "w").write(out + "\n")
finally:
    for p in procs.values():
        p.terminate()
    for p in procs.values():
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
    for d in mounts:
        subprocess.run(["umount", d])
