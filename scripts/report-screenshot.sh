#!/bin/sh
# Screenshot of the timeline figure of a report, for the docs:
#   scripts/report-screenshot.sh TSHOOT BUNDLE OUT.png [WIDTH HEIGHT]
# Renders the HTML report, keeps its stylesheet and the timeline section
# (heading, zone note, figure) in a page of their own, and has headless
# chromium take the picture.
set -eu
t=$1 bundle=$2 out=$3 w=${4:-1280} h=${5:-600}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$t" report "$bundle" -o "$tmp/report.html"
python3 - "$tmp/report.html" "$tmp/timeline.html" <<'PY'
import sys
s = open(sys.argv[1]).read()
head = s[:s.index("<body>")]
a = s.index('<section id="timeline">')
b = s.index("</figure>", a) + len("</figure>")
open(sys.argv[2], "w").write(head + "<body><main>" + s[a:b] + "</section></main></body></html>")
PY
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$tmp/profile" --screenshot="$out" \
    --window-size="$w,$h" "file://$tmp/timeline.html" >/dev/null 2>&1
echo "$out"
