#!/bin/sh
# Benchmark of `tshoot collect` against `df` + `ps aux` measured in the same run.
#   bench/collect/run.sh [path/to/tshoot]
# 1. full collect on this host (--json to /dev/null): median wall time, peak RSS
# 2. hot-spot scan of 50,000 files in a fresh tmpfs (--scan; the rest of the
#    snapshot comes from a small captured tree so only the scan is measured)
# Uses hyperfine when installed, else a python timing loop; peak RSS from
# /usr/bin/time -v, else python's wait4(). Needs root for the tmpfs mount
# (falls back to a directory under /tmp, and says so).
# Targets (issue 2): collect median < 50 ms, peak RSS < 8 MB; scan < 200 ms.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
t=${1:-$src/build/tshoot}
[ -x "$t" ] || { echo "bench: build first (make build): no $t" >&2; exit 1; }
t=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
runs=${RUNS:-30}
work=$(mktemp -d /tmp/tshoot-bench.XXXXXX)
mounted=""
cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# median wall time in ms of a shell command: hyperfine or python loop
median_ms() {
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/h.json" "$1" >/dev/null 2>&1 ||
            hyperfine --warmup 3 --runs "$runs" --export-json "$work/h.json" "$1" >/dev/null
        python3 -c "import json; print('%.2f' % (json.load(open('$work/h.json'))['results'][0]['median'] * 1000))"
    else
        python3 - "$1" "$runs" <<'PY'
import subprocess, sys, time, statistics
cmd, runs = sys.argv[1], int(sys.argv[2])
for _ in range(3): subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL)
ts = []
for _ in range(runs):
    t0 = time.perf_counter(); subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL); ts.append(time.perf_counter() - t0)
print('%.2f' % (statistics.median(ts) * 1000))
PY
    fi
}

# peak RSS in KiB of one run (max over 5 runs)
peak_kb() {
    python3 - "$1" <<'PY'
import os, shlex, subprocess, sys
best = 0
for _ in range(5):
    if os.path.exists('/usr/bin/time'):
        r = subprocess.run(['/usr/bin/time', '-v', 'sh', '-c', sys.argv[1]], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        for line in r.stderr.splitlines():
            if 'Maximum resident set size' in line:
                best = max(best, int(line.split()[-1]))
    else:
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
            os.execvp('sh', ['sh', '-c', sys.argv[1]])
        _, _, ru = os.wait4(pid, 0)
        best = max(best, ru.ru_maxrss)
print(best)
PY
}

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
# mean user+system CPU ms of the last hyperfine run ("-" without hyperfine):
# less sensitive than wall time to other load on a shared machine
cpu_ms() {
    [ -f "$work/h.json" ] || { echo "-"; return; }
    python3 -c "import json; r=json.load(open('$work/h.json'))['results'][0]; print('%.2f' % ((r['user'] + r['system']) * 1000))"
}

echo "== tshoot collect benchmark ($(uname -r), $(nproc) CPUs, $(ps -e --no-headers | wc -l) processes, $runs runs)"
base_cmd="df >/dev/null 2>&1; ps aux >/dev/null"
col_cmd="$t collect --json -o /dev/null"
b_ms=$(median_ms "sh -c '$base_cmd'")
b_cpu=$(cpu_ms)
c_ms=$(median_ms "$col_cmd")
c_cpu=$(cpu_ms)
b_kb=$(peak_kb "$base_cmd")
c_kb=$(peak_kb "$col_cmd")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline df + ps aux:   median ${b_ms} ms   cpu ${b_cpu} ms   peak RSS ${b_kb} KiB"
echo "full collect:           median ${c_ms} ms   cpu ${c_cpu} ms   peak RSS ${c_kb} KiB"
echo "ratio collect/baseline: time $(ratio "$c_ms" "$b_ms")x   RSS $(ratio "$c_kb" "$b_kb")x"
echo "targets: median < 50 ms: $(python3 -c "print('PASS' if $c_ms < 50 else 'FAIL')");  peak RSS < 8 MB: $(python3 -c "print('PASS' if $c_kb < 8192 else 'FAIL')")"

# hot-spot scan of 50,000 files
dir="$work/shm"
mkdir -p "$dir"
if mount -t tmpfs -o size=256m,nr_inodes=200k tmpfs "$dir" 2>/dev/null; then
    mounted="$dir"
    where="tmpfs"
else
    where="directory on $(df --output=fstype "$work" | tail -1) (tmpfs mount not permitted)"
fi
python3 - "$dir" <<'PY'
import os, sys, time
d = sys.argv[1]
now = int(time.time())
os.makedirs(os.path.join(d, 'cache'), exist_ok=True)
for i in range(50000):
    if i % 10 == 9:
        p = os.path.join(d, 'cache', 'blob-%06d.bin' % i)
    else:
        p = os.path.join(d, 'session_%032x' % (i * 2654435761 % (1 << 128)))
    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b'x' * 64)
    os.close(fd)
    t = now - (50000 - i) * 3
    os.utime(p, (t, t))
PY
echo "hot-spot scan: 50,000 files in a $where"
scan_cmd="$t collect --root $src/tests/data/proc-v1 --scan $dir --json -o /dev/null"
s_ms=$(median_ms "$scan_cmd")
s_cpu=$(cpu_ms)
empty_ms=$(median_ms "$t collect --root $src/tests/data/proc-v1 --json -o /dev/null")
s_kb=$(peak_kb "$scan_cmd")
f_ms=$(median_ms "sh -c 'find $dir -type f | wc -l >/dev/null'")
"$t" collect --root "$src/tests/data/proc-v1" --scan "$dir" --json -o "$work/scan.json"
inner=$(python3 -c "import json; s=json.load(open('$work/scan.json'))['scans'][0]; print(s['elapsed_ms'], s['files'], s['truncated'])")
set -- $inner
echo "scan command:           median ${s_ms} ms   cpu ${s_cpu} ms (collect without the scan: ${empty_ms} ms)   peak RSS ${s_kb} KiB"
echo "scan itself (reported): ${1} ms for ${2} files, truncated=${3}"
echo "find -type f | wc -l:   median ${f_ms} ms"
echo "ratio scan/baseline df+ps: $(ratio "$s_ms" "$b_ms")x   scan/find: $(ratio "$s_ms" "$f_ms")x"
echo "target: scan < 200 ms: $(python3 -c "print('PASS' if $s_ms < 200 else 'FAIL')")"
