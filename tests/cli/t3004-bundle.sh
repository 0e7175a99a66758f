#!/bin/sh
# tshoot bundle: captures collect + chosen logs, redacted; diagnose reads it back.
. "$(dirname "$0")/lib.sh"
export TSHOOT_CACHE_DIR="$T_TMP"  # compile the pattern database once per test
printf 'db_password=hunter2 connecting\n2026-04-18T10:00:00Z ERROR write /data/upload.tmp: no space left on device\n' >"$T_TMP/app.log"
expect_exit 0 "bundle -o DIR" -- "$TSHOOT" bundle -o "$T_TMP/b" --logs "$T_TMP/app.log"
expect_grep '1 secret redacted' "$T_TMP/out" "redaction counted"
[ -s "$T_TMP/b/host/collect.json" ] && ok "collect snapshot written" || not_ok "no host/collect.json"
expect_grep 'tshoot.collect/1' "$T_TMP/b/host/collect.json" "snapshot schema"
expect_no_grep 'hunter2' "$T_TMP/b/logs/app/app.log" "secret not in the bundle"
expect_grep 'no space left on device' "$T_TMP/b/logs/app/app.log" "log content kept"
expect_exit 1 "diagnose the captured bundle" -- "$TSHOOT" diagnose "$T_TMP/b" --json
cp "$T_TMP/out" "$T_TMP/d.json"
expect_eq "$(json_get "$T_TMP/d.json" "d['hypotheses'][0]['category']")" "disk_full" "captured bundle diagnosed"
expect_exit 64 "refuses an existing directory" -- "$TSHOOT" bundle -o "$T_TMP/b"
expect_exit 64 "needs -o" -- "$TSHOOT" bundle
done_testing
