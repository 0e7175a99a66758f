#!/bin/sh
# The main job of `make run`: tshoot on this host (collect), then the
# diagnosis of the bundled founding incident (examples/incidents/authentik-shm)
# and its postmortem draft (Markdown and HTML) under out/founding/.
set -u
t=$1
root=$(cd "$(dirname "$0")/.." && pwd)
"$t" collect || true
echo
"$t" diagnose "$root/examples/incidents/authentik-shm"
rc=$?
# exit 1 means "hypotheses found": that is the expected outcome here
[ "$rc" -le 1 ] || exit "$rc"
"$t" report "$root/examples/incidents/authentik-shm" -o "$root/out/founding/" || exit $?
echo
echo "postmortem draft: out/founding/postmortem.md and out/founding/report.html"
exit 0
