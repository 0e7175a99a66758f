#!/bin/sh
# diagnose --prometheus: a real Prometheus (Debian's package) scrapes a static
# exposition (Uptime Kuma monitor_status for six monitors, five down;
# node_exporter filesystems, a tmpfs with 0 bytes free) served by python3 on
# 127.0.0.1. diagnose pulls the series its rules' metric conditions read over
# --since and the metric evidence (refs "prometheus:QUERY") changes the
# hypotheses; an unreachable Prometheus is an unreadable input, not a failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
need_cmd prometheus
need_cmd python3

mkdir -p "$T_TMP/www"
{
    echo '# TYPE monitor_status gauge'
    for m in auth grafana wiki git chat; do
        echo "monitor_status{monitor_name=\"$m\",monitor_type=\"http\"} 0"
    done
    echo 'monitor_status{monitor_name="status-page",monitor_type="http"} 1'
    echo '# TYPE node_filesystem_avail_bytes gauge'
    echo 'node_filesystem_avail_bytes{device="shm",fstype="tmpfs",mountpoint="/dev/shm"} 0'
    echo 'node_filesystem_avail_bytes{device="sda1",fstype="ext4",mountpoint="/"} 5.0e+10'
} >"$T_TMP/www/metrics"
HP=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T_TMP/www" "$HP" >"$T_TMP/http.log" 2>&1 &
W_PIDS="$W_PIDS $!"
wait_http "http://127.0.0.1:$HP/metrics" 15 || skip_all "python3 http.server did not start"
PP=$(free_port)
if start_prometheus "$T_TMP/prom" "$PP" "127.0.0.1:$HP"; then ok "prometheus started"; else not_ok "prometheus started"; cat "$T_TMP/prom/log"; done_testing; fi
PROM="http://127.0.0.1:$PP"
# a few scrapes (1 s interval)
n=0
until "$TSHOOT" metrics query 'count(monitor_status)' --prometheus "$PROM" >"$T_TMP/q" 2>&1 && grep -q ' 6$' "$T_TMP/q"; do
    n=$((n + 1)); [ $n -ge 60 ] && break; sleep 0.25
done
expect_grep ' 6$' "$T_TMP/q" "prometheus scraped the six monitors"
sleep 3

# the application's view: clients get HTTP 400s and errors, nothing names a cause
# (timestamps a minute ago: inside --since 10m)
t1=$(date -u -d '-90 sec' +%Y-%m-%dT%H:%M:%SZ)
a1=$(date -u -d '-60 sec' +%d/%b/%Y:%H:%M:%S)
{
    echo "$t1 app started"
    echo "192.168.1.5 - - [$a1 +0000] \"GET /login HTTP/1.1\" 400 150 \"-\" \"curl\""
    echo "$t1 error: request failed"
    echo "192.168.1.5 - - [$a1 +0000] \"GET /login HTTP/1.1\" 400 150 \"-\" \"curl\""
} >"$T_TMP/app.log"

# without Prometheus: the baseline
"$TSHOOT" diagnose --logs "$T_TMP/app.log" --since 10m --json >"$T_TMP/base.json" 2>"$T_TMP/err"
expect_eq "$(json_get "$T_TMP/base.json" 'len([e for h in d["hypotheses"] for e in h["evidence"] if e["ref"].startswith("prometheus")])')" 0 "no prometheus evidence without --prometheus"

# with Prometheus
"$TSHOOT" diagnose --logs "$T_TMP/app.log" --prometheus "$PROM" --since 10m --json >"$T_TMP/p.json" 2>"$T_TMP/err"
rc=$?
expect_eq "$rc" 1 "diagnose --prometheus finds hypotheses (exit 1)"
expect_eq "$(json_get "$T_TMP/p.json" 'd["inputs"]["unreadable"]')" "[]" "nothing unreadable"
expect_eq "$(json_get "$T_TMP/p.json" '[s["lines"] for s in d["inputs"]["sources"] if s["kind"] == "log"]')" "[4]" "the log lines are inside the window"
expect_eq "$(json_get "$T_TMP/p.json" '[s["path"] for s in d["inputs"]["sources"] if s["path"] == "prometheus:monitor_status" and s["kind"] == "metrics" and s["lines"] >= 6 and s["timed"]] != []')" True "monitor_status read from prometheus, timestamped samples of the six series"
json_get "$T_TMP/p.json" 'd["inputs"]["sources"]' | sed 's/^/# /'
# the rule upstream_unavailable: monitor_status == 0 on >= 2 series
cat_ev() { json_get "$T_TMP/$1" "[e['ref'] + ' ' + e['text'] for h in d['hypotheses'] if h['category'] == '$2' for e in h['evidence']]"; }
cat_ev p.json upstream_unavailable >"$T_TMP/up.ev"
expect_grep "prometheus:monitor_status:[0-9]+ 5 series with monitor_status == 0" "$T_TMP/up.ev" "upstream_unavailable has the monitor_status evidence (5 series down)"
# the rule disk_full: node_filesystem_avail_bytes < 1 MiB
cat_ev p.json disk_full >"$T_TMP/disk.ev"
expect_grep "prometheus:node_filesystem_avail_bytes:[0-9]+ 1 series with node_filesystem_avail_bytes < (1048576|1\\.04858e\\+06).*mountpoint=\"/dev/shm\"" "$T_TMP/disk.ev" "disk_full has the /dev/shm node_filesystem evidence, not the full root"
score() { json_get "$T_TMP/$1" "([h['score'] for h in d['hypotheses'] if h['category'] == '$2'] + [0])[0]"; }
b=$(score base.json disk_full); p=$(score p.json disk_full)
if python3 -c "import sys; sys.exit(0 if float('$p') > float('$b') + 0.2 else 1)"; then ok "the metric raises disk_full ($b -> $p)"; else not_ok "the metric raises disk_full ($b -> $p)"; fi
b=$(score base.json upstream_unavailable); p=$(score p.json upstream_unavailable)
if python3 -c "import sys; sys.exit(0 if float('$p') > float('$b') else 1)"; then ok "the metric raises upstream_unavailable ($b -> $p)"; else not_ok "the metric raises upstream_unavailable ($b -> $p)"; fi
cc=$(json_get "$T_TMP/p.json" 'd["hypotheses"][0].get("common_cause", "")')
case "$cc" in
*"monitors down: "*auth*chat*) ok "common cause lists the down monitors" ;;
*) not_ok "common cause lists the down monitors ('$cc')" ;;
esac
case "$cc" in
*status-page*) not_ok "the monitor that is up is not listed as down" ;;
*) ok "the monitor that is up is not listed as down" ;;
esac
expect_grep "5 of 6 monitors down" "$T_TMP/p.json" "each series counted once over the window (5 of 6, not per sample)"

# Prometheus unreachable: a closed port; still a diagnosis, the failure listed
CP=$(free_port)
"$TSHOOT" diagnose --logs "$T_TMP/app.log" --prometheus "http://127.0.0.1:$CP" --since 10m --json >"$T_TMP/u.json" 2>"$T_TMP/err"
rc=$?
expect_eq "$rc" "$(if [ "$(json_get "$T_TMP/base.json" 'len(d["hypotheses"])')" -gt 0 ]; then echo 1; else echo 0; fi)" "unreachable prometheus: same exit status as without it"
expect_eq "$(json_get "$T_TMP/u.json" '[u["path"] for u in d["inputs"]["unreadable"]]')" "['prometheus:http://127.0.0.1:$CP']" "unreachable prometheus listed once in inputs.unreadable"
expect_grep "onnect" "$T_TMP/u.json" "the reason says the connection failed"
expect_eq "$(json_get "$T_TMP/u.json" '[h["category"] for h in d["hypotheses"]]')" "$(json_get "$T_TMP/base.json" '[h["category"] for h in d["hypotheses"]]')" "same hypotheses as without prometheus"
"$TSHOOT" diagnose --logs "$T_TMP/app.log" --prometheus "$PROM" --bearer-token-file "$T_TMP/missing-token" --json >"$T_TMP/t.json" 2>"$T_TMP/err"
expect_grep "missing-token': cannot read bearer token file" "$T_TMP/t.json" "a missing --bearer-token-file is listed as unreadable, not fatal"
expect_exit "$rc" "human output names the unreadable prometheus" -- "$TSHOOT" diagnose --logs "$T_TMP/app.log" --prometheus "http://127.0.0.1:$CP"
expect_grep "unreadable prometheus:http://127.0.0.1:$CP" "$T_TMP/out" "unreadable line printed"
done_testing
