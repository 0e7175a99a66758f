#!/bin/sh
# The main job of `make run`: tshoot on this host (collect), then the
# diagnosis of the bundled founding incident (examples/incidents/authentik-shm).
set -u
t=$1
root=$(cd "$(dirname "$0")/.." && pwd)
"$t" collect || true
echo
"$t" diagnose "$root/examples/incidents/authentik-shm"
rc=$?
# exit 1 means "hypotheses found": that is the expected outcome here
[ "$rc" -le 1 ] || exit "$rc"
exit 0
