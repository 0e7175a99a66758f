#!/bin/sh
# The HTML report in a real browser: Debian's chromium, headless, renders
# the founding incident's report with no console message (the page has no
# script; a CSP violation or an error would be logged), at 1280 px and at a
# phone's 390 px, and prints it to PDF. Screenshots are kept under
# $BUILDDIR/report/. Skips (77) when chromium is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report-lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip_all "chromium not installed (scripts/deps.sh installs it)"
OUT="${BUILDDIR:-$SRCDIR/build}/report"
mkdir -p "$OUT"

chrome() {
    ud=$(mktemp -d "$T_TMP/profile.XXXXXX")
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$ud" "$@"
    rc=$?
    rm -rf "$ud"
    return $rc
}

# png_size FILE -> "WIDTHxHEIGHT"
png_size() {
    python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]) if d[:8]==b'\x89PNG\r\n\x1a\n' else 'not-png')" "$1"
}

# the founding incident: its bundle diagnosed in-process, else the fixture
B="$SRCDIR/examples/incidents/authentik-shm"
if ! { [ -d "$B" ] && "$TSHOOT" report "$B" -o "$OUT/" 2>"$T_TMP/err"; }; then
    "$TSHOOT" report --from "$FIXTURE" -o "$OUT/" 2>"$T_TMP/err" || not_ok "report failed"
fi
PAGE="file://$OUT/report.html"

# 1. the DOM chromium built: every section and both figures are there
chrome --dump-dom "$PAGE" >"$T_TMP/dom.html" 2>"$T_TMP/dom.err"
expect_grep '<svg class="timeline"' "$T_TMP/dom.html" "dom: the timeline svg"
expect_grep '<svg class="chain"' "$T_TMP/dom.html" "dom: the chain svg"
expect_grep '<h2>Evidence appendix</h2>' "$T_TMP/dom.html" "dom: the last section"

# 2. no console message at all (errors, CSP violations, blocked loads)
chrome --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom "$PAGE" >/dev/null 2>"$T_TMP/console"
expect_no_grep ':CONSOLE|Uncaught' "$T_TMP/console" "no console message from the report"
# ... and the check is live: an injected script is blocked and logged
sed 's|</main>|<script>document.title="x"</script><img src="http://127.0.0.1:9/x.png"></main>|' \
    "$OUT/report.html" >"$T_TMP/injected.html"
chrome --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom "file://$T_TMP/injected.html" >/dev/null 2>"$T_TMP/console2"
expect_grep ':CONSOLE.*Content Security Policy' "$T_TMP/console2" "an injected script would be refused and logged"

# 3. screenshots: desktop and phone
chrome --screenshot="$OUT/timeline-1280.png" --window-size=1280,900 "$PAGE" >/dev/null 2>&1
expect_eq "$(png_size "$OUT/timeline-1280.png")" "1280x900" "screenshot at 1280 px"
chrome --screenshot="$OUT/phone-390.png" --window-size=390,900 "$PAGE" >/dev/null 2>&1
expect_eq "$(png_size "$OUT/phone-390.png")" "390x900" "screenshot at 390 px"
sz=$(wc -c <"$OUT/timeline-1280.png" | tr -d ' ')
if [ "$sz" -gt 20000 ]; then ok "screenshot has content ($sz bytes)"; else not_ok "screenshot nearly empty ($sz bytes)"; fi

# 4. printable
chrome --print-to-pdf="$OUT/report.pdf" --no-pdf-header-footer "$PAGE" >/dev/null 2>&1
if head -c 5 "$OUT/report.pdf" 2>/dev/null | grep -q '%PDF-'; then ok "prints to PDF"; else not_ok "prints to PDF"; fi
echo "# screenshots: $OUT/timeline-1280.png $OUT/phone-390.png"
done_testing
