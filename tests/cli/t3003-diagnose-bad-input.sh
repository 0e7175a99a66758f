#!/bin/sh
# Broken bundles diagnose what they can and list what they could not read;
# malformed rules are rejected with FILE:LINE:COL; usage errors.
. "$(dirname "$0")/lib.sh"
export TSHOOT_RULES_DIR="$SRCDIR/rules"
export TSHOOT_CACHE_DIR="$T_TMP"  # compile the pattern database once per test
B="$SRCDIR/examples/incidents/broken-bundle"
expect_exit 1 "broken bundle still diagnosed" -- "$TSHOOT" diagnose "$B" --json
cp "$T_TMP/out" "$T_TMP/b.json"
expect_eq "$(json_get "$T_TMP/b.json" "d['hypotheses'][0]['category']")" "disk_full" "readable log still gives disk_full"
expect_eq "$(json_get "$T_TMP/b.json" "sorted(u['path'] for u in d['inputs']['unreadable'])")" "['host/snap.json', 'k8s/pods.json']" "malformed parts listed as unreadable"
expect_grep 'malformed JSON' "$T_TMP/b.json" "reason given"
# truncated tar.gz
tar -C "$SRCDIR/examples/incidents" -czf "$T_TMP/full.tgz" authentik-shm
head -c 20000 "$T_TMP/full.tgz" >"$T_TMP/cut.tar.gz"
"$TSHOOT" diagnose "$T_TMP/cut.tar.gz" --json >"$T_TMP/c.json" 2>"$T_TMP/err"; rc=$?
expect_eq "$([ $rc -le 1 ] && echo ok)" "ok" "truncated archive does not fail ($rc)"
expect_grep 'truncated' "$T_TMP/c.json" "truncation listed"
# malformed rules
mkdir -p "$T_TMP/rules"
printf 'id: bad_rule\ncategory: disk_full\ntitle: "unterminated\nsignals: []\n' >"$T_TMP/rules/bad.yaml"
printf 'id: typo_rule\ncategory: disk_full\ntitle: x\nsignals:\n  - log: "foo"\n    wieght: 0.5\n' >"$T_TMP/rules/typo.yaml"
printf 'id: cat_rule\ncategory: no_such_category\ntitle: x\nsignals:\n  - log: "foo"\n    weight: 0.5\n' >"$T_TMP/rules/cat.yaml"
printf 'id: re_rule\ncategory: disk_full\ntitle: x\nsignals:\n  - log: "(unclosed"\n    weight: 0.5\n' >"$T_TMP/rules/re.yaml"
printf 'id: good_rule\ncategory: disk_full\ntitle: ok\nsignals:\n  - log: "foo"\n    weight: 0.5\n' >"$T_TMP/rules/good.yaml"
expect_exit 1 "rules check reports bad rules" -- "$TSHOOT" rules check "$T_TMP/rules"
expect_grep 'bad.yaml:[0-9]+:[0-9]+: ' "$T_TMP/err" "YAML error with file:line:col"
expect_grep "typo.yaml:6:5: unknown signal key 'wieght'" "$T_TMP/err" "unknown key at its line"
expect_grep "cat.yaml:2:11: unknown category 'no_such_category'" "$T_TMP/err" "unknown category at its line"
expect_grep "re.yaml:5:11: invalid regex" "$T_TMP/err" "invalid regex at its line"
expect_grep '5 files, 1 rule loaded, 4 rejected' "$T_TMP/out" "only the good rule loads"
expect_exit 0 "built-in rules are valid" -- "$TSHOOT" rules check "$SRCDIR/rules"
expect_exit 0 "rules list" -- "$TSHOOT" rules list
for c in disk_full inode_exhaustion oom_killed memory_leak fd_exhaustion conn_pool_exhaustion dns_failure tls_cert_error upstream_unavailable timeout_cascade crashloop_config image_pull scheduling_insufficient permission_denied rate_limited port_conflict clock_skew db_lock readonly_fs disk_io_latency cpu_throttling probe_failure; do
    grep -q " $c " "$T_TMP/out" || not_ok "category $c has no rule"
done
ok "all 22 categories have rules"
expect_exit 0 "rules show" -- "$TSHOOT" rules show tmpfs_small_files
expect_grep 'next checks' "$T_TMP/out" "show prints checks"
expect_exit 66 "rules show unknown id" -- "$TSHOOT" rules show nope
expect_exit 64 "diagnose without input" -- "$TSHOOT" diagnose
expect_exit 66 "diagnose a missing file" -- "$TSHOOT" diagnose --logs /nonexistent/x.log
# user rules override and extend; a bad user rule is a warning, not a failure
printf 'id: my_rule\ncategory: port_conflict\ntitle: custom\nsignals:\n  - log: "frobnicator jammed"\n    weight: 0.9\n' >"$T_TMP/rules/my.yaml"
printf 'x frobnicator jammed\n' >"$T_TMP/a.log"
expect_exit 1 "user rules apply" -- "$TSHOOT" diagnose --rules "$T_TMP/rules" --logs "$T_TMP/a.log" --json
expect_grep '"id": "my_rule"' "$T_TMP/out" "user rule matched"
expect_grep 'rule rejected' "$T_TMP/err" "bad user rules are reported"
done_testing
