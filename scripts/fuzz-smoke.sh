#!/bin/sh
# Run each libFuzzer target in BUILDDIR/fuzz on its seed corpus: RUNS inputs
# with a fixed seed (so `make test` is repeatable: the same binary tries the
# same inputs in CI as on a developer's machine), SECONDS at most. Longer,
# random fuzzing is `make fuzz` and running a target by hand (docs/HACKING.md).
# A crash fails the run; the crashing input is left in build-fuzz/artifacts.
set -eu
b=$1
secs=${2:-60}
runs=${FUZZ_RUNS:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$b/artifacts"
n=0
for f in "$b"/fuzz/fuzz-*; do
    [ -x "$f" ] || continue
    case "$f" in *.p) continue ;; esac
    name=$(basename "$f")
    work="$b/corpus/$name"
    rm -rf "$work"
    mkdir -p "$work"
    seeds="$root/fuzz/corpus/$name"
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
    echo "fuzz: $name, $runs inputs (seed 1, at most ${secs}s)"
    ASAN_OPTIONS=detect_leaks=1 "$f" -seed=1 -runs="$runs" -max_total_time="$secs" \
        -rss_limit_mb=1024 -timeout=10 \
        -max_len=65536 -artifact_prefix="$b/artifacts/$name-" "$work" >"$b/$name.log" 2>&1 || {
        tail -40 "$b/$name.log"
        echo "fuzz: $name FAILED"
        exit 1
    }
    n=$((n + 1))
done
echo "fuzz: $n targets ran clean"
