#!/bin/sh
# A tmpfs half full of session files written over the last 10 minutes:
# collect projects when it runs out at that rate (fills_in_s, fs.filling).
. "$(dirname "$0")/lib.sh"

mnt="$T_TMP/shm"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=1m,mode=700 tmpfs "$mnt" 2>"$T_TMP/merr"; then
    skip_all "mounting a tmpfs is not permitted here: $(head -1 "$T_TMP/merr")"
fi
trap 'umount "$mnt" 2>/dev/null; t_cleanup' EXIT

# 128 files of one page each (512 KiB of 1 MiB), one every 4.7 s over 10 min
now=$(date +%s)
i=0
while [ $i -lt 128 ]; do
    printf 'x' >"$mnt/session_$i"
    touch -d "@$((now - 600 + i * 600 / 127))" "$mnt/session_$i"
    i=$((i + 1))
done
expect_exit 0 "collect --json" -- "$TSHOOT" collect --json --no-containers -o "$T_TMP/c.json"
j="$T_TMP/c.json"
hot="[h for h in d['hotspots'] if h['fs_mountpoint'] == '$mnt'][0]"
expect_eq "$(json_get "$j" "$hot['count']")" 128 "all files counted"
expect_eq "$(json_get "$j" "round($hot['rate_per_min'])")" 13 "rate ~12.8 files/min from the mtimes"
# 512 KiB left at 12.8 pages/min: ~10 minutes
expect_eq "$(json_get "$j" "500 < $hot['fills_in_s'] < 700")" True "fills in ~600 s"
f="[f for f in d['findings'] if f['id'] == 'fs.filling' and f['subject'] == '$mnt']"
expect_eq "$(json_get "$j" "$f[0]['severity']")" critical "fs.filling is critical (under an hour)"
expect_eq "$(json_get "$j" "'session_' in $f[0]['message']")" True "the finding names the prefix"
expect_eq "$(json_get "$j" "any(f['id'] in ('fs.full', 'fs.nearly_full', 'fs.hotspot') and f['subject'] == '$mnt' for f in d['findings'])")" False "not full yet: no fullness or hot-spot finding"
expect_exit 0 "human summary" -- "$TSHOOT" collect --no-containers
expect_grep "session_\* +512K +[0-9.]+ +[0-9]+m[0-9]+s" "$T_TMP/out" "hot spot row shows when it fills"
done_testing
