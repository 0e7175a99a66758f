#!/bin/sh
# The main job of `make run`: tshoot on this host (collect), until diagnose
# of the bundled founding incident takes over.
set -eu
t=$1
"$t" collect
# The founding incident's postmortem draft (Markdown and HTML) under out/.
"$t" report examples/incidents/authentik-shm -o out/founding/ &&
    echo "postmortem: out/founding/postmortem.md out/founding/report.html"
