#!/bin/sh
# logs patterns keeps memory bounded on an endless stream of unique lines:
# the template table stays at its cap and evictions are counted, while
# --per-line still prints exactly one template per line, in order.
. "$(dirname "$0")/lib.sh"

# 30,000 lines whose first word is unique and has no digits (nothing to
# mask or merge: every line is a new template), plus a steady heartbeat.
python3 - "$T_TMP/unique.log" <<'X'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(30000):
        w, x = "", i
        for _ in range(5):
            w += chr(97 + x % 26); x //= 26
        f.write("%s: cache entry refreshed\n" % w)
        if i % 10 == 0:
            f.write("heartbeat from worker %d ok\n" % (i % 7))
X
lines=$(wc -l <"$T_TMP/unique.log" | tr -d ' ')

expect_exit 0 "json with a small cap" -- "$TSHOOT" logs patterns --json --max 0 --max-templates 200 "$T_TMP/unique.log"
cp "$T_TMP/out" "$T_TMP/p.json"
expect_eq "$(json_get "$T_TMP/p.json" 'd["lines"]')" "$lines" "every line mined"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates_total"] <= 200')" True "templates stay at the cap"
expect_eq "$(json_get "$T_TMP/p.json" 'd["evictions"] >= 30000 - 200')" True "evictions counted"
expect_eq "$(json_get "$T_TMP/p.json" '[t["count"] for t in d["templates"] if t["template"] == "heartbeat from worker <*> ok"]')" \
    "[3000]" "a frequent template survives the churn with its full count"

# the default cap (10,000) holds on a longer stream too
expect_exit 0 "json with the default cap" -- "$TSHOOT" logs patterns --json "$T_TMP/unique.log"
expect_eq "$(json_get "$T_TMP/out" 'd["templates_total"] <= 10000 and d["max_templates"] == 10000')" True "default cap"
expect_eq "$(json_get "$T_TMP/out" 'd["evictions"] >= 30000 - 10000')" True "default cap evicts"

# --per-line: evictions switch to streaming output, the line count stays exact
expect_exit 0 "per-line with a small cap" -- "$TSHOOT" logs patterns --per-line --max-templates 100 "$T_TMP/unique.log"
expect_eq "$(wc -l <"$T_TMP/out" | tr -d ' ')" "$lines" "one template per line under eviction"
expect_eq "$(sed -n 1p "$T_TMP/out")" "aaaaa: cache entry refreshed" "first line in order"
expect_eq "$(tail -n 1 "$T_TMP/out")" "$(tail -n 1 "$T_TMP/unique.log")" "last line in order"
expect_eq "$(grep -c '^heartbeat from worker <\*> ok$' "$T_TMP/out")" 3000 "heartbeats generalised"
done_testing
