#!/bin/sh
# A bundle with no timestamps still yields a report that says which sources
# were untimed; times without a zone are taken as UTC and flagged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report-lib.sh"

python3 - "$T_TMP/untimed.json" <<'PY'
import json, sys
d = {"schema": "tshoot.diagnose/1", "generated_at": "2026-05-01T10:00:00Z",
     "inputs": {"bundle": "b", "sources": [
         {"path": "logs/app/app.log", "kind": "log", "lines": 120, "timed": False},
         {"path": "logs/worker.log", "kind": "log", "lines": 30, "timed": False}],
         "unreadable": [{"path": "k8s/pods.json", "reason": "malformed JSON at line 3"}]},
     "hypotheses": [{"id": "fd_exhaustion.generic", "category": "fd_exhaustion",
                     "title": "File descriptors exhausted", "score": 0.7, "confidence": "medium",
                     "subject": "app", "evidence": [{"kind": "log", "ref": "logs/app/app.log:17",
                     "time": None, "text": "accept: too many open files", "weight": 0.6, "count": 40}],
                     "against": [], "chain": ["fd leak", "EMFILE on accept", "connections refused"]}],
     "timeline": [], "services": [{"name": "app", "first_anomaly": None, "errors": 40}],
     "untimed_sources": []}
json.dump(d, open(sys.argv[1], "w"))
PY
expect_exit 0 "untimed diagnosis renders" -- "$TSHOOT" report --from "$T_TMP/untimed.json" -o "$T_TMP/r/"
MD="$T_TMP/r/postmortem.md"
expect_grep 'The evidence carries no timestamps' "$MD" "summary says the window is unknown"
expect_grep '^Untimed sources \(no timestamps, not on the timeline\):' "$MD" "untimed sources section"
expect_grep '^- `logs/app/app.log`$' "$MD" "first untimed source listed"
expect_grep '^- `logs/worker.log`$' "$MD" "second untimed source listed"
expect_grep 'could not be evaluated' "$MD" "detection gaps say why they are empty"
expect_grep 'k8s/pods.json: malformed JSON' "$MD" "unreadable input listed"
expect_grep 'accept: too many open files' "$MD" "evidence still reported"
expect_grep '<code>logs/worker.log</code>' "$T_TMP/r/report.html" "html lists untimed sources"
expect_no_grep '<svg class="timeline"' "$T_TMP/r/report.html" "no empty timeline figure"

# zone-less times: UTC assumed and said so
python3 - "$T_TMP/untimed.json" "$T_TMP/nozone.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["timeline"] = [{"time": "2026-05-01 09:00:00", "source": "logs/app/app.log",
                  "kind": "first_error", "text": "accept: too many open files"},
                 {"time": "2026-05-01T11:30:00+05:30", "source": "logs/worker.log",
                  "kind": "spike", "text": "queue backlog"}]
json.dump(d, open(sys.argv[2], "w"))
PY
expect_exit 0 "zone-less times render" -- "$TSHOOT" report --from "$T_TMP/nozone.json" -o "$T_TMP/z.md"
expect_grep '2026-05-01 09:00:00 UTC \(no zone in the source: UTC assumed\)' "$T_TMP/z.md" "zone-less time flagged"
expect_grep '2026-05-01 06:00:00 UTC \(11:30:00\+05:30 in the source\)' "$T_TMP/z.md" "+05:30 converted"
# merged in UTC order: the +05:30 entry (06:00 UTC) comes before 09:00 UTC
first=$(grep -n 'queue backlog' "$T_TMP/z.md" | head -1 | cut -d: -f1)
second=$(grep -n '| first\\_error |' "$T_TMP/z.md" | head -1 | cut -d: -f1)
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ]; then ok "timeline merged in UTC order"; else not_ok "timeline merged in UTC order ($first, $second)"; fi

# a real bundle with no timestamps, when the diagnose engine is built in
mkdir -p "$T_TMP/bundle/logs/app"
printf 'starting\naccept: too many open files\naccept: too many open files\n' >"$T_TMP/bundle/logs/app/app.log"
if "$TSHOOT" report "$T_TMP/bundle" -o "$T_TMP/b.md" 2>"$T_TMP/err"; then
    expect_grep '^- `logs/app/app.log`$' "$T_TMP/b.md" "bundle: untimed log listed"
else
    grep -q 'no diagnose engine' "$T_TMP/err" && echo "# diagnose engine not built in: bundle part skipped" ||
        not_ok "report on an untimed bundle failed: $(cat "$T_TMP/err")"
fi
done_testing
