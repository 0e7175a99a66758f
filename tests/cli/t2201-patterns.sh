#!/bin/sh
# logs patterns end to end: --per-line, the table, --json, -o, errors.
. "$(dirname "$0")/lib.sh"

cat >"$T_TMP/msgs.txt" <<'X'
Accepted password for alice from 10.0.0.1 port 50022 ssh2
Accepted password for bob from 10.0.0.2 port 50023 ssh2
Failed password for root from 192.168.1.9 port 4242 ssh2

Accepted password for carol from 10.0.0.3 port 50024 ssh2
session opened for user dave by (uid=0)
X
expect_exit 0 "--per-line on stdin" -- sh -c "'$TSHOOT' logs patterns --per-line <'$T_TMP/msgs.txt'"
cp "$T_TMP/out" "$T_TMP/per-line.txt"
expect_eq "$(wc -l <"$T_TMP/per-line.txt" | tr -d ' ')" 6 "one output line per input line (empty line included)"
expect_eq "$(sed -n 1p "$T_TMP/per-line.txt")" "Accepted password for <*> from <*> port <*> ssh2" \
    "earlier lines get the final template"
expect_eq "$(sed -n 3p "$T_TMP/per-line.txt")" "Failed password for root from <*> port <*> ssh2" \
    "numbers and addresses masked"
expect_eq "$(sed -n 4p "$T_TMP/per-line.txt")" "" "empty line gives an empty template"
expect_eq "$(sed -n 6p "$T_TMP/per-line.txt")" "session opened for user dave by (uid=<*>)" \
    "key=value numbers masked"

# --per-line output is redacted too
printf 'login password=hunter2 from 10.0.0.1\nlogin password=s3cret from 10.0.0.2\n' >"$T_TMP/secret.txt"
expect_exit 0 "--per-line with secrets" -- "$TSHOOT" logs patterns --per-line "$T_TMP/secret.txt"
expect_no_grep 'hunter2|s3cret' "$T_TMP/out" "no secret in --per-line output"
expect_eq "$(sed -n 2p "$T_TMP/out")" "login password=[REDACTED] from <*>" "redacted template"

# the same from a file argument, and into -o FILE
expect_exit 0 "--per-line FILE -o OUT" -- "$TSHOOT" logs patterns --per-line -o "$T_TMP/o.txt" "$T_TMP/msgs.txt"
if cmp -s "$T_TMP/o.txt" "$T_TMP/per-line.txt"; then ok "file input = stdin input"; else not_ok "file input differs"; fi

# gzip input goes through the log reader
gzip -c "$T_TMP/msgs.txt" >"$T_TMP/msgs.txt.gz"
expect_exit 0 "--per-line on .gz" -- "$TSHOOT" logs patterns --per-line "$T_TMP/msgs.txt.gz"
expect_eq "$(wc -l <"$T_TMP/out" | tr -d ' ')" 6 "gz: one line per input line"

# a real log with headers: timestamps and levels are stripped before mining
cat >"$T_TMP/app.log" <<'X'
2026-04-18T10:00:00Z ERROR session save failed: write /dev/shm/session_1: no space left on device
2026-04-18T10:00:05Z ERROR session save failed: write /dev/shm/session_2: no space left on device
2026-04-18T10:01:00Z INFO request 17 served in 12ms
2026-04-18T10:02:00Z ERROR session save failed: write /dev/shm/session_3: no space left on device
2026-04-18T10:03:00Z INFO login password=hunter2 accepted for 10.1.1.1
X
expect_exit 0 "--json" -- "$TSHOOT" logs patterns --json "$T_TMP/app.log"
cp "$T_TMP/out" "$T_TMP/p.json"
expect_eq "$(json_get "$T_TMP/p.json" 'd["schema"]')" "tshoot.patterns/1" "schema"
expect_eq "$(json_get "$T_TMP/p.json" 'd["lines"]')" 5 "lines counted"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates"][0]["template"]')" \
    "session save failed: write <*>: no space left on device" "top template, header stripped"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates"][0]["count"]')" 3 "count"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates"][0]["first"]')" "2026-04-18T10:00:00.000Z" "first time"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates"][0]["last"]')" "2026-04-18T10:02:00.000Z" "last time"
expect_eq "$(json_get "$T_TMP/p.json" 'd["templates"][0]["sources"][0].endswith("app.log")')" True "source"
expect_no_grep 'hunter2' "$T_TMP/p.json" "secrets redacted in templates and examples"
expect_grep 'REDACTED' "$T_TMP/p.json" "redaction marker present"
expect_exit 0 "--max 1" -- "$TSHOOT" logs patterns --json --max 1 "$T_TMP/app.log"
expect_eq "$(json_get "$T_TMP/out" 'len(d["templates"])')" 1 "--max limits the list"

# --since/--until keep the window only
expect_exit 0 "--since/--until" -- "$TSHOOT" logs patterns --json --since 2026-04-18T10:00:30Z --until 2026-04-18T10:02:30Z "$T_TMP/app.log"
expect_eq "$(json_get "$T_TMP/out" 'd["lines"]')" 2 "window filters lines"
expect_exit 64 "bad --since" -- "$TSHOOT" logs patterns --since yesterdayish "$T_TMP/app.log"

# human table
expect_exit 0 "table" -- "$TSHOOT" logs patterns "$T_TMP/app.log"
expect_grep '^5 lines, 3 templates' "$T_TMP/out" "table header"
expect_grep '^ +3  session save failed: write <\*>: no space left on device' "$T_TMP/out" "table row"
expect_grep 'first 2026-04-18T10:00:00.000Z' "$T_TMP/out" "table first/last"
expect_no_grep $(printf '\033') "$T_TMP/out" "no colour when not a TTY"

# errors
expect_exit 66 "missing file" -- "$TSHOOT" logs patterns --per-line "$T_TMP/nope.log"
expect_grep "nope.log" "$T_TMP/err" "missing file named"
expect_exit 66 "missing file (table)" -- "$TSHOOT" logs patterns "$T_TMP/nope.log"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "one error line"
expect_exit 64 "--per-line with --json" -- "$TSHOOT" logs patterns --per-line --json "$T_TMP/app.log"
expect_exit 64 "bad --max" -- "$TSHOOT" logs patterns --max x "$T_TMP/app.log"
expect_exit 0 "help" -- "$TSHOOT" logs patterns --help
expect_grep 'patterns' "$T_TMP/out" "help mentions patterns"
if [ -w /dev/full ]; then
    "$TSHOOT" logs patterns --per-line "$T_TMP/msgs.txt" >/dev/full 2>"$T_TMP/err"; rc=$?
    expect_eq "$rc" 74 "write error exits 74"
fi
done_testing
