#!/usr/bin/env python3
"""Throughput of `tshoot logs errors` (reader + parser + error analysis) against
`LC_ALL=C grep -c ' '` on the same file, measured in the same run.

usage: bench/logs-read/run.py [--tshoot build/tshoot] [--mb 100] [--runs 3]

Input: ../shared/bench/make_big.py output (the loghub content with every number
randomised), generated into $TMPDIR once and never committed. Prints MB/s,
lines/s, the ratio to grep and the peak RSS (best wall time of --runs runs).
Also measures the same input as .gz (decompression cost) and, when the host has
several cores, N copies of the file at once (the multi-input path).
"""
import argparse, os, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument("--tshoot", default=os.path.join(root, "build", "tshoot"))
ap.add_argument("--mb", type=int, default=100)
ap.add_argument("--runs", type=int, default=3)
a = ap.parse_args()

tmp = os.environ.get("TMPDIR", "/tmp")
big = os.path.join(tmp, f"tshoot-bench-big-{a.mb}.log")
gen = os.path.join(root, "..", "shared", "bench", "make_big.py")
if not os.access(a.tshoot, os.X_OK):
    sys.exit("bench: build first (make build)")
if not os.path.exists(big) or os.path.getsize(big) == 0:
    subprocess.run([sys.executable, gen, big, "--mb", str(a.mb)], check=True, stdout=subprocess.DEVNULL)
size = os.path.getsize(big)
with open(big, "rb") as f:
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def measure(cmd, env=None):
    """best wall seconds over the runs, max RSS in KiB, best CPU seconds"""
    best, rss, cpu = None, 0, None
    for _ in range(a.runs):
        t0 = time.monotonic()
        # a real file, not /dev/null: GNU grep stops at the first match when
        # it sees its output is /dev/null
        with open(os.path.join(tmp, "tshoot-bench-out"), "wb") as out:
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env)
            _, status, ru = os.wait4(p.pid, 0)
        dt = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"bench: {' '.join(cmd)} exited {code}")
        best = dt if best is None else min(best, dt)
        c = ru.ru_utime + ru.ru_stime
        cpu = c if cpu is None else min(cpu, c)
        rss = max(rss, ru.ru_maxrss)
    measure.cpu = max(cpu, 1e-3)
    return max(best, 1e-3), rss


env = dict(os.environ, LC_ALL="C")
g_t, _ = measure(["grep", "-c", " ", big], env)
g_cpu = measure.cpu
e_t, e_rss = measure([a.tshoot, "logs", "errors", "--no-progress", "--json", big])
e_cpu = measure.cpu
gz = big + ".gz"
if not os.path.exists(gz):
    with open(gz, "wb") as out:
        subprocess.run(["gzip", "-1", "-c", big], stdout=out, check=True)
z_t, _ = measure([a.tshoot, "logs", "errors", "--no-progress", "--json", gz])

mbs = lambda t, n=size: n / 1e6 / t
print(f"input: {big} ({size} bytes, {lines} lines)")
print(f"grep -c ' ':          {mbs(g_t):8.1f} MB/s  ({g_t:.3f}s)")
print(f"tshoot logs errors:   {mbs(e_t):8.1f} MB/s  {lines / e_t:,.0f} lines/s  ({e_t:.3f}s, peak RSS {e_rss // 1024} MB)")
print(f"  same input as .gz:  {mbs(z_t):8.1f} MB/s of text  ({z_t:.3f}s)")
ncpu = os.cpu_count() or 1
if ncpu > 1:
    m_t, m_rss = measure([a.tshoot, "logs", "errors", "--no-progress", "--json"] + [big] * ncpu)
    print(f"  {ncpu} inputs at once:  {mbs(m_t, size * ncpu):8.1f} MB/s  ({m_t:.3f}s, peak RSS {m_rss // 1024} MB)")
print(f"ratio errors/grep:    {g_t / e_t:8.3f}  (CPU time: grep {g_cpu:.3f}s, tshoot {e_cpu:.3f}s, ratio {g_cpu / e_cpu:.3f}: steadier on a busy machine)")
