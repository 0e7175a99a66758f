#!/bin/sh
# bench/diagnose: accuracy on the real incident sample, and diagnose throughput
# against `tshoot logs errors` on the same logs (ratio, measured in this run).
# usage: bench/diagnose/run.sh [build/tshoot]
set -eu
T=${1:-build/tshoot}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED="$ROOT/../shared"
echo "== accuracy (incidents sample)"
python3 "$SHARED/bench/incidents_eval.py" "$T"
echo "== throughput (diagnose vs logs errors, same logs)"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# a large log made of the loghub sample logs plus the incident excerpts, repeated
i=0
while [ $i -lt 40 ]; do
    cat "$SHARED"/bench/loghub/*.log "$SHARED"/bench/incidents/*/case.log 2>/dev/null
    i=$((i + 1))
done >"$W/big.log"
bytes=$(wc -c <"$W/big.log")
printf 'x\n' >"$W/incidents-warmup.log"
best() { # best of 3 wall-clock seconds
    b=999999
    for _ in 1 2 3; do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
        b=$(echo "$b $s $e" | awk '{d=$3-$2; print (d<$1)?d:$1}')
    done
    echo "$b"
}
tl=$(best "$T" logs errors "$W/big.log")
td=$(best "$T" diagnose --logs "$W/big.log" --json)
# warm: the compiled pattern database comes from the opt-in cache (TSHOOT_CACHE_DIR)
mkdir -p "$W/cache"
TSHOOT_CACHE_DIR="$W/cache" "$T" diagnose --logs "$W/incidents-warmup.log" --json >/dev/null 2>&1 || true
export TSHOOT_CACHE_DIR="$W/cache"
tw=$(best "$T" diagnose --logs "$W/big.log" --json)
unset TSHOOT_CACHE_DIR
echo "$bytes $tl $td $tw" | awk '{printf "input %.1f MiB\nlogs errors:      %.3fs (%.1f MiB/s)\ndiagnose (cold):  %.3fs (%.1f MiB/s, includes ~0.5 s pattern compile)\ndiagnose (warm):  %.3fs (%.1f MiB/s, TSHOOT_CACHE_DIR)\nratio diagnose/logs-errors throughput: cold %.2f, warm %.2f (target >= 0.80)\n", $1/1048576, $2, $1/1048576/$2, $3, $1/1048576/$3, $4, $1/1048576/$4, $2/$3, $2/$4}'
