#!/bin/sh
# Log text cannot inject markup or script into the report, nor leak a
# secret: a diagnosis whose every string is hostile is rendered, the HTML is
# parsed (only the renderer's own tags and attributes may appear) and the
# Markdown is rendered by a permissive CommonMark renderer (markdown-it, raw
# HTML on) when npm's tools are installed, else scanned outside code spans.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report-lib.sh"

write_hostile "$T_TMP/hostile.json"
expect_exit 0 "hostile diagnosis renders" -- "$TSHOOT" report --from "$T_TMP/hostile.json" -o "$T_TMP/r/"

# HTML: parse it; every tag and attribute must be one the renderer writes,
# no event handler, no script, no link or resource leaving the page.
python3 - "$T_TMP/r/report.html" >"$T_TMP/html-check" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser
ALLOWED = set("""html head meta title style body main header nav a section h1 h2 h3 p ul ol li
strong b span div table thead tbody tr th td code pre figure figcaption i svg g text line rect
circle path polyline defs marker""".split())
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED: bad.append("tag <%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"): bad.append("event handler %s" % k)
            if k in ("src", "srcset", "action", "formaction", "xlink:href"): bad.append("attribute %s" % k)
            if k == "href" and not (v or "").startswith("#"): bad.append("href %r" % v)
            if v and "javascript:" in v.lower(): bad.append("javascript: in %s" % k)
    handle_startendtag = handle_starttag
P().feed(open(sys.argv[1]).read())
print("\n".join(bad) if bad else "clean")
PY
expect_grep '^clean$' "$T_TMP/html-check" "html: only the renderer's own markup"
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$T_TMP/r/report.html" "html: the log text is shown, escaped"
expect_grep 'Content-Security-Policy" content="default-src .none.' "$T_TMP/r/report.html" "html: CSP forbids scripts and loads"
for f in report.html postmortem.md; do
    expect_no_grep 'hunter2|abcdefghijklmnop123' "$T_TMP/r/$f" "$f: secrets redacted"
    expect_grep 'password=\[REDACTED\]' "$T_TMP/r/$f" "$f: the key stays, the value is redacted"
done

# Markdown: what a renderer makes of it
MD="$T_TMP/r/postmortem.md"
if command -v node >/dev/null 2>&1 && "$SRCDIR/scripts/deps-npm.sh" >/dev/null 2>&1 &&
    [ -d "$TOOLS/node_modules/markdown-it" ]; then
    node "$TOOLS/md-render.js" "$MD" >"$T_TMP/md.html"
    python3 - "$T_TMP/md.html" >"$T_TMP/md-check" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser
ALLOWED = set("h1 h2 h3 p ul ol li strong em code pre table thead tbody tr th td blockquote".split())
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED: bad.append("tag <%s> %r" % (tag, attrs))
        for k, v in attrs:
            if not (tag in ("td", "th") and k == "style") and not (tag == "code" and k == "class") and not (tag == "ol" and k == "start"):
                bad.append("attribute %s=%r on <%s>" % (k, v, tag))
    handle_startendtag = handle_starttag
P().feed(open(sys.argv[1]).read())
print("\n".join(bad) if bad else "clean")
PY
    expect_grep '^clean$' "$T_TMP/md-check" "markdown rendered by markdown-it: no tag, link or image from the log"
    # the hostile text arrives as text
    expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$T_TMP/md.html" "markdown: the log text is shown"
    # the mermaid block is one diagram: the chain's labels cannot add nodes
    nodes=$(awk '/^```mermaid/{m=1;next} /^```/{m=0} m && /\["/' "$MD" | wc -l | tr -d ' ')
    expect_eq "$nodes" 3 "mermaid: one node per chain step"
else
    echo "# markdown-it not available: scanning the Markdown instead"
fi
# Outside code spans there is no raw '<' and no '](' (link or image syntax).
python3 - "$MD" >"$T_TMP/scan" <<'PY'
import re, sys
bad = []
fence = False
for n, line in enumerate(open(sys.argv[1]), 1):
    if line.startswith("```"):
        fence = not fence
        continue
    if fence: continue
    s = re.sub(r"\\.", "", line)                      # escaped characters are text
    s = re.sub(r"(`+)(?:(?!\1).)*?\1", "", s)          # code spans are literal
    if "<" in s or "](" in s: bad.append("%d: %s" % (n, line.strip()))
print("\n".join(bad) if bad else "clean")
PY
expect_grep '^clean$' "$T_TMP/scan" "markdown: no raw html, link or image outside code"
done_testing
