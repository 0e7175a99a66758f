#!/bin/sh
# Install the npm packages the tests need, pinned by each directory's
# package-lock.json (npm ci), only when they are missing or the lock file
# changed:
#   tests/tools   report's test tools (markdownlint ...)
#   tests/mcp     the official MCP TypeScript SDK that drives `tshoot mcp`
# Without npm it prints one line and exits 0: the tests that need the
# packages skip (exit 77) on their own.
#   scripts/deps-npm.sh [DIR...]     default: tests/tools tests/mcp
set -eu
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
    echo "deps-npm: npm not found, npm-based tests will be skipped" >&2
    exit 0
fi
[ $# -gt 0 ] || set -- tests/tools tests/mcp
# Tests run in parallel and may all call this: one npm ci at a time.
if command -v flock >/dev/null 2>&1 && [ -z "${DEPS_NPM_LOCKED:-}" ]; then
    export DEPS_NPM_LOCKED=1
    exec flock "${TMPDIR:-/tmp}/tshoot-deps-npm.lock" "$0" "$@"
fi
for d in "$@"; do
    [ -f "$d/package-lock.json" ] || continue
    stamp="$d/node_modules/.package-lock.json"
    if [ -f "$stamp" ] && [ ! "$d/package-lock.json" -nt "$stamp" ]; then
        continue
    fi
    echo "deps-npm: npm ci in $d" >&2
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
done
