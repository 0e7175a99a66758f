#!/bin/sh
# Held-out real incidents (tests/data/incidents-real/*/case.log + meta.json, from public issue
# threads with a confirmed cause): diagnose each excerpt and check the accuracy floors.
# Floors are the accuracy reached minus a small margin (docs/diagnose.md, "Held-out real
# incidents"); the misses are printed so a regression names the incident it broke.
. "$(dirname "$0")/lib.sh"
DIR="$SRCDIR/tests/data/incidents-real"
# percent of incidents whose confirmed category must be first / in the first three
TOP1_FLOOR=92
TOP3_FLOOR=94
MIN_CASES=99

n=0
: >"$T_TMP/results"
for d in "$DIR"/*/; do
    [ -f "$d/meta.json" ] && [ -f "$d/case.log" ] || continue
    n=$((n + 1))
    "$TSHOOT" diagnose --logs "$d/case.log" --json >"$T_TMP/o.json" 2>"$T_TMP/err"
    python3 - "$d" "$T_TMP/o.json" >>"$T_TMP/results" <<'EOF'
import json, os, sys
d, out = sys.argv[1], sys.argv[2]
want = json.load(open(os.path.join(d, "meta.json")))["category"]
try:
    cats = [h["category"] for h in json.load(open(out))["hypotheses"]]
except (ValueError, KeyError, TypeError):
    cats = []
mark = "ok" if cats[:1] == [want] else ("top3" if want in cats[:3] else "MISS")
print(mark, os.path.basename(d.rstrip("/")), want, ",".join(cats[:3]) or "(none)")
EOF
done

[ "$n" -ge "$MIN_CASES" ] && ok "at least $MIN_CASES real incidents ($n)" || not_ok "only $n real incidents (want $MIN_CASES)"
top1=$(grep -c '^ok ' "$T_TMP/results")
top3=$(grep -c -E '^(ok|top3) ' "$T_TMP/results")
echo "# top1=$top1/$n top3=$top3/$n"
grep -v '^ok ' "$T_TMP/results" | while read -r mark name want got; do
    echo "#   $mark $name: want $want, got $got"
done
if [ "$n" -gt 0 ] && [ $((top1 * 100)) -ge $((TOP1_FLOOR * n)) ]; then
    ok "top-1 accuracy $top1/$n >= $TOP1_FLOOR%"
else
    not_ok "top-1 accuracy $top1/$n < $TOP1_FLOOR%"
fi
if [ "$n" -gt 0 ] && [ $((top3 * 100)) -ge $((TOP3_FLOOR * n)) ]; then
    ok "top-3 accuracy $top3/$n >= $TOP3_FLOOR%"
else
    not_ok "top-3 accuracy $top3/$n < $TOP3_FLOOR%"
fi
# every incident carries its source thread and a known category
bad=$(python3 - "$DIR" <<'EOF'
import json, os, sys
cats = {"clock_skew", "conn_pool_exhaustion", "cpu_throttling", "crashloop_config", "db_lock",
        "disk_full", "disk_io_latency", "dns_failure", "fd_exhaustion", "image_pull",
        "inode_exhaustion", "memory_leak", "oom_killed", "permission_denied", "port_conflict",
        "probe_failure", "rate_limited", "readonly_fs", "scheduling_insufficient",
        "timeout_cascade", "tls_cert_error", "upstream_unavailable", "none"}
root = sys.argv[1]
for c in sorted(os.listdir(root)):
    p = os.path.join(root, c, "meta.json")
    if not os.path.isfile(p):
        continue
    m = json.load(open(p))
    if m.get("category") not in cats or not str(m.get("source", "")).startswith("https://"):
        print(c)
EOF
)
expect_eq "$bad" "" "every incident has a known category and a source URL"
done_testing
