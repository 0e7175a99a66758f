#!/bin/sh
# bench/logs: throughput (vs grep, same run) and accuracy of logs patterns.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tshoot=${1:-$here/../../build/tshoot}
python3 "$here/bench_patterns.py" --tshoot "$tshoot"
sh "$here/accuracy.sh" "$tshoot"
