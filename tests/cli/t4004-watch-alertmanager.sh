#!/bin/sh
# tshoot's own alerts reach a real Alertmanager (Debian's
# prometheus-alertmanager, API v2) and a webhook; they resolve when the
# filesystem clears; an unreachable receiver is counted, never fatal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
need_cmd prometheus-alertmanager

SHM="$T_TMP/shm"
mount_tmpfs "$SHM" 1m
i=0
while [ $i -lt 230 ]; do head -c 4096 /dev/zero >"$SHM/session_$i"; i=$((i + 1)); done

AP=$(free_port)
if start_alertmanager "$T_TMP/am" "$AP"; then ok "alertmanager started"; else not_ok "alertmanager started"; cat "$T_TMP/am/log"; done_testing; fi
AM="http://127.0.0.1:$AP"
HP=$(free_port)
python3 "$SRCDIR/tests/cli/webhook_sink.py" "$HP" "$T_TMP/hook.jsonl" &
W_PIDS="$W_PIDS $!"
echo "s3cret-token-value" >"$T_TMP/token"
wait_http "http://127.0.0.1:$HP/" 10 || not_ok "webhook sink started"

expect_exit 1 "--once sends the alert and exits 1" -- "$TSHOOT" watch --once --mount "$SHM" --no-processes \
    --alertmanager "$AM" --webhook "http://127.0.0.1:$HP/hook" --bearer-token-file "$T_TMP/token"
curl -s "$AM/api/v2/alerts" >"$T_TMP/am.json"
got=$(python3 - "$T_TMP/am.json" "$SHM" <<'PY'
import json, sys
alerts = json.load(open(sys.argv[1]))
for a in alerts:
    l = a["labels"]
    if l.get("alertname") == "TshootFilesystemNearlyFull" and l.get("mountpoint") == sys.argv[2]:
        print(a["status"]["state"], l.get("fstype"), l.get("severity"), "summary" in a["annotations"])
PY
)
expect_eq "$got" "active tmpfs warning True" "Alertmanager holds tshoot's alert (API v2)"
sleep 0.3
hook=$(python3 -c "
import json,sys
for line in open(sys.argv[1]):
    d=json.loads(line)
    for a in d['alerts']:
        print(d['status'], a['labels']['alertname'], a['labels']['mountpoint']==sys.argv[2], d['_auth'])
" "$T_TMP/hook.jsonl" "$SHM" 2>/dev/null | head -1)
expect_eq "$hook" "firing TshootFilesystemNearlyFull True Bearer s3cret-token-value" "webhook got the firing alert with the bearer token"

# the daemon: fires, then resolves when the files are deleted
PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount "$SHM" --no-processes --interval 200ms --for 0s --listen "127.0.0.1:$PORT" \
    --alertmanager "$AM" --webhook "http://127.0.0.1:$HP/hook"
sleep 1
rm -f "$SHM"/session_1*
sleep 1
expect_grep "alert firing: TshootFilesystemNearlyFull" "$T_TMP/w.log" "daemon fired"
expect_grep "alert resolved: TshootFilesystemNearlyFull" "$T_TMP/w.log" "daemon resolved after cleanup"
grep -c '"status": "resolved"' "$T_TMP/hook.jsonl" >"$T_TMP/nres"
if [ "$(cat "$T_TMP/nres")" -ge 1 ]; then ok "webhook got the resolve"; else not_ok "webhook got the resolve"; fi
nfire=$(grep -c '"status": "firing"' "$T_TMP/hook.jsonl")
expect_eq "$nfire" 2 "one firing notification per episode (de-duplicated)"
curl -s "$AM/api/v2/alerts?active=true" >"$T_TMP/am2.json"
left=$(python3 -c "
import json,sys
print(sum(1 for a in json.load(open(sys.argv[1])) if a['labels'].get('mountpoint')==sys.argv[2] and a['status']['state']=='active'))" "$T_TMP/am2.json" "$SHM")
expect_eq "$left" 0 "Alertmanager shows it resolved"
kill -TERM "$W_WATCH"; wait "$W_WATCH"

# receivers down: counted and logged, the daemon keeps going
i=0
while [ $i -lt 100 ]; do head -c 4096 /dev/zero >"$SHM/session_x$i"; i=$((i + 1)); done
DEAD=$(free_port)
start_watch "$T_TMP/w2.log" --mount "$SHM" --no-processes --interval 200ms --for 0s --listen "127.0.0.1:$PORT" \
    --alertmanager "http://127.0.0.1:$DEAD"
sleep 1
expect_grep "cannot send alerts: 'http://127.0.0.1:$DEAD/api/v2/alerts'" "$T_TMP/w2.log" "unreachable Alertmanager logged"
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m.prom"
v=$(python3 "$SRCDIR/tests/cli/watch_check.py" get "$T_TMP/m.prom" tshoot_watch_notify_errors_total)
if [ "${v:-0}" -ge 1 ]; then ok "notify errors counted ($v)"; else not_ok "notify errors counted"; fi
kill -0 "$W_WATCH" && ok "still running" || not_ok "still running"
kill -TERM "$W_WATCH"; wait "$W_WATCH"
expect_no_grep "s3cret" "$T_TMP/w.log" "token never logged"
done_testing
