# Shared helpers for the CLI tests (tests/cli/tNNNN-*.sh). Source it first.
# Environment (set by meson): TSHOOT (binary), SRCDIR, BUILDDIR.
set -u
: "${TSHOOT:?TSHOOT must point at the built binary}"
: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/tshoot-$T_NAME.XXXXXX")
T_FAILS=0
T_COUNT=0
trap 't_cleanup' EXIT
t_cleanup() { rm -rf "$T_TMP"; }

ok() { T_COUNT=$((T_COUNT + 1)); echo "ok $T_COUNT - $*"; }
not_ok() { T_COUNT=$((T_COUNT + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok $T_COUNT - $*"; }
# expect_exit CODE DESC -- CMD...
expect_exit() {
    want=$1; desc=$2; shift 3
    "$@" >"$T_TMP/out" 2>"$T_TMP/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok "$desc"; else not_ok "$desc (exit $got, want $want)"; sed 's/^/#   /' "$T_TMP/err" | head -5; fi
}
# expect_grep PATTERN FILE DESC
expect_grep() {
    if grep -Eq -- "$1" "$2"; then ok "$3"; else not_ok "$3 (no /$1/ in $2)"; head -20 "$2" | sed 's/^/#   /'; fi
}
expect_no_grep() {
    if grep -Eq -- "$1" "$2"; then not_ok "$3 (/$1/ found in $2)"; grep -E -- "$1" "$2" | head -5 | sed 's/^/#   /'; else ok "$3"; fi
}
# expect_eq GOT WANT DESC
expect_eq() {
    if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 (got '$1', want '$2')"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 77; }
done_testing() {
    echo "1..$T_COUNT"
    [ "$T_FAILS" -eq 0 ] || { echo "# $T_FAILS of $T_COUNT failed"; exit 1; }
    exit 0
}
# jq-free JSON field access through python3 (installed by scripts/deps.sh)
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$1" "$2"; }
