#!/bin/sh
# Install the npm packages the tests need (pinned by package-lock.json):
# tests/mcp uses the official MCP TypeScript SDK to drive `tshoot mcp`.
# Idempotent: `npm ci` runs only when node_modules is missing or older than
# the lock file. Node itself comes from Debian (nodejs, npm) when missing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    echo "deps-npm: installing nodejs npm" >&2
    $SUDO apt-get update -q >/dev/null || true
    $SUDO apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi
for dir in tests/mcp; do
    d="$root/$dir"
    [ -f "$d/package-lock.json" ] || continue
    stamp="$d/node_modules/.package-lock.json"
    if [ -f "$stamp" ] && [ ! "$d/package-lock.json" -nt "$stamp" ]; then
        continue
    fi
    echo "deps-npm: npm ci in $dir" >&2
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2)
done
