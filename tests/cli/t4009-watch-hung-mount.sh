#!/bin/sh
# A hung filesystem (a FUSE server that never answers, like a dead NFS
# server) never blocks a sample: its statvfs runs on a worker thread, misses
# the deadline and is reported late; the healthy filesystems keep being
# measured; SIGTERM still exits within a second.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
CHK="python3 $SRCDIR/tests/cli/watch_check.py"

mkdir -p "$T_TMP/mnt/hung"
mount_tmpfs "$T_TMP/mnt/ok" 1m
# only watch and its probe processes are left hanging; anyone else gets EIO
python3 "$SRCDIR/tests/cli/hung_fuse.py" "$T_TMP/mnt/hung" "$T_TMP/ready" "$T_TMP/watch.pid" 2>"$T_TMP/fuse.err" &
FUSE=$!
W_PIDS="$FUSE $W_PIDS"
W_MOUNTS="$T_TMP/mnt/hung $W_MOUNTS"
n=0
while [ ! -f "$T_TMP/ready" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$T_TMP/ready" ] || skip_all "cannot mount a FUSE filesystem: $(cat "$T_TMP/fuse.err")"

PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount "$T_TMP/mnt/*" --no-processes --interval 500ms --probe-timeout 200ms \
    --listen "127.0.0.1:$PORT"
echo "$W_WATCH" >"$T_TMP/watch.pid"
if wait_http "http://127.0.0.1:$PORT/healthz" 10; then ok "serving despite the hung mount"; else not_ok "serving despite the hung mount"; fi
sleep 2.5
curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" >"$T_TMP/m.prom"
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_fs_probe_late mountpoint="$T_TMP/mnt/hung")" 1 "hung mount reported late"
late=$($CHK get "$T_TMP/m.prom" tshoot_fs_probe_late_seconds mountpoint="$T_TMP/mnt/hung")
ok_late=$(python3 -c "print(float('$late') >= 1.5)")
expect_eq "$ok_late" True "late for ${late%.*}+ s and counting"
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_fs_size_bytes mountpoint="$T_TMP/mnt/ok")" 1048576 "healthy tmpfs still measured"
expect_eq "$($CHK get "$T_TMP/m.prom" tshoot_fs_probe_late mountpoint="$T_TMP/mnt/ok")" 0 "healthy tmpfs not late"
samples=$($CHK get "$T_TMP/m.prom" tshoot_watch_samples_total)
if [ "${samples:-0}" -ge 5 ]; then ok "sampling goes on ($samples samples in ~3 s)"; else not_ok "sampling goes on ($samples samples)"; fi
dur=$($CHK get "$T_TMP/m.prom" tshoot_watch_sample_duration_seconds)
ok_dur=$(python3 -c "print(float('$dur') < 0.45)")
expect_eq "$ok_dur" True "a sample stays within its deadline (${dur} s)"
t0=$(date +%s%N)
kill -TERM "$W_WATCH"; wait "$W_WATCH"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "$rc" 0 "SIGTERM exit status with a probe stuck"
if [ "$ms" -lt 1000 ]; then ok "SIGTERM exit in ${ms} ms with a probe stuck"; else not_ok "SIGTERM exit took ${ms} ms"; fi
# other processes are not held (the mount must not hang the machine's other tools)
t0=$(date +%s%N)
timeout 5 stat -f "$T_TMP/mnt/hung" >/dev/null 2>&1; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" -ne 124 ] && [ "$ms" -lt 2000 ]; then ok "other processes get an error at once (${ms} ms)"; else not_ok "stat -f of the test mount hung (rc $rc)"; fi
kill "$FUSE" 2>/dev/null
done_testing
