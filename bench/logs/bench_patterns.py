#!/usr/bin/env python3
"""Throughput benchmark for `tshoot logs patterns --per-line` (python3 stdlib only).

usage: bench/logs/bench_patterns.py [--tshoot build/tshoot] [--file F] [--mb 500] [--runs 3]

Input: ../shared/bench/make_big.py F --mb MB (built once, kept at F; never commit it).
Baseline measured in the same run: `LC_ALL=C grep -c ' ' F` (its output goes to a
pipe: GNU grep stops at the first match when stdout is /dev/null). Runs alternate
grep / tshoot, best wall time of each is kept. Reports MB/s, lines/s, the ratio
tshoot/grep (target >= 0.25) and tshoot's peak RSS from /usr/bin/time -v (target
< 200 MB). Also prints CPU seconds, which are steadier than wall time on a busy
machine.

The one-file case reads F from stdin (always one thread). Several inputs
(--parts 4, 0 = skip): the same data split at line boundaries into F.partN
files (kept next to F), mined with --threads 1 and --threads 2 (runs alternate
grep over the parts / --threads 1 / --threads 2); then F itself by path, which
--threads 2 splits into byte ranges. Reports MB/s, lines/s,
the ratio to grep, the speedup of --threads 2 over --threads 1 (wall and CPU) and
the peak RSS of each (target < 200 MB), and the critical path of --threads 2
(CPU seconds of the main thread + the busiest worker, sampled from /proc) with
the speedup it implies on an idle machine. Prints the load average before and
after: on a shared machine (and with the kernel's per-session autogroup
scheduling) a second thread only helps when a core is free, so wall speedups
there mean little.
"""
import argparse, os, re, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("TSHOOT_SHARED", os.path.join(ROOT, "..", "shared"))


def run_timed(cmd, stdin_path=None, to_null=False):
    """Wall seconds, CPU seconds (user+sys), peak RSS KB, stdout bytes count."""
    full = ["/usr/bin/time", "-v"] + cmd
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(full, stdin=fin, stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL if to_null else subprocess.PIPE)
    n = 0
    while not to_null:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        n += len(b)
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    wall = time.perf_counter() - t0
    if stdin_path:
        fin.close()
    if rc != 0:
        sys.exit("benchmark command failed (%d): %s\n%s" % (rc, " ".join(cmd), err[-2000:]))
    def field(name):
        m = re.search(r"^\s*%s:\s*([0-9.]+)" % re.escape(name), err, re.M)
        return float(m.group(1)) if m else 0.0
    cpu = field("User time (seconds)") + field("System time (seconds)")
    return wall, cpu, int(field("Maximum resident set size (kbytes)")), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshoot", default=os.path.join(ROOT, "build", "tshoot"))
    ap.add_argument("--file", default="/tmp/tshoot-bench-big.log")
    ap.add_argument("--mb", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--only-parts", action="store_true", help="skip the one-file case")
    a = ap.parse_args()
    if not os.path.exists(a.file) or os.path.getsize(a.file) < a.mb * 1000 * 1000:
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "make_big.py"), a.file,
                        "--mb", str(a.mb)], check=True)
    size = os.path.getsize(a.file)
    with open(a.file, "rb") as f:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 22), b""))
    print("load average %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    if not a.only_parts:
        one_file(a, size, lines)
    if a.parts > 1:
        several_files(a, size, lines)
    print("load average %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    return 0


def split_parts(path, n):
    """path split at line boundaries into n files of about equal size (reused when present)."""
    size = os.path.getsize(path)
    names = ["%s.part%d" % (path, i) for i in range(n)]
    if all(os.path.exists(p) for p in names) and \
            sum(os.path.getsize(p) for p in names) == size:
        return names
    with open(path, "rb") as f:
        for i, name in enumerate(names):
            with open(name, "wb") as out:
                left = size * (i + 1) // n - f.tell() if i < n - 1 else None
                while left is None or left > 0:
                    b = f.read(min(1 << 22, left) if left is not None else 1 << 22)
                    if not b:
                        break
                    out.write(b)
                    if left is not None:
                        left -= len(b)
                if i < n - 1:
                    out.write(f.readline())  # finish the line
    return names


def thread_cpu(cmd):
    """Run cmd (stdout to /dev/null), sampling /proc/PID/task every 10 ms: the CPU
    seconds of the main thread and of each other thread (a thread's last 10 ms
    may be missed). On a busy machine the wall time says little about what a
    second thread buys; the critical path (main + the busiest worker) does."""
    tick = os.sysconf("SC_CLK_TCK")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    seen = {}
    while p.poll() is None:
        try:
            for tid in os.listdir("/proc/%d/task" % p.pid):
                try:
                    with open("/proc/%d/task/%s/stat" % (p.pid, tid)) as f:
                        st = f.read().rsplit(")", 1)[1].split()
                    seen[int(tid)] = (int(st[11]) + int(st[12])) / tick
                except OSError:
                    pass
        except OSError:
            pass
        time.sleep(0.01)
    main = seen.pop(p.pid, 0.0)
    return main, sorted(seen.values(), reverse=True)


def several_files(a, size, lines):
    parts = split_parts(a.file, a.parts)
    compare_threads(a, parts, size, lines,
                    "several inputs: %d parts of %s" % (len(parts), a.file))
    # one big plain file given by path (not stdin) is split into byte ranges
    compare_threads(a, [a.file], size, lines,
                    "one file by path (byte ranges at line starts): %s" % a.file)


def compare_threads(a, parts, size, lines, title):
    grep, t1, t2 = [], [], []
    for _ in range(a.runs):
        grep.append(run_timed(["sh", "-c", "LC_ALL=C grep -c ' ' \"$@\"", "sh"]
                              + parts))
        t1.append(run_timed([a.tshoot, "logs", "patterns", "--per-line", "--threads", "1"]
                            + parts, None, True))
        t2.append(run_timed([a.tshoot, "logs", "patterns", "--per-line", "--threads", "2"]
                            + parts, None, True))
    mb = size / 1e6
    g_wall = min(r[0] for r in grep)
    print(title)
    print("grep -c      %7.3f s wall %7.1f MB/s   (grep over the same inputs)" %
          (g_wall, mb / g_wall))
    best = {}
    for name, rs in (("--threads 1", t1), ("--threads 2", t2)):
        wall = min(r[0] for r in rs)
        cpu = min(r[1] for r in rs)
        rss = max(r[2] for r in rs) / 1024.0
        best[name] = (wall, cpu)
        print("%-12s %7.3f s wall %7.1f MB/s %10.0f lines/s  ratio %.3f of grep  "
              "(cpu %.3f s)  peak RSS %.1f MB" %
              (name, wall, mb / wall, lines / wall, g_wall / wall, cpu, rss))
    w1, c1 = best["--threads 1"]
    w2, c2 = best["--threads 2"]
    print("speedup      %.2fx wall (--threads 2 vs 1), cpu %.2fx of one thread's" %
          (w1 / w2, c2 / c1 if c1 else 0))
    pairs = sorted(x[0] / y[0] for x, y in zip(t1, t2) if y[0])
    print("wall speedup per run pair: %s" % " ".join("%.2f" % r for r in pairs))
    crit = []
    for _ in range(a.runs):
        main, workers = thread_cpu([a.tshoot, "logs", "patterns", "--per-line", "--threads", "2"]
                                   + parts)
        crit.append((main + (workers[0] if workers else 0), main, workers))
    c, main, workers = min(crit)
    print("critical path of --threads 2: main thread %.2f s + busiest worker %.2f s "
          "(workers %s) = %.2f s cpu: idle-machine speedup about %.2fx" %
          (main, workers[0] if workers else 0, " ".join("%.2f" % w for w in workers), c,
           c1 / c if c else 0))


def one_file(a, size, lines):
    grep, mine = [], []
    for _ in range(a.runs):
        grep.append(run_timed(["sh", "-c", "LC_ALL=C grep -c ' ' \"$0\"", a.file]))
        # the templates go to /dev/null (tshoot has no /dev/null shortcut)
        mine.append(run_timed([a.tshoot, "logs", "patterns", "--per-line"], a.file, True))
    g_wall = min(r[0] for r in grep)
    m_wall = min(r[0] for r in mine)
    g_cpu = min(r[1] for r in grep)
    m_cpu = min(r[1] for r in mine)
    rss_mb = max(r[2] for r in mine) / 1024.0
    mb = size / 1e6
    print("input        %s: %.1f MB, %d lines" % (a.file, mb, lines))
    print("grep -c      %7.3f s wall %7.1f MB/s   (cpu %.3f s)" % (g_wall, mb / g_wall, g_cpu))
    print("patterns     %7.3f s wall %7.1f MB/s %10.0f lines/s   (cpu %.3f s, %.1f MB/s)" %
          (m_wall, mb / m_wall, lines / m_wall, m_cpu, mb / m_cpu if m_cpu else 0))
    print("ratio        %.3f of grep (wall; target >= 0.25), %.3f by cpu time" %
          (g_wall / m_wall, g_cpu / m_cpu if m_cpu else 0))
    print("peak RSS     %.1f MB (target < 200 MB)" % rss_mb)
    # the machine may be shared: the spread of the pairs says how far to trust the best ones
    pairs = sorted(g[1] / m[1] for g, m in zip(grep, mine) if m[1])
    if pairs:
        print("cpu ratio per run pair: %s (median %.3f)" %
              (" ".join("%.3f" % r for r in pairs), pairs[len(pairs) // 2]))


if __name__ == "__main__":
    sys.exit(main())
