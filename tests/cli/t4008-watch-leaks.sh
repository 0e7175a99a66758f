#!/bin/sh
# Process memory and fd leaks: a real process that grows steadily is flagged
# (slope + R^2), a process with flat memory is not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
CHK="python3 $SRCDIR/tests/cli/watch_check.py"

# the leaker: +2 MiB and +4 fds every 100 ms for 20 s; the steady one holds 60 MiB
python3 -c '
import os, time
keep, fds = [], []
for i in range(200):
    keep.append(bytearray(2 << 20))
    for _ in range(4):
        fds.append(os.open("/dev/null", os.O_RDONLY))
    time.sleep(0.1)
' &
LEAK=$!
W_PIDS="$W_PIDS $LEAK"
python3 -c '
import time
x = bytearray(60 << 20)
time.sleep(20)
' &
FLAT=$!
W_PIDS="$W_PIDS $FLAT"
PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount / --no-containers --interval 200ms --for 0s --listen "127.0.0.1:$PORT"
wait_http "http://127.0.0.1:$PORT/healthz" 10
# the truth, measured here: the leaker's resident memory over the same window
rss() { awk '/^VmRSS:/{print $2 * 1024}' "/proc/$1/status"; }
r0=$(rss $LEAK); t0=$(date +%s%N)
sleep 4
curl -s "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m.prom"
r1=$(rss $LEAK); t1=$(date +%s%N)
truth=$(python3 -c "print(($r1 - $r0) / (($t1 - $t0) / 1e9))")
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_process_memory_leak_suspected pid=$LEAK)" 1 "growing process flagged"
r2=$($CHK get "$T_TMP/m.prom" tshoot_process_memory_growth_r2 pid=$LEAK)
slope=$($CHK get "$T_TMP/m.prom" tshoot_process_memory_growth_bytes_per_second pid=$LEAK)
echo "# leaker: slope $slope B/s (measured by the test: $truth B/s), R^2 $r2"
ok_slope=$(python3 -c "print(abs(float('$slope') - $truth) / $truth < 0.3)")
expect_eq "$ok_slope" True "memory growth rate within 30% of the truth"
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_process_memory_leak_suspected pid=$FLAT)" 0 "flat process not flagged"
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_process_fd_leak_suspected pid=$LEAK)" 1 "fd growth flagged"
expect_grep "alert firing: TshootProcessMemoryLeak: python3 \(pid $LEAK\)" "$T_TMP/w.log" "leak alert logged"
expect_no_grep "TshootProcessMemoryLeak: python3 \(pid $FLAT\)" "$T_TMP/w.log" "no alert for the flat process"
kill -TERM "$W_WATCH"; wait "$W_WATCH"
done_testing
