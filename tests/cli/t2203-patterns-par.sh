#!/bin/sh
# logs patterns over several inputs with worker threads (--threads N): the
# output is byte-identical to one thread's (--per-line, the table, --json
# apart from the internal template ids and the merge counter), in input
# order, including when the one-thread path has to take over (eviction).
. "$(dirname "$0")/lib.sh"

d=$T_TMP/d
python3 "$SRCDIR/tests/data/patterns-par/gen.py" "$d" || { not_ok "generate inputs"; done_testing; }
set -- "$d/part0.log" "$d/part1.log" "$d/part2.log" "$d/part3.log" "$d/part4.log" \
    "$d/part5.log.gz" "$d/rotated"
lines=$(cat "$d"/part[0-4].log "$d"/rotated/* | wc -l)
lines=$((lines + $(gzip -dc "$d/part5.log.gz" | wc -l)))

# same_output DESC OPTIONS... -- FILES: --threads 1 vs 2 vs 3, byte for byte
same_output() {
    desc=$1; shift
    opts=""
    while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    "$TSHOOT" logs patterns $opts --threads 1 "$@" >"$T_TMP/t1" 2>"$T_TMP/e1"; r1=$?
    for t in 2 3; do
        # shellcheck disable=SC2086
        "$TSHOOT" logs patterns $opts --threads $t "$@" >"$T_TMP/t$t" 2>"$T_TMP/e$t"; rt=$?
        if [ "$r1" -eq 0 ] && [ "$rt" -eq 0 ] && cmp -s "$T_TMP/t1" "$T_TMP/t$t" &&
            cmp -s "$T_TMP/e1" "$T_TMP/e$t"; then
            ok "$desc: --threads $t = --threads 1"
        else
            not_ok "$desc: --threads $t differs from --threads 1 (exit $r1/$rt)"
            diff "$T_TMP/t1" "$T_TMP/t$t" | head -5 | sed 's/^/#   /'
        fi
    done
}

same_output "per-line" --per-line -- "$@"
expect_eq "$(wc -l <"$T_TMP/t1" | tr -d ' ')" "$lines" "per-line: one template per input line"
expect_eq "$(sed -n 1p "$T_TMP/t1")" "<*> INFO sshd[<*>]: Accepted password for <*> from <*> port <*> ssh2" \
    "per-line: first line first"
same_output "table" --max 0 --no-progress -- "$@"
expect_grep '^3200 lines, ' "$T_TMP/t1" "table: every line counted"
expect_grep '^ +[0-9]+  node node-<\*> state changed to <\*>$' "$T_TMP/t1" \
    "table: a variable seen across files (2 values a file) is found"
# the ids are slot numbers and merges count steps: both depend on the path taken
for t in 1 2; do
    "$TSHOOT" logs patterns --json --max 0 --threads $t "$@" |
        grep -v -e '^ *"id": ' -e '^ *"merges": ' >"$T_TMP/j$t"
done
if cmp -s "$T_TMP/j1" "$T_TMP/j2"; then ok "json: same document but ids and merges"; else
    not_ok "json differs"; diff "$T_TMP/j1" "$T_TMP/j2" | head -5 | sed 's/^/#   /'; fi
expect_eq "$(json_get "$T_TMP/j2" 'd["files"]')" 8 "json: files summed over the workers"

# a table too small for the inputs: the miners evict, the one-thread path runs
same_output "per-line, evicting" --per-line --max-templates 16 -- "$@"
same_output "table, evicting" --max 0 --max-templates 16 --no-progress -- "$@"

# a broken compressed file among the inputs: the same per-file error
printf '\037\213\010\000garbagegarbage' >"$d/broken.log.gz"
same_output "table with a broken input" --max 0 --no-progress -- "$d/part0.log" "$d/broken.log.gz" "$d/part1.log"
expect_grep 'broken.log.gz: corrupt gzip' "$T_TMP/e2" "the broken input is reported"

# stdin among the inputs, one input, bad options
expect_exit 0 "stdin and a file" -- sh -c "cat '$d/part0.log' | '$TSHOOT' logs patterns --per-line --threads 2 - '$d/part1.log'"
expect_eq "$(wc -l <"$T_TMP/out" | tr -d ' ')" "$(cat "$d/part0.log" "$d/part1.log" | wc -l | tr -d ' ')" "stdin and a file: every line"
expect_exit 66 "a missing input" -- "$TSHOOT" logs patterns --threads 2 "$d/part0.log" "$d/nope.log"
expect_exit 64 "--threads 0" -- "$TSHOOT" logs patterns --threads 0 "$d/part0.log"
expect_exit 64 "--threads 17" -- "$TSHOOT" logs patterns --threads 17 "$d/part0.log"

# one plain file of 32 MiB or more: --per-line splits it at line starts
python3 - "$T_TMP/big.log" <<'X'
import sys
users = ["alice", "bob", "carol", "dave", "erin", "frank"]
with open(sys.argv[1], "w", newline="") as f:
    i = 0
    while f.tell() < 34 << 20:
        k = i % 5
        if k == 0:
            f.write("Accepted password for %s from 10.0.%d.%d port %d ssh2\n" % (users[i // 5 % 6], i % 256, i % 7, i % 60000))
        elif k == 1:
            f.write("worker %d finished job %08x in %d ms\r\n" % (i % 3, i * 7919, i % 1000))
        elif k == 2:
            f.write("cache %s hit ratio %d.%02d\n" % (["sessions", "tokens", "pages", "images"][i // 5 % 4], i % 100, i % 97))
        elif k == 3:
            f.write("GET /api/v1/items/%d 200 %dms\n" % (i, i % 300))
        else:
            f.write("%s: session %d closed\n" % (users[(i // 5) % 6], i))
        i += 1
    f.write("last line without a newline")
X
same_output "one 34 MiB file per-line" --per-line -- "$T_TMP/big.log"
expect_eq "$(wc -l <"$T_TMP/t2" | tr -d ' ')" "$(($(wc -l <"$T_TMP/big.log") + 1))" "one 34 MiB file: one template per line"
expect_eq "$(tail -n 1 "$T_TMP/t2")" "last line without a newline" "one 34 MiB file: the last line last"

# the Loghub 2k sample, when the shared benchmark data is there
loghub=${TSHOOT_SHARED:-$SRCDIR/../shared}/bench/loghub
if [ -f "$loghub/HDFS.log" ]; then
    same_output "loghub per-line" --per-line -- "$loghub"/*.log
    same_output "loghub table" --max 0 --no-progress -- "$loghub"/*.log
else
    ok "# SKIP loghub: no $loghub"
fi
done_testing
