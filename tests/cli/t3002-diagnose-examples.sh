#!/bin/sh
# Every example bundle's expected top category (examples/incidents/*/expected.json).
. "$(dirname "$0")/lib.sh"
n=0
for d in "$SRCDIR"/examples/incidents/*/; do
    [ -f "$d/expected.json" ] || continue
    n=$((n + 1))
    want=$(json_get "$d/expected.json" "d['top']")
    "$TSHOOT" diagnose "$d" --json >"$T_TMP/o.json" 2>"$T_TMP/err"
    got=$(json_get "$T_TMP/o.json" "d['hypotheses'][0]['category'] if d['hypotheses'] else 'none'" 2>/dev/null)
    expect_eq "$got" "$want" "$(basename "$d"): top category"
done
[ "$n" -ge 11 ] && ok "at least 11 example bundles ($n)" || not_ok "only $n example bundles"
done_testing
