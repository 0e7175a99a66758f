#!/bin/sh
# The built-in rules are embedded: the binary copied alone to an empty
# directory (no rules/ next to it, none installed) lists, checks and diagnoses.
. "$(dirname "$0")/lib.sh"
unset TSHOOT_RULES_DIR TSHOOT_CACHE_DIR
mkdir -p "$T_TMP/bin"
cp "$TSHOOT" "$T_TMP/bin/tshoot"
B="$T_TMP/bin/tshoot"

nrules=$(ls "$SRCDIR"/rules/*.yaml | wc -l)
expect_exit 0 "rules check on the embedded rules" -- "$B" rules check
expect_grep "^$nrules files, $nrules rules loaded, 0 rejected" "$T_TMP/out" "every shipped rule file is embedded ($nrules)"
expect_exit 0 "rules show works without a rules directory" -- "$B" rules show disk_full
expect_grep '^file: rules/disk_full.yaml' "$T_TMP/out" "embedded rules are named rules/NAME.yaml"

for ex in authentik-shm dns-nxdomain; do
    d="$SRCDIR/examples/incidents/$ex"
    want=$(json_get "$d/expected.json" "d['top']")
    (cd "$T_TMP" && "$B" diagnose "$d" --json) >"$T_TMP/o.json" 2>"$T_TMP/err"
    got=$(json_get "$T_TMP/o.json" "d['hypotheses'][0]['category'] if d['hypotheses'] else 'none'" 2>/dev/null)
    expect_eq "$got" "$want" "$ex diagnosed by the lone binary"
    expect_no_grep 'rule rejected|cannot' "$T_TMP/err" "$ex: no rule errors"
done

# a user rule directory still extends the embedded set
mkdir -p "$T_TMP/user"
cat >"$T_TMP/user/shm_sessions.yaml" <<'YAML'
id: shm_sessions_test
category: disk_full
title: Session files fill a tmpfs (test rule)
signals:
  - name: session save failed
    log: 'failed to save session.*no space left'
    weight: 0.5
YAML
expect_exit 0 "rules list --rules DIR" -- "$B" rules list --rules "$T_TMP/user"
expect_grep '^shm_sessions_test ' "$T_TMP/out" "user rule listed"
expect_grep '^disk_full ' "$T_TMP/out" "embedded rules still listed with --rules"
# TSHOOT_RULES_DIR replaces the embedded set
expect_exit 0 "TSHOOT_RULES_DIR replaces the embedded rules" -- env TSHOOT_RULES_DIR="$T_TMP/user" "$B" rules list
expect_no_grep '^disk_full ' "$T_TMP/out" "only the TSHOOT_RULES_DIR rules are loaded"
done_testing
