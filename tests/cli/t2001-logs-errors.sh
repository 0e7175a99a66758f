#!/bin/sh
# `tshoot logs errors` end to end on a reproduction of the founding incident:
# an outpost whose session saves start failing with ENOSPC at 10:32 while the
# ingress in front of it starts answering 400 at the same minute.
. "$(dirname "$0")/lib.sh"

D="$T_TMP/logs"
mkdir -p "$D/outpost" "$D/ingress"
# 10:00-10:59: normal traffic; from 10:32 every session save fails (18/min).
awk 'BEGIN {
    for (m = 0; m < 60; m++) {
        for (s = 0; s < 60; s += 5)
            printf "{\"time\":\"2026-04-18T10:%02d:%02dZ\",\"level\":\"info\",\"msg\":\"request served\",\"path\":\"/app/%d\",\"ms\":%d}\n", m, s, m * 7 + s, s + 3
        if (m >= 32)
            for (k = 0; k < 18; k++)
                printf "{\"time\":\"2026-04-18T10:%02d:%02dZ\",\"level\":\"error\",\"msg\":\"failed to save session\",\"error\":\"open /dev/shm/session_%x%d: no space left on device\"}\n", m, k * 3, m * 977 + k, k
        if (m % 20 == 7)
            printf "{\"time\":\"2026-04-18T10:%02d:30Z\",\"level\":\"warn\",\"msg\":\"slow upstream %dms\"}\n", m, 900 + m
    }
}' >"$D/outpost/outpost.log"
awk 'BEGIN {
    for (m = 0; m < 60; m++) {
        for (s = 0; s < 60; s += 2)
            printf "2026-04-18T10:%02d:%02d.%03dZ INFO 10.0.%d.%d GET /app/%d 200 %dms\n", m, s, m * 13 % 1000, m % 7, s, s * 3 + m, s + 1
        if (m % 15 == 3)
            printf "2026-04-18T10:%02d:59.000Z ERROR upstream 10.0.3.%d returned 400 for /app/%d\n", m, m, m
        if (m >= 32)
            for (k = 0; k < 25; k++)
                printf "2026-04-18T10:%02d:%02d.500Z ERROR upstream 10.0.3.%d returned 400 for /app/%d\n", m, k * 2, k, k * m
    }
}' >"$D/ingress/ingress.log"

expect_exit 1 "errors found: exit 1" -- "$TSHOOT" logs errors --json "$D"
J="$T_TMP/out"
cp "$J" "$T_TMP/doc.json"
expect_eq "$(json_get "$J" 'd["schema"]')" "tshoot.logs.errors/1" "schema"
expect_eq "$(json_get "$J" 'd["inputs"]["files"]')" 2 "two files read"
total=$(cat "$D"/*/*.log | wc -l | tr -d ' ')
expect_eq "$(json_get "$J" 'd["inputs"]["lines"]')" "$total" "every line counted"
expect_eq "$(json_get "$J" 'd["totals"]["errors"]')" $((28 * 18 + 4 + 28 * 25)) "error lines counted"
# the ENOSPC template: one template, first seen 10:32, new, spiking
expect_eq "$(json_get "$J" 'len([t for t in d["templates"] if "no space left on device" in t["template"]])')" 1 \
    "ENOSPC lines grouped into one template"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "no space left" in t["template"]][0]["count"]')" $((28 * 18)) \
    "ENOSPC template count"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "no space left" in t["template"]][0]["first"]["time"]')" \
    "2026-04-18T10:32:00.000Z" "first ENOSPC at 10:32"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "no space left" in t["template"]][0]["new"]')" True \
    "ENOSPC template is new"
expect_grep 'never seen before 10:32' "$J" "new template text"
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "no space left" in t["template"]][0]["first"]["source"].endswith("outpost/outpost.log")')" \
    True "first occurrence names its source"
# the knowledge base: the ENOSPC signature of disk_full, every line counted once
expect_eq "$(json_get "$J" '[s["count"] for s in d["signatures"] if s["rule"] == "disk_full" and s["signal"] == "enospc"][0]')" \
    $((28 * 18)) "disk_full ENOSPC signature count"
expect_eq "$(json_get "$J" '[s["first"] for s in d["signatures"] if s["rule"] == "disk_full"][0]')" \
    "2026-04-18T10:32:00.000Z" "disk_full first hit at 10:32"
expect_eq "$(json_get "$J" '[s["category"] for s in d["signatures"] if s["rule"] == "disk_full"][0]')" \
    "disk_full" "signature category"
first_line=$(grep -n 'no space left' "$D/outpost/outpost.log" | head -1 | cut -d: -f1)
expect_eq "$(json_get "$J" '[s["first_ref"] for s in d["signatures"] if s["rule"] == "disk_full"][0].endswith("outpost/outpost.log:'"$first_line"'")')" \
    True "first_ref names the file and line"
expect_eq "$(json_get "$J" '"disk_full" in [t for t in d["templates"] if "no space left" in t["template"]][0]["rules"]')" \
    True "ENOSPC template tagged with its rule"
# the ingress 400s existed before (4 of them) but spike at 10:32
expect_eq "$(json_get "$J" '[t for t in d["templates"] if "returned" in t["template"]][0]["new"]')" False \
    "ingress 400 template is not new"
expect_eq "$(json_get "$J" '[s["start"] for s in d["spikes"] if "returned" in s["template"]][0]')" \
    "2026-04-18T10:32:00Z" "ingress 400 spike starts 10:32"
# 25/min plus the usual one at 10:33
expect_eq "$(json_get "$J" '[s["peak"] for s in d["spikes"] if "returned" in s["template"]][0]')" 26 \
    "spike peak per minute"
# spikes of the two services start together
expect_eq "$(json_get "$J" 'len(d["correlated"]) >= 1 and len(set(m["source"] for m in d["correlated"][0]["spikes"])) == 2')" \
    True "correlated spikes across two sources"
# first_errors is in time order and starts with the oldest error
expect_eq "$(json_get "$J" 'd["first_errors"][0]["time"]')" "2026-04-18T10:03:59.000Z" "oldest error first"
expect_eq "$(json_get "$J" '[e["time"] for e in d["first_errors"]] == sorted(e["time"] for e in d["first_errors"])')" True \
    "first_errors sorted by time"
# the steady info traffic is not reported
expect_no_grep 'request served' "$J" "info lines not reported"

# parallel workers give the same answer as one thread
"$TSHOOT" logs errors --json --threads 1 "$D" >"$T_TMP/t1.json" 2>/dev/null
"$TSHOOT" logs errors --json --threads 3 "$D" >"$T_TMP/t3.json" 2>/dev/null
q='sorted((t["template"], t["count"], t["first"]["time"], t["new"]) for t in d["templates"]), d["totals"], len(d["spikes"]), d["inputs"]["files"]'
expect_eq "$(json_get "$T_TMP/t3.json" "$q")" "$(json_get "$T_TMP/t1.json" "$q")" "--threads 3 == --threads 1"

# human table
expect_exit 1 "human output" -- "$TSHOOT" logs errors "$D"
expect_grep 'no space left on device' "$T_TMP/out" "table shows the ENOSPC template"
expect_grep 'NEW' "$T_TMP/out" "table flags the new template"
expect_grep 'SPIKE' "$T_TMP/out" "table flags the spike"
expect_grep 'First occurrence' "$T_TMP/out" "first occurrences listed"
expect_no_grep "$(printf '\033')" "$T_TMP/out" "NO_COLOR: no escape sequences"

# --since keeps a baseline: ENOSPC is still new after 10:30
expect_exit 1 "--since absolute" -- "$TSHOOT" logs errors --json --since 2026-04-18T10:30:00Z "$D"
expect_eq "$(json_get "$T_TMP/out" '[t for t in d["templates"] if "no space left" in t["template"]][0]["new"]')" True \
    "new relative to --since"
expect_eq "$(json_get "$T_TMP/out" 'd["window"]["since"]')" "2026-04-18T10:30:00Z" "window start reported"
# a window before the incident: no ENOSPC at all
expect_exit 1 "--until before the incident" -- "$TSHOOT" logs errors --json --until 2026-04-18T10:20:00Z "$D"
expect_no_grep 'no space left' "$T_TMP/out" "nothing after --until"

# compressed and stdin input give the same totals
gzip -c "$D/outpost/outpost.log" >"$T_TMP/outpost.log.gz"
expect_exit 1 "gzip input" -- "$TSHOOT" logs errors --json "$T_TMP/outpost.log.gz"
expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["errors"]')" $((28 * 18)) "gzip: same errors"
if command -v zstd >/dev/null; then
    zstd -q -c "$D/outpost/outpost.log" >"$T_TMP/outpost.log.zst"
    expect_exit 1 "zstd input" -- "$TSHOOT" logs errors --json "$T_TMP/outpost.log.zst"
    expect_eq "$(json_get "$T_TMP/out" 'd["totals"]["errors"]')" $((28 * 18)) "zstd: same errors"
fi
"$TSHOOT" logs errors --json - <"$D/outpost/outpost.log" >"$T_TMP/stdin.json" 2>"$T_TMP/err"
expect_eq "$(json_get "$T_TMP/stdin.json" 'd["totals"]["errors"]')" $((28 * 18)) "stdin: same errors"

# a truncated archive: valid lines + a problem naming the byte offset
head -c 3000 "$T_TMP/outpost.log.gz" >"$T_TMP/cut.log.gz"
expect_exit 0 "truncated gzip still analysed" -- "$TSHOOT" logs errors --json "$T_TMP/cut.log.gz"
expect_grep 'truncated gzip stream at byte 3000' "$T_TMP/out" "truncation reported with offset"

# an ENOSPC logged at INFO level still counts; --rules adds a user rule;
# --no-rules turns the knowledge base off
printf '2026-04-18T11:00:00Z INFO cache write: no space left on device\n2026-04-18T11:00:01Z INFO frobnicator jammed at 3\n' >"$T_TMP/info.log"
mkdir -p "$T_TMP/rules"
cat >"$T_TMP/rules/frob.yaml" <<'EOF'
id: frob_jam
category: port_conflict
title: The frobnicator jams
summary: The frobnicator jammed.
signals:
  - log: 'frobnicator jammed'
    name: jam
    weight: 0.8
EOF
expect_exit 0 "info-level signatures: exit 0" -- "$TSHOOT" logs errors --json --rules "$T_TMP/rules" "$T_TMP/info.log"
expect_eq "$(json_get "$T_TMP/out" '[s["count"] for s in d["signatures"] if s["rule"] == "disk_full"][0]')" 1 \
    "INFO-level ENOSPC counted"
expect_eq "$(json_get "$T_TMP/out" '[s["signal"] for s in d["signatures"] if s["rule"] == "frob_jam"][0]')" jam \
    "user rule from --rules matched"
expect_exit 0 "human table" -- "$TSHOOT" logs errors "$T_TMP/info.log"
expect_grep 'Known failure signatures' "$T_TMP/out" "human table has the signatures section"
expect_grep 'disk_full' "$T_TMP/out" "human table names the rule"
expect_exit 0 "--no-rules" -- "$TSHOOT" logs errors --json --no-rules "$T_TMP/info.log"
expect_eq "$(json_get "$T_TMP/out" 'len(d["signatures"])')" 0 "--no-rules: no signatures"
expect_exit 66 "missing --rules dir" -- "$TSHOOT" logs errors --rules "$T_TMP/norules" "$T_TMP/info.log"

# -o FILE, binary files, clean input, bad usage
printf 'x\000\001\002binary' >"$D/core.bin"
expect_exit 1 "-o FILE" -- "$TSHOOT" logs errors -o "$T_TMP/report.txt" "$D"
expect_grep 'no space left' "$T_TMP/report.txt" "report written to the file"
expect_grep 'binary file skipped' "$T_TMP/report.txt" "binary file reported"
printf '2026-04-18T10:00:00Z INFO all good\n' >"$T_TMP/clean.log"
expect_exit 0 "no errors: exit 0" -- "$TSHOOT" logs errors "$T_TMP/clean.log"
expect_grep 'no warnings or errors' "$T_TMP/out" "clean input says so"
expect_exit 66 "missing file" -- "$TSHOOT" logs errors "$T_TMP/nope.log"
expect_grep "cannot open '.*nope.log'" "$T_TMP/err" "missing file named"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "one error line"
expect_exit 64 "bad --since" -- "$TSHOOT" logs errors --since yesterday-ish "$D"
expect_exit 64 "unknown subcommand" -- "$TSHOOT" logs frobnicate
expect_exit 64 "bad --max" -- "$TSHOOT" logs errors --max lots "$D"
done_testing
