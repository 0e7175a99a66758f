#!/bin/sh
# collect --root on captured trees: cgroup v1 and v2 hosts and a tree of
# malformed, truncated and binary files (each reported, never a crash).
. "$(dirname "$0")/lib.sh"
data="$SRCDIR/tests/data"

for r in proc-v2 proc-v1 proc-bad; do
    expect_exit 0 "collect --root $r" -- "$TSHOOT" collect --root "$data/$r"
    expect_grep '^FINDINGS' "$T_TMP/out" "$r: summary printed"
    expect_exit 0 "collect --json --root $r" -- "$TSHOOT" collect --json --root "$data/$r" -o "$T_TMP/$r.json"
    expect_eq "$(json_get "$T_TMP/$r.json" "d['schema']")" tshoot.collect/1 "$r: schema"
    expect_eq "$(json_get "$T_TMP/$r.json" "d['live']")" False "$r: not the live host"
done

j="$T_TMP/proc-v2.json"
expect_eq "$(json_get "$j" "[f['container']['pod_uid'] for f in d['filesystems'] if f['mountpoint'] == '/dev/shm'][0]")" \
    1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d "v2: pod /dev/shm labelled with the pod UID"
expect_eq "$(json_get "$j" "d['findings'][0]['severity']")" critical "v2: most severe finding first"
expect_eq "$(json_get "$j" "d['cgroups']['version']")" 2 "v2: cgroup v2 detected"
expect_exit 2 "v2: --check critical" -- "$TSHOOT" collect --check --root "$data/proc-v2"
expect_grep '^COLLECT CRITICAL - [0-9]+ critical' "$T_TMP/out" "v2: check line"
expect_grep '^critical fs.full: /dev/shm in pod authentik/ak-outpost-proxy-6c9f8d7b5-x2x9q \(container proxy, 3f9a1c2e4b5d\)' "$T_TMP/out" "v2: check lists the full pod tmpfs"
expect_no_grep 'hunter2' "$T_TMP/out" "v2: no environment from runtime state files"

j="$T_TMP/proc-v1.json"
expect_eq "$(json_get "$j" "d['cgroups']['version']")" 1 "v1: cgroup v1 detected"
expect_eq "$(json_get "$j" "[c['cpu']['throttled_pct'] for c in d['cgroups']['list'] if c['path'].startswith('/docker/')][0]")" 40.0 "v1: throttling from cpu,cpuacct"

j="$T_TMP/proc-bad.json"
for p in /proc/meminfo /proc/self/mountinfo /proc/loadavg /proc/net/tcp /proc/77/stat /proc/78/mountinfo /dev/kmsg; do
    expect_eq "$(json_get "$j" "any(u['path'] == '$p' and u['reason'] for u in d['unavailable'])")" True "bad: $p reported unavailable with a reason"
done
expect_exit 0 "bad: --check is ok (no findings)" -- "$TSHOOT" collect --check --root "$data/proc-bad"
expect_grep 'UNAVAILABLE' "$("$TSHOOT" collect --root "$data/proc-bad" >"$T_TMP/h"; echo "$T_TMP/h")" "bad: unavailable section shown"

# an empty tree: no mount table at all is "unknown" to a monitoring system
mkdir -p "$T_TMP/empty"
expect_exit 3 "empty root: --check unknown" -- "$TSHOOT" collect --check --root "$T_TMP/empty"
expect_grep '^COLLECT UNKNOWN' "$T_TMP/out" "unknown status line"
expect_exit 0 "empty root: still a document" -- "$TSHOOT" collect --json --root "$T_TMP/empty" -o "$T_TMP/e.json"
expect_eq "$(json_get "$T_TMP/e.json" "any(u['path'] == '/proc/self/mountinfo' for u in d['unavailable'])")" True "missing mountinfo reported"
done_testing
