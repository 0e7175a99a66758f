#!/bin/sh
# The systemd journal read from real journal files (--journal-file,
# --journal-dir): systemd-journal-remote turns journal export format written
# by journal_export.py into journal files, so the host's journal is never
# touched. Levels from PRIORITY, sources from _SYSTEMD_UNIT/SYSLOG_IDENTIFIER/
# _COMM, a binary MESSAGE, a 100 KB MESSAGE, a secret, --unit, --since/--until,
# patterns, diagnose on the founding incident, corrupt and truncated files.
. "$(dirname "$0")/lib.sh"

JR=""
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
    [ -x "$p" ] && JR=$p && break
done
[ -n "$JR" ] || skip_all "systemd-journal-remote not installed (Debian package systemd-journal-remote)"
GEN="$SRCDIR/tests/cli/journal_export.py"
J="$T_TMP/j"
mkdir -p "$J"
mk() { # mk NAME SCENARIO: $J/NAME.journal
    python3 "$GEN" "$2" | "$JR" --output="$J/$1.journal" - 2>"$T_TMP/jr.err" ||
        { cat "$T_TMP/jr.err"; skip_all "systemd-journal-remote cannot write journal files here"; }
}
mk web web
mk db db
mk founding founding
W="$J/web.journal"
D="$J/db.journal"

# --- logs errors over two files read together
expect_exit 1 "logs errors --journal-file x2" -- "$TSHOOT" logs errors --json --journal-file "$W" --journal-file "$D"
cp "$T_TMP/out" "$T_TMP/e.json"
E="$T_TMP/e.json"
# one python run for the many checks of this document: line N = expression N
exprs() {
    python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
for e in sys.argv[2:]: print(str(eval(e, {'d': d})).replace(chr(10), ' '))" "$@" >"$T_TMP/vals"
}
val() { sed -n "${1}p" "$T_TMP/vals"; }
u() { echo "sum(t['count'] for t in d['templates'] if t['source']=='$1' and t['level'] in ($2))"; }
exprs "$E" 'd["totals"]["lines"]' 'd["totals"]["errors"]' 'd["totals"]["warnings"]' \
    "$(u web.service "'error','crit'")" "$(u web.service "'warn',")" "$(u db.service "'error',")" \
    "$(u db.service "'crit',")" "$(u init.scope "'error',")" "$(u kernel "'error',")" "$(u cron "'warn',")" \
    "[t['first']['time'] for t in d['templates'] if 'upstream request failed' in t['template']][0]" \
    "[t['level'] for t in d['templates'] if 'cache write failed' in t['template']][0]" \
    "any('from client second line' in t['first']['example'] and 'bad frame' in t['first']['example'] for t in d['templates'])" \
    'd["inputs"]["truncated"]' "max(len(t['first']['example']) for t in d['templates']) <= 65536" \
    'len(d["inputs"]["problems"])'
expect_eq "$(val 1)" 15 "15 entries with a MESSAGE (the one without is skipped)"
expect_eq "$(val 2)" 11 "11 errors (PRIORITY 0-3 and the stdout line saying ERROR)"
expect_eq "$(val 3)" 2 "2 warnings (PRIORITY 4)"
expect_eq "$(val 4)" 6 "web.service: 6 errors"
expect_eq "$(val 5)" 1 "web.service: 1 warning"
expect_eq "$(val 6)" 2 "db.service: 2 errors (PRIORITY 3)"
expect_eq "$(val 7)" 1 "db.service: 1 critical (PRIORITY 2)"
expect_eq "$(val 8)" 1 "systemd's message about web.service comes from init.scope"
expect_eq "$(val 9)" 1 "no unit: SYSLOG_IDENTIFIER is the source"
expect_eq "$(val 10)" 1 "no unit, no identifier: _COMM is the source"
expect_eq "$(val 11)" "2026-04-18T10:01:00.000Z" "time is the entry's realtime stamp"
expect_eq "$(val 12)" error "PRIORITY=6 of a stdout stream gives way to the message's own level"
expect_eq "$(val 13)" True "binary MESSAGE (NUL, newline) read by length, whole"
expect_eq "$(val 14)" 1 "100 KB MESSAGE cut at the 64 KiB line cap and counted"
expect_eq "$(val 15)" True "no example longer than the cap"
expect_eq "$(val 16)" 0 "no problems with good files"
expect_no_grep 'hunter2' "$E" "the secret is redacted (logs errors --json)"
expect_grep 'password=\[REDACTED\]' "$E" "redaction marker in its place"
"$TSHOOT" logs errors --journal-file "$W" >"$T_TMP/human" 2>&1
expect_no_grep 'hunter2' "$T_TMP/human" "the secret is redacted (human output)"

# --- --unit: _SYSTEMD_UNIT=web.service, plus systemd's own messages about it
expect_exit 1 "--unit web" -- "$TSHOOT" logs errors --json --journal-file "$W" --journal-file "$D" --unit web
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 9 "--unit web: 8 web.service entries + 1 from systemd about it"
expect_eq "$(json_get "$T_TMP/out" "sorted(set(t['source'] for t in d['templates']))")" "['init.scope', 'web.service']" \
    "--unit web: no db/kernel/cron lines"
expect_exit 1 "--unit db.service" -- "$TSHOOT" logs errors --json --journal-file "$W" --journal-file "$D" --unit db.service
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 4 "--unit db.service: 4 entries"
expect_exit 0 "--unit of no entry" -- "$TSHOOT" logs errors --json --journal-file "$W" --unit nosuch
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 0 "--unit nosuch: nothing"

# --- a journal directory: machine-id subdirectory, a foreign file in it
mkdir -p "$J/dir/fedcba9876543210fedcba9876543210"
cp "$W" "$J/dir/"
cp "$D" "$J/dir/fedcba9876543210fedcba9876543210/"
head -c 3000 /dev/urandom >"$J/dir/junk.journal"
expect_exit 1 "--journal-dir" -- "$TSHOOT" logs errors --json --journal-dir "$J/dir"
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 15 "--journal-dir reads the machine-id subdirectory too"
expect_eq "$(json_get "$T_TMP/out" "[p for p in d['inputs']['problems']]")" "['$J/dir/junk.journal: not a journal file, skipped']" \
    "a foreign *.journal in the directory is named and skipped"

# --- the time window: --since/--until on the entries' realtime stamps
expect_exit 0 "patterns --since --until" -- "$TSHOOT" logs patterns --json --journal-dir "$J/dir" \
    --since 2026-04-18T10:01:30Z --until 2026-04-18T10:05:30Z
expect_eq "$(json_get "$T_TMP/out" 'd["lines"]')" 4 "window 10:01:30-10:05:30: 4 entries"
expect_exit 0 "patterns --since" -- "$TSHOOT" logs patterns --json --journal-file "$W" --journal-file "$D" --since 2026-04-18T10:09:00Z
expect_eq "$(json_get "$T_TMP/out" 'd["lines"]')" 6 "since 10:09: db's 4 + kernel + cron"
expect_exit 1 "errors --until" -- "$TSHOOT" logs errors --json --journal-file "$W" --until 2026-04-18T10:03:30Z
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 4 "until 10:03:30: 4 entries"

# --- logs patterns: templates from the journal
expect_exit 0 "logs patterns" -- "$TSHOOT" logs patterns --json --journal-file "$W" --journal-file "$D"
P="$T_TMP/p.json"
cp "$T_TMP/out" "$P"
exprs "$P" 'd["lines"]' \
    "[t['count'] for t in d['templates'] if t['template']=='upstream request failed: connection refused to <*>'][0]" \
    "any('could not write block <*> of relation' in t['template'] and t['count']==2 for t in d['templates'])"
expect_eq "$(val 1)" 15 "patterns: 15 lines"
expect_eq "$(val 2)" 3 "patterns: the upstream template, 3 times"
expect_eq "$(val 3)" True "patterns: the db template, 2 times"
expect_no_grep 'hunter2' "$P" "the secret is redacted (logs patterns --json)"
# --per-line reads files and stdin only: a usage error, never stdin read silently
expect_exit 64 "logs patterns --per-line --journal-file" -- "$TSHOOT" logs patterns --per-line --journal-file "$W"

# --- diagnose: the founding incident's outpost log as a journal unit
export TSHOOT_CACHE_DIR="$T_TMP"
expect_exit 1 "diagnose --journal-file" -- "$TSHOOT" diagnose --json --journal-file "$J/founding.journal"
cp "$T_TMP/out" "$T_TMP/dg.json"
exprs "$T_TMP/dg.json" "d['hypotheses'][0]['id']" "d['hypotheses'][0]['category']" \
    "[s['path'] for s in d['inputs']['sources']]" "d['hypotheses'][0]['evidence'][0]['time']" \
    "any('no space left on device' in e['text'] for e in d['hypotheses'][0]['evidence'])"
expect_eq "$(val 1)" tmpfs_small_files "tmpfs_small_files ranks first"
expect_eq "$(val 2)" disk_full "its category is disk_full"
expect_eq "$(val 3)" "['journal/authentik-outpost.service']" "one evidence source per unit"
expect_eq "$(val 4)" 2026-03-02T23:09:51Z "evidence is timed by the entries"
expect_eq "$(val 5)" True "the session save ENOSPC lines are its evidence"
mkdir -p "$J/fdir"
cp "$J/founding.journal" "$J/fdir/"
expect_exit 1 "diagnose --journal-dir --unit" -- "$TSHOOT" diagnose --json --journal-dir "$J/fdir" --unit authentik-outpost
expect_eq "$(json_get "$T_TMP/out" "d['hypotheses'][0]['id']")" tmpfs_small_files "--journal-dir --unit: same top hypothesis"
expect_exit 0 "diagnose --unit of another unit" -- "$TSHOOT" diagnose --json --journal-dir "$J/fdir" --unit web
expect_exit 64 "diagnose --unit alone" -- "$TSHOOT" diagnose --unit web "$J/fdir"

# --- bad input: one line naming the file, exit 65 (66 when missing), never a crash or hang
head -c 5000 /dev/urandom >"$J/garbage.journal"
expect_exit 65 "garbage journal file" -- timeout 20 "$TSHOOT" logs errors --journal-file "$J/garbage.journal"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "garbage: one line on stderr"
expect_grep "garbage.journal.*not a journal file" "$T_TMP/err" "garbage: names the file and the reason"
head -c 100000 "$W" >"$J/trunc.journal"
expect_exit 65 "truncated journal file" -- timeout 20 "$TSHOOT" logs errors --journal-file "$J/trunc.journal"
expect_grep "trunc.journal.*truncated journal file \(100000 of [0-9]+ bytes\)" "$T_TMP/err" "truncated: names the file and the sizes"
expect_exit 65 "truncated journal file (patterns)" -- timeout 20 "$TSHOOT" logs patterns --journal-file "$J/trunc.journal"
expect_exit 65 "truncated journal file (diagnose)" -- timeout 20 "$TSHOOT" diagnose --journal-file "$J/trunc.journal"
expect_exit 66 "missing journal file" -- "$TSHOOT" logs errors --journal-file "$J/nosuch.journal"
expect_exit 66 "missing journal directory" -- "$TSHOOT" logs errors --journal-dir "$J/nosuch"
mkdir -p "$J/empty"
expect_exit 66 "directory without journal files" -- "$TSHOOT" logs errors --journal-dir "$J/empty"
expect_grep "no journal files" "$T_TMP/err" "empty directory: says so"
# a bad file next to a good one: warned, skipped, the good one read
expect_exit 1 "truncated file next to a good one" -- timeout 20 "$TSHOOT" logs errors --json --journal-file "$J/trunc.journal" --journal-file "$W"
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 11 "the good file is read"
expect_grep "trunc.journal" "$T_TMP/err" "the bad one is warned about"
# corrupt entry objects inside a valid file: the readable entries, and the count of the others
cp "$W" "$J/corrupt.journal"
nbad=$(python3 "$GEN" corrupt "$J/corrupt.journal")
expect_exit 1 "corrupt entries" -- timeout 20 "$TSHOOT" logs errors --json --journal-file "$J/corrupt.journal"
expect_eq "$(json_get "$T_TMP/out" "d['inputs']['problems']")" "['$J/corrupt.journal: $nbad of 12 journal entries unreadable']" \
    "corrupt entries: 'N of M journal entries unreadable'"
expect_eq "$(json_get "$T_TMP/out" 'd["inputs"]["errors"]')" 1 "counted as an input error"
expect_exit 1 "corrupt entries (diagnose)" -- timeout 20 "$TSHOOT" diagnose --json --journal-file "$J/corrupt.journal"
expect_grep "journal entries unreadable" "$T_TMP/out" "diagnose lists them as unreadable"
expect_exit 64 "--journal-dir twice" -- "$TSHOOT" logs errors --journal-dir "$J/dir" --journal-dir "$J/dir"
done_testing
