#!/bin/sh
# collect's command line: usage errors, -o FILE, --scan, write errors.
. "$(dirname "$0")/lib.sh"
data="$SRCDIR/tests/data"

expect_exit 64 "unknown option" -- "$TSHOOT" collect --bogus
expect_grep "unknown option '--bogus'" "$T_TMP/err" "named"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "one line"
expect_exit 64 "stray argument" -- "$TSHOOT" collect extra
expect_exit 64 "--max-entries 0" -- "$TSHOOT" collect --max-entries 0
expect_exit 64 "--budget-ms not a number" -- "$TSHOOT" collect --budget-ms soon
expect_exit 64 "--scan without a value" -- "$TSHOOT" collect --scan
expect_exit 66 "--root that does not exist" -- "$TSHOOT" collect --root /nonexistent/tree
expect_grep "cannot collect from '/nonexistent/tree'" "$T_TMP/err" "error names the root"
expect_exit 0 "--help" -- "$TSHOOT" collect --help
expect_grep '[-]-scan PATH' "$T_TMP/out" "help documents --scan"

# -o FILE
expect_exit 0 "-o FILE" -- "$TSHOOT" collect --root "$data/proc-v1" --json -o "$T_TMP/o.json"
expect_eq "$(wc -c <"$T_TMP/out" | tr -d ' ')" 0 "nothing on stdout with -o"
expect_eq "$(json_get "$T_TMP/o.json" "d['host']['hostname']")" docker-host "file holds the snapshot"
if [ -w /dev/full ]; then
    expect_exit 74 "-o /dev/full is a write error" -- "$TSHOOT" collect --root "$data/proc-v1" -o /dev/full
    expect_grep "cannot write '/dev/full'" "$T_TMP/err" "write error reported"
fi

# --scan: a directory tree with a hot spot; a symlink out of it is not followed
d="$T_TMP/tree"
mkdir -p "$d/a/b" "$T_TMP/outside"
i=0
while [ $i -lt 30 ]; do : >"$d/a/b/cache-$i.tmp"; : >"$T_TMP/outside/leak_$i"; i=$((i + 1)); done
ln -s "$T_TMP/outside" "$d/a/link"
expect_exit 0 "--scan PATH" -- "$TSHOOT" collect --root "$data/proc-v1" --scan "$d" --json -o "$T_TMP/s.json"
expect_eq "$(json_get "$T_TMP/s.json" "[[h['prefix'], h['count'], h['dir']] for h in d['hotspots']] == [['cache-', 30, '$d/a/b']]")" True "hot spot found under --scan"
expect_eq "$(json_get "$T_TMP/s.json" "'leak_' in str(d)")" False "symlinked directory not followed"
expect_eq "$(json_get "$T_TMP/s.json" "d['scans'][0]['unscanned']['symlinks_not_followed']")" 1 "symlink counted"
expect_exit 0 "--scan with a small budget" -- "$TSHOOT" collect --root "$data/proc-v1" --scan "$d" --max-entries 5 --json -o "$T_TMP/b.json"
expect_eq "$(json_get "$T_TMP/b.json" "d['scans'][0]['truncated'], d['scans'][0]['unscanned']['reason']")" "(True, 'entry budget')" "budget reported as unscanned"
expect_exit 0 "--scan of a missing path" -- "$TSHOOT" collect --root "$data/proc-v1" --scan "$T_TMP/nope" --json -o "$T_TMP/m.json"
expect_eq "$(json_get "$T_TMP/m.json" "any(u['path'] == '$T_TMP/nope' and 'No such file' in u['reason'] for u in d['unavailable'])")" True "missing scan path reported"
# a tiny time budget still yields a document, with the cut-offs said
expect_exit 0 "--budget-ms 1" -- "$TSHOOT" collect --budget-ms 1 --scan /usr --json -o "$T_TMP/t.json"
expect_eq "$(json_get "$T_TMP/t.json" "[s['unscanned']['reason'] for s in d['scans'] if s['path'] == '/usr']")" "['time budget']" "scan stopped by the time budget"
expect_eq "$(json_get "$T_TMP/t.json" "d['schema']")" tshoot.collect/1 "document complete"
done_testing
