#!/bin/sh
# deploy/: manifests parse, agree with each other and with the binary: the
# same port, /metrics and /healthz, arguments the binary accepts, metric
# names the binary exports, the rules file equal to `tshoot rules alerts`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (scripts/deps.sh installs it)"
D="$SRCDIR/deploy"

if python3 "$SRCDIR/tests/cli/deploy_check.py" "$D" >"$T_TMP/check" 2>&1; then ok "manifests parse and agree"; else not_ok "manifests parse and agree"; fi
grep -v '^ARGS' "$T_TMP/check" | sed 's/^/# /'

# the arguments of the DaemonSet and of the unit are accepted by the binary
grep '^ARGS' "$T_TMP/check" | cut -f2- | while IFS= read -r line; do
    # shellcheck disable=SC2086
    set -- $(printf '%s' "$line" | tr '\t' ' ')
    shift # "watch"
    if "$TSHOOT" watch "$@" --once --mount "$T_TMP/none" --listen none --state "$T_TMP/s.db" >"$T_TMP/o" 2>&1; then
        echo "ok"
    else
        echo "not ok: $*"; cat "$T_TMP/o"
    fi
done >"$T_TMP/args"
n_ok=$(grep -c '^ok$' "$T_TMP/args")
expect_eq "$(grep -c 'not ok' "$T_TMP/args")" 0 "manifest arguments accepted by tshoot watch ($n_ok sets)"
[ "$n_ok" -ge 2 ] && ok "DaemonSet and unit arguments checked" || not_ok "DaemonSet and unit arguments checked"

# the image: the Containerfile installs what the binary links and loads, and
# builds with what scripts/deps.sh builds with; the tag is the binary's version
if python3 "$SRCDIR/tests/cli/containerfile_check.py" "$D/container/Containerfile" "$TSHOOT" \
    "$SRCDIR/scripts/deps.sh" "$D/kubernetes/daemonset.yaml" >"$T_TMP/cf" 2>&1; then
    ok "Containerfile matches the binary's libraries, the build deps and the version"
else
    not_ok "Containerfile matches the binary's libraries, the build deps and the version"
fi
sed 's/^/# /' "$T_TMP/cf"

# the rules file shipped in deploy/ is what the binary writes
"$TSHOOT" rules alerts -o "$T_TMP/rules.yaml"
if cmp -s "$T_TMP/rules.yaml" "$D/prometheus/tshoot-rules.yaml"; then ok "deploy rules == tshoot rules alerts"; else not_ok "deploy rules == tshoot rules alerts (regenerate: tshoot rules alerts -o deploy/prometheus/tshoot-rules.yaml)"; fi
if command -v promtool >/dev/null 2>&1; then
    expect_exit 0 "promtool check config deploy/prometheus/prometheus.yml" -- promtool check config "$D/prometheus/prometheus.yml"
fi

# every tshoot_* metric named in deploy/ and docs exists in the binary's /metrics
PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount / --no-containers --interval 1s --listen "127.0.0.1:$PORT"
wait_http "http://127.0.0.1:$PORT/healthz" 10
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m.prom"
python3 "$SRCDIR/tests/cli/watch_check.py" families "$T_TMP/m.prom" >"$T_TMP/fams"
grep -rhoE 'tshoot_[a-z0-9_]+' "$D" "$SRCDIR/docs/watch.md" 2>/dev/null | sort -u >"$T_TMP/named"
missing=$(grep -vxF -f "$T_TMP/fams" "$T_TMP/named" | tr '\n' ' ')
expect_eq "$missing" "" "metric names in deploy/ and docs exist in the binary"
[ "$(wc -l <"$T_TMP/named")" -ge 10 ] && ok "$(wc -l <"$T_TMP/named" | tr -d ' ') metric names checked" || not_ok "metric names found"
kill -TERM "$W_WATCH"; wait "$W_WATCH"
done_testing
