#!/bin/sh
# tshoot watch on a real tmpfs: --once, /metrics format, hot prefixes, state
# file (restore, corrupt, full disk), SIGTERM < 1 s, SIGHUP reload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
CHK="python3 $SRCDIR/tests/cli/watch_check.py"

expect_exit 64 "bad interval is a usage error" -- "$TSHOOT" watch --interval soon
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "usage error is one line"
expect_exit 64 "bad listen address" -- "$TSHOOT" watch --once --listen nowhere --mount /nonexistent --no-processes --listen x
expect_exit 64 "bad threshold" -- "$TSHOOT" watch --threshold 120
expect_exit 64 "metrics needs a subcommand" -- "$TSHOOT" metrics
expect_exit 64 "metrics query needs --prometheus" -- env -u PROMETHEUS_URL "$TSHOOT" metrics query up
expect_exit 64 "rules alerts rejects a bad horizon" -- "$TSHOOT" rules alerts --horizon never

SHM="$T_TMP/shm"
mount_tmpfs "$SHM" 1m
# 90% full with session_ files (4 KiB each = one page)
i=0
while [ $i -lt 230 ]; do head -c 4096 /dev/zero >"$SHM/session_$i"; i=$((i + 1)); done
for j in 1 2 3; do : >"$SHM/other$j"; done

expect_exit 1 "--once exits 1 when an alert fires" -- "$TSHOOT" watch --once --mount "$SHM" --no-processes
expect_grep "$SHM" "$T_TMP/out" "--once prints the filesystem"
expect_grep '(89|9[0-9])\.[0-9]%' "$T_TMP/out" "--once shows the usage"
expect_grep "alert firing: TshootFilesystemNearlyFull: $SHM is 9[0-9]% full" "$T_TMP/err" "alert logged"
# labels leave tshoot: a secret in a mountpoint is redacted in the output
mount_tmpfs "$T_TMP/db_password=hunter2" 64k
expect_exit 0 "--once with a secret in a mountpoint" -- "$TSHOOT" watch --once --mount "$T_TMP/db_password*" --no-processes
expect_grep 'db_password=\[REDACTED\]' "$T_TMP/out" "mountpoint label redacted"
expect_no_grep 'hunter2' "$T_TMP/out" "secret not printed"
expect_exit 0 "--once below the threshold exits 0" -- "$TSHOOT" watch --once --mount "$SHM" --no-processes --threshold 95

PORT=$(free_port)
start_watch "$T_TMP/w1.log" --mount "$SHM" --interval 200ms --listen "127.0.0.1:$PORT" --state "$T_TMP/state.db"
if wait_http "http://127.0.0.1:$PORT/healthz" 10; then ok "healthz answers"; else not_ok "healthz answers"; cat "$T_TMP/w1.log"; fi
sleep 1.5
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m1.prom"
if $CHK validate "$T_TMP/m1.prom" >"$T_TMP/v1"; then ok "exposition valid (HELP/TYPE for every family, unique series)"; else not_ok "exposition valid"; head "$T_TMP/v1"; fi
for fam in tshoot_fs_size_bytes tshoot_fs_avail_bytes tshoot_fs_files tshoot_fs_files_free \
    tshoot_fs_predicted_full_seconds tshoot_dir_entries tshoot_process_memory_growth_bytes_per_second; do
    expect_grep "^# TYPE $fam gauge" "$T_TMP/m1.prom" "family $fam"
done
expect_eq "$($CHK get "$T_TMP/m1.prom" tshoot_dir_entries mountpoint="$SHM" prefix=session_)" 230 "230 session_ files counted"
expect_eq "$($CHK get "$T_TMP/m1.prom" tshoot_fs_size_bytes mountpoint="$SHM" fstype=tmpfs)" 1048576 "size of the tmpfs"
expect_grep 'tshoot_process_resident_bytes\{pid="[0-9]+"' "$T_TMP/m1.prom" "processes tracked"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")
expect_eq "$code" 404 "unknown path is 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "http://127.0.0.1:$PORT/metrics")
expect_eq "$code" 405 "POST is 405"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PORT/metrics")
expect_eq "$ctype" "text/plain; version=0.0.4; charset=utf-8" "Prometheus content type"

# SIGTERM: saves state and exits within a second
t0=$(date +%s%N)
kill -TERM "$W_WATCH"
wait "$W_WATCH"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "$rc" 0 "SIGTERM exit status 0"
if [ "$ms" -lt 1000 ]; then ok "SIGTERM exit in ${ms} ms"; else not_ok "SIGTERM exit took ${ms} ms"; fi
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from series').fetchone()[0])" "$T_TMP/state.db")
if [ "${rows:-0}" -ge 2 ]; then ok "state saved ($rows series)"; else not_ok "state saved (rows=$rows)"; fi

# restart: the history comes back (the 15m window has data at the first sample)
start_watch "$T_TMP/w2.log" --mount "$SHM" --interval 10s --listen "127.0.0.1:$PORT" --state "$T_TMP/state.db" --no-processes
wait_http "http://127.0.0.1:$PORT/healthz" 10
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m2.prom"
expect_grep "tshoot_fs_growth_bytes_per_second\{mountpoint=\"$SHM\".*window=\"15m\"\} 0" "$T_TMP/m2.prom" "history restored from the state file"
kill -TERM "$W_WATCH"; wait "$W_WATCH"

# corrupt state: set aside, fresh start, still serving
head -c 20000 /dev/urandom >"$T_TMP/state.db"
start_watch "$T_TMP/w3.log" --mount "$SHM" --interval 10s --listen "127.0.0.1:$PORT" --state "$T_TMP/state.db" --no-processes
if wait_http "http://127.0.0.1:$PORT/healthz" 10; then ok "serves with a corrupt state file"; else not_ok "serves with a corrupt state file"; fi
expect_grep "state file '.*state.db' was corrupt; moved to '.*state.db.corrupt-[0-9]+', starting fresh" "$T_TMP/w3.log" "corrupt state warned"
ls "$T_TMP"/state.db.corrupt-* >/dev/null 2>&1 && ok "corrupt file kept aside" || not_ok "corrupt file kept aside"
kill -TERM "$W_WATCH"; wait "$W_WATCH"

# full disk under the state file: memory-only with a warning, never a crash
FULL="$T_TMP/full"
mount_tmpfs "$FULL" 64k
head -c 1000000 /dev/zero >"$FULL/fill" 2>/dev/null
start_watch "$T_TMP/w4.log" --mount "$SHM" --interval 200ms --listen "127.0.0.1:$PORT" --state "$FULL/state.db" --no-processes
if wait_http "http://127.0.0.1:$PORT/healthz" 10; then ok "serves with a full state disk"; else not_ok "serves with a full state disk"; fi
sleep 0.5
kill -TERM "$W_WATCH"; wait "$W_WATCH"; rc=$?
expect_eq "$rc" 0 "full state disk: clean exit"
expect_grep "memory only" "$T_TMP/w4.log" "full disk warned (memory only)"

# SIGHUP reloads --config: threshold 99 -> 50 makes the alert fire
printf 'threshold = 99\nfor = 0s\nno-processes\n' >"$T_TMP/watch.conf"
start_watch "$T_TMP/w5.log" --config "$T_TMP/watch.conf" --mount "$SHM" --interval 200ms --listen "127.0.0.1:$PORT"
wait_http "http://127.0.0.1:$PORT/healthz" 10
sleep 0.5
expect_no_grep "alert firing" "$T_TMP/w5.log" "no alert at threshold 99"
printf 'threshold = 50\nfor = 0s\nno-processes\n' >"$T_TMP/watch.conf"
kill -HUP "$W_WATCH"
sleep 1
expect_grep "configuration reloaded" "$T_TMP/w5.log" "SIGHUP reloads"
expect_grep "alert firing: TshootFilesystemNearlyFull" "$T_TMP/w5.log" "new threshold applied"
printf 'threshold = lots\n' >"$T_TMP/watch.conf"
kill -HUP "$W_WATCH"
sleep 0.5
expect_grep "configuration not reloaded" "$T_TMP/w5.log" "bad config keeps the old one"
kill -0 "$W_WATCH" 2>/dev/null && ok "still running after a bad reload" || not_ok "still running after a bad reload"
kill -TERM "$W_WATCH"; wait "$W_WATCH"
done_testing
