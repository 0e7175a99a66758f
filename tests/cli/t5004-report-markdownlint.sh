#!/bin/sh
# The Markdown postmortem passes markdownlint (npm markdownlint-cli, pinned
# in tests/tools/package-lock.json) with tests/tools/markdownlint.json: every
# default rule except the line length (report prose and tables are long).
# Skips (77) only when npm is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report-lib.sh"

command -v npm >/dev/null 2>&1 || skip_all "npm not installed"
"$SRCDIR/scripts/deps-npm.sh" || { not_ok "npm ci in tests/tools failed"; done_testing; }
LINT="$TOOLS/node_modules/.bin/markdownlint"
[ -x "$LINT" ] || { not_ok "markdownlint not installed by scripts/deps-npm.sh"; done_testing; }

write_hostile "$T_TMP/hostile.json"
python3 - "$T_TMP/untimed.json" <<'PY'
import json, sys
json.dump({"schema": "tshoot.diagnose/1", "hypotheses": [], "timeline": [], "services": [],
           "inputs": {"sources": [{"path": "logs/a.log", "kind": "log", "lines": 2, "timed": False}]}},
          open(sys.argv[1], "w"))
PY
for name in founding hostile untimed; do
    case $name in
    founding) in=$FIXTURE ;;
    *) in=$T_TMP/$name.json ;;
    esac
    "$TSHOOT" report --from "$in" -o "$T_TMP/$name.md" 2>"$T_TMP/err" || not_ok "$name: report failed"
    if "$LINT" -c "$TOOLS/markdownlint.json" "$T_TMP/$name.md" >"$T_TMP/lint" 2>&1; then
        ok "$name: markdownlint clean"
    else
        not_ok "$name: markdownlint"
        sed 's/^/#   /' "$T_TMP/lint" | head -20
    fi
done
# the linter is live: a broken document fails it
printf '# a\n## b\ntext  \n' >"$T_TMP/bad.md"
if "$LINT" -c "$TOOLS/markdownlint.json" "$T_TMP/bad.md" >/dev/null 2>&1; then not_ok "markdownlint rejects a bad document"; else ok "markdownlint rejects a bad document"; fi
done_testing
