#!/bin/sh
# bench/watch: (1) the founding incident replayed on a real 4 MiB tmpfs at a
# 1 s interval: alert lead time and prediction error at half-full;
# (2) footprint with 200 tmpfs mounts at a 15 s interval: CPU % of one core,
# RSS and scrape latency of tshoot watch next to Debian's
# prometheus-node-exporter (filesystem collector) measured in the same run.
# usage: bench/watch/run.sh [build/tshoot] [OUTDIR]   (root; ~5 minutes)
set -eu
TSHOOT=$(realpath "${1:-build/tshoot}")
OUT=${2:-out/bench-watch}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "bench/watch: needs root (mounts)" >&2; exit 77; }

T=$(mktemp -d /tmp/tshoot-bench-watch.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; umount "$T/shm" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

echo "== founding incident replay: 4 MiB tmpfs, session_ files at 8/s, watch --interval 1s"
mkdir -p "$T/shm"
mount -t tmpfs -o size=4m bench-shm "$T/shm"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TSHOOT" watch --mount "$T/shm" --no-processes --interval 1s --for 0s --listen "127.0.0.1:$PORT" 2>"$T/w.log" &
PID=$!
python3 "$SRC/tests/cli/incident.py" --dir "$T/shm" --rate 8 --file-size 4096 \
    --metrics "http://127.0.0.1:$PORT/metrics" --log "$T/w.log" --timeout 400 --out "$OUT/incident.json" >/dev/null
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
python3 - "$OUT/incident.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"time to full (truth)        {d['t_fill']:.1f} s ({d['files']} files)")
print(f"first alert                 {d['alert']['name']}")
print(f"lead time                   {d['lead_s']:.1f} s = {100*d['lead_ratio']:.1f}% of the time to full (goal >= 80%)")
h = d["half"]
print(f"prediction at {100*h['used']:.0f}% full      {h['predicted_s']:.1f} s vs truth {h['truth_s']:.1f} s: error {100*h['error']:.1f}% (goal <= 20%)")
PY

echo "== footprint: 200 tmpfs mounts, 15 s interval, tshoot watch vs prometheus-node-exporter"
unshare -m --propagation private python3 "$HERE/footprint.py" "$TSHOOT" --mounts 200 --interval 15 \
    --window "${WINDOW:-120}" --out "$OUT/footprint.json" >/dev/null
python3 - "$OUT/footprint.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{d['mounts']} mounts, {d['interval_s']:g} s interval, {d['window_s']} s window")
print(f"{'daemon':30} {'CPU % core':>10} {'RSS MiB':>8} {'anon':>6} {'file':>6} {'PSS+helpers':>11} {'scrape ms p50':>14} {'p95':>7} {'series':>7}")
for n, v in d["daemons"].items():
    print(f"{n:30} {v['cpu_pct_one_core']:>10.3f} {v['rss_mib']:>8.2f} {v['rss_anon_mib']:>6.2f} {v['rss_file_mib']:>6.2f} {v['pss_with_helpers_mib']:>11.2f} {v['scrape_ms_median']:>14.2f} {v['scrape_ms_p95']:>7.2f} {v['series']:>7}")
t = d["daemons"]["tshoot watch"]
ne = d["daemons"].get("node_exporter (filesystem)")
if ne:
    print(f"ratio tshoot/node_exporter: CPU {t['cpu_pct_one_core']/max(ne['cpu_pct_one_core'],1e-9):.2f}x, "
          f"RSS {t['rss_mib']/ne['rss_mib']:.2f}x, scrape {t['scrape_ms_median']/ne['scrape_ms_median']:.2f}x")
print(f"goals: CPU < 0.5% ({'met' if t['cpu_pct_one_core'] < 0.5 else 'MISSED'}), "
      f"RSS < 10 MB ({'met' if t['rss_mib'] * 1.048576 < 10 else 'MISSED'}), "
      f"scrape < 5 ms ({'met' if t['scrape_ms_p95'] < 5 else 'MISSED'})")
PY
