#!/bin/sh
# `tshoot mcp` driven by the official MCP TypeScript SDK over stdio
# (tests/mcp/mcp.test.mjs): initialise, tools, prompts, the founding bundle,
# confinement, redaction, malformed JSON-RPC. Skips only without node.
. "$(dirname "$0")/lib.sh"

command -v node >/dev/null 2>&1 || skip_all "node is not installed"
if [ ! -d "$SRCDIR/tests/mcp/node_modules/@modelcontextprotocol/sdk" ]; then
    "$SRCDIR/scripts/deps-npm.sh" tests/mcp >"$T_TMP/npm.log" 2>&1 || {
        not_ok "npm ci for tests/mcp failed"
        sed 's/^/#   /' "$T_TMP/npm.log" | tail -10
        done_testing
    }
fi
cd "$SRCDIR/tests/mcp" || exit 1
SRCDIR="$SRCDIR" TSHOOT="$TSHOOT" timeout 240 node --test --test-reporter=tap \
    --test-timeout=60000 mcp.test.mjs >"$T_TMP/node.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/node.out" | grep -E '^# (not )?ok|^# # (pass|fail|skip)' | head -60
if [ "$rc" -eq 0 ]; then
    ok "MCP SDK test suite ($(sed -n "s/^# pass //p" "$T_TMP/node.out") passed, $(sed -n "s/^# skipped //p" "$T_TMP/node.out") skipped)"
else
    not_ok "MCP SDK test suite (node exit $rc)"
    grep -E -A12 '^not ok' "$T_TMP/node.out" | head -60 | sed 's/^/#   /'
fi
done_testing
