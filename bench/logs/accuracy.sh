#!/bin/sh
# Template accuracy of `tshoot logs patterns --per-line` on the Loghub-2k sample
# (../shared/bench/loghub): GA, PA, FGA, FTA per dataset and the average, for the
# primary truth and the two alternative truths. Targets: GA >= 0.95, PA >= 0.75,
# no dataset below 0.85 GA.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${TSHOOT_SHARED:-$root/../shared}
tshoot=${1:-$root/build/tshoot}
for truth in truth truth_l2 truth_orig; do
    echo "== truth: $truth"
    python3 "$shared/bench/loghub_eval.py" --dir "$shared/bench/loghub" --truth "$truth" \
        --cmd "'$tshoot' logs patterns --per-line"
done
