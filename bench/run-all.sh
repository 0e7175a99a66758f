#!/bin/sh
# Run every benchmark: bench/NAME/run.sh TSHOOT. Each prints its own numbers
# and ratios against baselines measured in the same run.
set -u
t=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")" || exit 1
rc=0
for d in */; do
    [ -x "$d/run.sh" ] || continue
    echo "== bench/${d%/}"
    "./$d/run.sh" "$t" || rc=1
done
exit $rc
