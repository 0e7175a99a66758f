#!/bin/sh
# `tshoot logs errors` inputs end to end: rotated sets oldest first, symlinks
# out of the root, long lines, binary files, the journal, a directory of mixed
# formats (docker json-file, CRI, logfmt, syslog).
. "$(dirname "$0")/lib.sh"

D="$T_TMP/root"
mkdir -p "$D/app" "$T_TMP/outside"
# rotated set: the oldest error is in app.log.2.gz, the newest in app.log
printf '2026-04-18T08:00:00Z ERROR disk quota exceeded for volume 7\n' >"$D/app/app.log.2"
gzip "$D/app/app.log.2"
printf '2026-04-18T09:00:00Z ERROR disk quota exceeded for volume 8\n' >"$D/app/app.log.1"
printf '2026-04-18T10:00:00Z ERROR disk quota exceeded for volume 9\n' >"$D/app/app.log"
# a symlink out of the root must not be read
printf '2026-04-18T10:00:00Z ERROR SECRET-OUTSIDE leaked\n' >"$T_TMP/outside/x.log"
ln -s "$T_TMP/outside/x.log" "$D/app/link.log"
# container runtimes and key=value logs
printf '{"log":"E0418 10:01:00.000000 1 ctl.go:9] sync failed: timeout\\n","stream":"stderr","time":"2026-04-18T10:01:00.5Z"}\n' >"$D/app/docker-json.log"
printf '2026-04-18T10:02:00.123456789Z stderr F level=error msg="probe failed" err="connection refused"\n' >"$D/app/cri.log"
printf 'Apr 18 10:03:00 node1 kernel: Out of memory: Killed process 4242 (java)\n' >"$D/app/syslog"
# a 200 KiB line is cut at the cap and counted
python3 -c 'import sys; sys.stdout.write("2026-04-18T10:04:00Z ERROR " + "x" * 200000 + "\n")' >"$D/app/long.log"

expect_exit 1 "mixed directory" -- "$TSHOOT" logs errors --json "$D"
J="$T_TMP/out"
expect_no_grep 'SECRET-OUTSIDE' "$J" "symlink out of the root not read"
expect_eq "$(json_get "$J" 'd["inputs"]["skipped_symlink"]')" 1 "symlink counted"
expect_eq "$(json_get "$J" 'd["inputs"]["truncated"]')" 1 "long line counted as truncated"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "quota" in t["template"]][0]["first"]["source"].endswith("app.log.2.gz")')" True \
    "rotated set: oldest occurrence comes from app.log.2.gz"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "quota" in t["template"]][0]["count"]')" 3 "all three rotations read"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "sync failed" in t["template"]][0]["first"]["time"]')" \
    "2026-04-18T10:01:00.000Z" "docker json-file + klog payload timed"
expect_eq "$(json_get "$J" 'any("probe failed" in t["template"] and "connection refused" in t["template"] for t in d["templates"])')" \
    True "CRI + logfmt with its err field"
expect_eq "$(json_get "$J" '[t["level"] for t in d["templates"] if "Out of memory" in t["template"]][0]')" crit \
    "syslog line without level: OOM inferred as critical"
expect_eq "$(json_get "$J" 'd["first_errors"][0]["time"]')" "2026-04-18T08:00:00.000Z" "first error is the oldest rotation"

# the journal: a unit that does not exist gives an empty, valid document
expect_exit 0 "journal with an unknown unit" -- "$TSHOOT" logs errors --json --unit tshoot-no-such-unit-$$
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["lines"]')" 0 "no lines from an unknown unit"

# max items and max-line
expect_exit 1 "--max 1" -- "$TSHOOT" logs errors --json --max 1 "$D"
expect_eq "$(json_get "$T_TMP/out" 'len(d["templates"])')" 1 "--max caps the lists"
expect_exit 64 "--max-line too small" -- "$TSHOOT" logs errors --max-line 10 "$D"
# nothing printed on stderr when it is not a terminal (no progress noise)
"$TSHOOT" logs errors "$D" >/dev/null 2>"$T_TMP/err2"
expect_eq "$(wc -c <"$T_TMP/err2" | tr -d ' ')" 0 "quiet stderr when not a terminal"
done_testing
