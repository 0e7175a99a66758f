#!/bin/sh
# Print the closing line CI reads: "N passed, N failed" from meson's log.
b=${1:-build-asan}
log="$b/meson-logs/testlog.json"
[ -f "$log" ] || { echo "0 passed, 1 failed"; exit 1; }
python3 - "$log" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(f"{ok} passed, {fail} failed, {skip} skipped")
sys.exit(1 if fail else 0)
PY
