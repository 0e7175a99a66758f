#!/bin/sh
# The founding incident bundle: disk_full on the outpost's /dev/shm ranks first,
# names the session_ files and their rate, and explains the HTTP 400s.
. "$(dirname "$0")/lib.sh"
B="$SRCDIR/examples/incidents/authentik-shm"
export TSHOOT_CACHE_DIR="$T_TMP"  # compile the pattern database once per test
expect_exit 1 "diagnose the founding bundle (hypotheses found)" -- "$TSHOOT" diagnose "$B" --json
cp "$T_TMP/out" "$T_TMP/d.json"
expect_eq "$(json_get "$T_TMP/d.json" "d['schema']")" "tshoot.diagnose/1" "schema"
expect_eq "$(json_get "$T_TMP/d.json" "d['hypotheses'][0]['category']")" "disk_full" "disk_full ranks first"
expect_grep '/dev/shm' "$T_TMP/d.json" "subject names /dev/shm"
expect_eq "$(json_get "$T_TMP/d.json" "'/dev/shm' in d['hypotheses'][0]['subject'] and 'ak-outpost-proxy' in d['hypotheses'][0]['subject']")" "True" "subject is the outpost pod's /dev/shm"
expect_eq "$(json_get "$T_TMP/d.json" "any('session_' in a and '18/min' in a for a in d['hypotheses'][0]['arithmetic'])")" "True" "arithmetic names session_ files and the rate"
expect_eq "$(json_get "$T_TMP/d.json" "any('181k' in a and '709 MiB' in a for a in d['hypotheses'][0]['arithmetic'])")" "True" "steady state 18/min x 7d = ~181k files, 709 MiB"
expect_eq "$(json_get "$T_TMP/d.json" "any('16384 pages' in a for a in d['hypotheses'][0]['arithmetic'])")" "True" "64 MiB tmpfs = 16384 pages"
expect_eq "$(json_get "$T_TMP/d.json" "any('HTTP 400' in c for c in d['hypotheses'][0]['chain'])")" "True" "chain explains the 400s"
expect_eq "$(json_get "$T_TMP/d.json" "any('400' in e['text'] and 'ingress' in e['text'] for e in d['hypotheses'][0]['evidence'])")" "True" "ingress 400s are evidence"
expect_eq "$(json_get "$T_TMP/d.json" "'monitors' in d['hypotheses'][0].get('common_cause','')")" "True" "monitors failing together -> common cause"
expect_eq "$(json_get "$T_TMP/d.json" "all(':' in e['ref'] for e in d['hypotheses'][0]['evidence'] if e['kind']=='log')")" "True" "log evidence has file:line refs"
expect_exit 1 "human output" -- "$TSHOOT" diagnose "$B"
expect_grep 'Filesystem full|tmpfs' "$T_TMP/out" "human output names the failure"
expect_grep 'next checks' "$T_TMP/out" "human output has next checks"
# the same bundle as a .tar.gz
tar -C "$SRCDIR/examples/incidents" -czf "$T_TMP/b.tar.gz" authentik-shm
expect_exit 1 "diagnose the tar.gz bundle" -- "$TSHOOT" diagnose "$T_TMP/b.tar.gz" --json
cp "$T_TMP/out" "$T_TMP/t.json"
expect_eq "$(json_get "$T_TMP/t.json" "d['hypotheses'][0]['category']")" "disk_full" "tar.gz: disk_full first"
expect_eq "$(json_get "$T_TMP/t.json" "len(d['inputs']['sources'])")" "$(json_get "$T_TMP/d.json" "len(d['inputs']['sources'])")" "tar.gz reads the same sources"
done_testing
