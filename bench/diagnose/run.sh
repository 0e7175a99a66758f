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
# with a user rule directory: the built-in patterns still come from the
# build-time database, only the user rule's pattern is compiled at run time
mkdir -p "$W/user"
printf 'id: bench_user_rule\ncategory: db_lock\ntitle: bench\nsignals:\n  - log: "frobnicator table jammed"\n    weight: 0.9\n' >"$W/user/u.yaml"
tw=$(best "$T" diagnose --rules "$W/user" --logs "$W/big.log" --json)
echo "$bytes $tl $td $tw" | awk '{printf "input %.1f MiB\nlogs errors:        %.3fs (%.1f MiB/s)\ndiagnose:           %.3fs (%.1f MiB/s, built-in patterns precompiled at build time)\ndiagnose +1 rule:   %.3fs (%.1f MiB/s, --rules DIR: its pattern compiled at start)\nratio diagnose/logs-errors throughput: %.2f, with a user rule %.2f (target >= 0.80)\n", $1/1048576, $2, $1/1048576/$2, $3, $1/1048576/$3, $4, $1/1048576/$4, $2/$3, $2/$4}'
