#!/bin/sh
# The front end: help, version, usage errors, stdout write errors.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" -- "$TSHOOT" --version
expect_grep '^tshoot [0-9]+\.[0-9]+\.[0-9]+' "$T_TMP/out" "version printed"
expect_exit 0 "--help" -- "$TSHOOT" --help
expect_grep 'collect' "$T_TMP/out" "help lists collect"
expect_exit 64 "no command is a usage error" -- "$TSHOOT"
expect_exit 64 "unknown command" -- "$TSHOOT" frobnicate
expect_grep "unknown command 'frobnicate'" "$T_TMP/err" "unknown command named"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "usage error is one line"
for c in collect logs diagnose; do
    expect_exit 0 "help $c" -- "$TSHOOT" help "$c"
    expect_grep "usage: tshoot $c" "$T_TMP/out" "help $c shows usage"
    expect_exit 0 "$c --help" -- "$TSHOOT" "$c" --help
done
expect_exit 64 "help for an unknown command" -- "$TSHOOT" help nope
# A full disk under stdout is an error, not a silent truncation.
if [ -w /dev/full ]; then
    "$TSHOOT" --help >/dev/full 2>"$T_TMP/err"; rc=$?
    expect_eq "$rc" 74 "writing to /dev/full exits 74"
    expect_grep 'error writing output' "$T_TMP/err" "write error reported"
fi
done_testing
