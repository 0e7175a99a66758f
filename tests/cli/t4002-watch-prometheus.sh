#!/bin/sh
# Real Prometheus (Debian's package) scrapes tshoot watch: series come back
# through the HTTP API with `tshoot metrics query/query-range`; the rules of
# `tshoot rules alerts` are loaded and fire for a real filling tmpfs that a
# process mounted in its own mount namespace (a container's /dev/shm as
# node_exporter never sees it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
need_cmd prometheus
need_cmd unshare

CSHM="$T_TMP/cshm"
mkdir -p "$CSHM"
# the "container": its own mount namespace with a 4 MiB tmpfs, filled with
# session_ files (~60/s) until ENOSPC, then kept alive
unshare -m --propagation private sh -c '
    mount -t tmpfs -o size=4m tshoot-pod "$1" || exit 77
    echo mounted >"$2"
    sleep 2
    i=0
    while head -c 4096 /dev/zero >"$1/session_$i" 2>/dev/null; do i=$((i + 1)); sleep 0.015; done
    echo full >"$2"
    exec sleep 60' sh "$CSHM" "$T_TMP/writer" &
W_PIDS="$W_PIDS $!"
sleep 0.3
grep -q mounted "$T_TMP/writer" 2>/dev/null || skip_all "cannot mount a tmpfs in a new mount namespace"

"$TSHOOT" rules alerts --for 0s --for-long 0s --horizon 1h -o "$T_TMP/rules.yml"
WP=$(free_port)
start_watch "$T_TMP/watch.log" --mount "$CSHM" --interval 500ms --no-processes --listen "127.0.0.1:$WP" --horizon 1h
PP=$(free_port)
if start_prometheus "$T_TMP/prom" "$PP" "127.0.0.1:$WP" "$T_TMP/rules.yml"; then ok "prometheus started"; else not_ok "prometheus started"; cat "$T_TMP/prom/log"; done_testing; fi
PROM="http://127.0.0.1:$PP"

# (a) the series, back through the API
n=0
until "$TSHOOT" metrics query "tshoot_fs_size_bytes{mountpoint=\"$CSHM\"}" --prometheus "$PROM" >"$T_TMP/q1" 2>&1 && grep -q 4194304 "$T_TMP/q1"; do
    n=$((n + 1)); [ $n -ge 40 ] && break; sleep 0.25
done
expect_grep "^tshoot_fs_size_bytes\{.*mountpoint=\"$CSHM\".*\} 4194304$" "$T_TMP/q1" "metrics query returns the tmpfs size scraped from watch"
expect_grep 'container="mntns-[0-9]+"' "$T_TMP/q1" "the namespace's tmpfs carries a container label"
expect_exit 0 "metrics query --json" -- "$TSHOOT" metrics query "tshoot_fs_size_bytes{mountpoint=\"$CSHM\"}" --prometheus "$PROM" --json
expect_eq "$(json_get "$T_TMP/out" 'd["resultType"]')" vector "JSON result type"
expect_eq "$(json_get "$T_TMP/out" 'd["result"][0]["value"][1]')" 4194304 "JSON value"
sleep 2
expect_exit 0 "query-range over the last 10 s" -- "$TSHOOT" metrics query-range "tshoot_fs_avail_bytes{mountpoint=\"$CSHM\"}" --prometheus "$PROM" --start -10s --step 1s
pts=$(grep -c '^  [0-9-]*T' "$T_TMP/out")
if [ "$pts" -ge 3 ]; then ok "query-range returned $pts points"; else not_ok "query-range returned $pts points"; cat "$T_TMP/out"; fi
expect_exit 65 "a PromQL syntax error is reported" -- "$TSHOOT" metrics query 'sum(' --prometheus "$PROM"
expect_grep "prometheus refused the query: bad_data" "$T_TMP/err" "error names the API's reason"
expect_exit 69 "unreachable Prometheus" -- "$TSHOOT" metrics query up --prometheus "http://127.0.0.1:$(free_port)" --timeout 2s

# (c) the generated rules fire for the filling tmpfs
firing=""
n=0
while [ $n -lt 60 ]; do
    "$TSHOOT" metrics query 'ALERTS{alertstate="firing"}' --prometheus "$PROM" >"$T_TMP/alerts" 2>&1
    if grep -q 'alertname="TshootContainerTmpfsPredictedFull"' "$T_TMP/alerts" &&
        grep -q 'alertname="TshootFilesystemPredictedFull"' "$T_TMP/alerts" &&
        grep -q 'alertname="TshootContainerTmpfsNearlyFull"' "$T_TMP/alerts"; then
        firing=yes; break
    fi
    n=$((n + 1)); sleep 0.5
done
expect_eq "$firing" yes "predict_linear, tshoot prediction and near-full rules reach firing"
expect_grep "mountpoint=\"$CSHM\"" "$T_TMP/alerts" "the alert names the tmpfs"

# export: the window as exposition text with timestamps (a bundle's metrics file)
expect_exit 0 "metrics export" -- "$TSHOOT" metrics export --prometheus "$PROM" --since 1m --step 1s -o "$T_TMP/window.prom"
expect_grep '^# tshoot-time: [0-9-]+T[0-9:]+Z$' "$T_TMP/window.prom" "export states its time"
if python3 "$SRCDIR/tests/cli/watch_check.py" validate "$T_TMP/window.prom" >"$T_TMP/v"; then ok "export is valid exposition"; else not_ok "export is valid exposition"; head -5 "$T_TMP/v"; fi
pts=$(grep -cE "^tshoot_fs_avail_bytes\{.*mountpoint=\"$CSHM\".*\} [0-9.e+]+ [0-9]{13}$" "$T_TMP/window.prom")
if [ "$pts" -ge 5 ]; then ok "export has the tmpfs history ($pts points)"; else not_ok "export has the tmpfs history ($pts points)"; fi
expect_grep '^ALERTS\{.*alertname="TshootContainerTmpfsPredictedFull"' "$T_TMP/window.prom" "export carries the firing alerts"
expect_exit 0 "export of one expression" -- "$TSHOOT" metrics export --prometheus "$PROM" --since 30s --step 1s --expr up
expect_grep '^up\{.*job="tshoot"\} 1 [0-9]{13}$' "$T_TMP/out" "--expr up exported"
expect_grep "serving /metrics" "$T_TMP/watch.log" "watch logged its address"
done_testing
