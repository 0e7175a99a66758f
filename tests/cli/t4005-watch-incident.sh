#!/bin/sh
# The founding incident for real: a 4 MiB tmpfs, a writer creating session_*
# files at a steady rate until ENOSPC. watch (0.5 s interval) must alert long
# before the end and predict the end well at half-full. The precise numbers
# are measured by bench/watch; this test asserts an honest, looser bound:
# lead >= 70% of the true time to full, prediction at half-full within 30%.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"

SHM="$T_TMP/shm"
mount_tmpfs "$SHM" 4m
PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount "$SHM" --no-processes --interval 500ms --for 0s \
    --listen "127.0.0.1:$PORT" --horizon 24h
wait_http "http://127.0.0.1:$PORT/healthz" 10
python3 "$SRCDIR/tests/cli/incident.py" --dir "$SHM" --rate 30 --file-size 4096 \
    --metrics "http://127.0.0.1:$PORT/metrics" --log "$T_TMP/w.log" --timeout 90 --out "$T_TMP/r.json" >/dev/null
sed 's/^/# /' "$T_TMP/r.json"
fill=$(json_get "$T_TMP/r.json" 'd["t_fill"]')
if [ "$fill" != None ]; then ok "writer hit ENOSPC after ${fill%.*} s"; else not_ok "writer hit ENOSPC"; fi
name=$(json_get "$T_TMP/r.json" 'd["alert"]["name"] if d["alert"] else None')
expect_eq "$name" TshootFilesystemPredictedFull "first alert is the prediction"
ok_lead=$(json_get "$T_TMP/r.json" 'd["lead_ratio"] is not None and d["lead_ratio"] >= 0.70')
expect_eq "$ok_lead" True "alert lead time >= 70% of the time to full"
ok_half=$(json_get "$T_TMP/r.json" 'd["half"] is not None and d["half"]["error"] is not None and d["half"]["error"] <= 0.30')
expect_eq "$ok_half" True "prediction at half-full within 30% of the truth"
expect_grep "alert firing: TshootFilesystemNearlyFull: $SHM" "$T_TMP/w.log" "near-full alert follows"
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m.prom"
n=$(python3 "$SRCDIR/tests/cli/watch_check.py" get "$T_TMP/m.prom" tshoot_dir_entries mountpoint="$SHM" prefix=session_)
files=$(ls "$SHM" | grep -c '^session_')
expect_eq "$n" "$files" "tshoot_dir_entries counts every session_ file ($files)"
rate=$(python3 "$SRCDIR/tests/cli/watch_check.py" get "$T_TMP/m.prom" tshoot_dir_entries_growth_per_second mountpoint="$SHM" prefix=session_)
echo "# session_ growth seen at the end: $rate/s (writer: 30/s)"
kill -TERM "$W_WATCH"; wait "$W_WATCH"
done_testing
