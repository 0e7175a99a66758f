#!/bin/sh
# Benchmark of `tshoot mcp` (issue 7) on the founding incident's bundle
# (examples/incidents/authentik-shm):
#   1. latency of a `diagnose` tools/call over stdio: the first call (loads
#      and compiles the rules) and the median of the warm calls; baseline
#      measured in the same run: `tshoot diagnose --json BUNDLE` as a process
#   2. size of every tool's result in tokens (~chars/4 of the JSON-RPC
#      result); baseline: the bundle's raw logs in tokens (what an agent
#      reading `kubectl logs` would pay)
# Targets: diagnose call < 100 ms, every result < 4,000 tokens by default.
#   bench/mcp/run.sh [path/to/tshoot]      RUNS=N (default 30)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
t=${1:-$src/build/tshoot}
[ -x "$t" ] || { echo "bench: build first (make build): no $t" >&2; exit 1; }
t=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
bundle=$src/examples/incidents/authentik-shm
[ -d "$bundle" ] || { echo "bench: no founding bundle at $bundle" >&2; exit 1; }
exec python3 "$here/bench.py" "$t" "$bundle" "${RUNS:-30}"
