#!/bin/sh
# A real 1 MiB tmpfs filled with session_* files until ENOSPC: collect must
# report it full, count every file and name session_ as the dominant prefix.
. "$(dirname "$0")/lib.sh"

mnt="$T_TMP/shm"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=1m,mode=700 tmpfs "$mnt" 2>"$T_TMP/merr"; then
    skip_all "mounting a tmpfs is not permitted here: $(head -1 "$T_TMP/merr")"
fi
trap 'umount "$mnt" 2>/dev/null; t_cleanup' EXIT

# a few other files first, then sessions until the file system refuses
for i in 1 2 3; do echo x >"$mnt/other-$i.log"; done
i=0
while printf '%0300d' "$i" >"$mnt/session_$i" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 100000 ] || break
done
total=$(ls -A "$mnt" | wc -l | tr -d ' ')
sessions=$(ls -A "$mnt" | grep -c '^session_')
echo "# wrote $i session files before ENOSPC; $total entries in the tmpfs"
expect_eq "$([ "$i" -gt 100 ] && [ "$i" -lt 100000 ] && echo yes)" yes "tmpfs filled up (ENOSPC reached)"

expect_exit 0 "collect --json" -- "$TSHOOT" collect --json --no-containers -o "$T_TMP/c.json"
j="$T_TMP/c.json"
fs="[f for f in d['filesystems'] if f['mountpoint'] == '$mnt'][0]"
expect_eq "$(json_get "$j" "$fs['fstype']")" tmpfs "the tmpfs is listed"
expect_eq "$(json_get "$j" "$fs['size_bytes']")" 1048576 "its size is 1 MiB"
expect_eq "$(json_get "$j" "$fs['avail_bytes']")" 0 "nothing available"
expect_eq "$(json_get "$j" "$fs['container'] is None")" True "it is the host's own"
expect_eq "$(json_get "$j" "any(f['id'] in ('fs.full', 'fs.inodes_full') and f['subject'] == '$mnt' and f['severity'] == 'critical' for f in d['findings'])")" True "critical fs.full finding for it"
scan="[s for s in d['scans'] if s['path'] == '$mnt'][0]"
expect_eq "$(json_get "$j" "$scan['files']")" "$total" "exact file count ($total, as ls counts)"
expect_eq "$(json_get "$j" "$scan['truncated']")" False "scan complete"
hot="[h for h in d['hotspots'] if h['fs_mountpoint'] == '$mnt']"
expect_eq "$(json_get "$j" "$hot[0]['prefix']")" session_ "session_ is the dominant prefix"
expect_eq "$(json_get "$j" "$hot[0]['count']")" "$sessions" "session_ count ($sessions)"
expect_eq "$(json_get "$j" "$hot[0]['dir']")" "$mnt" "hot spot directory"
expect_eq "$(json_get "$j" "any(f['id'] == 'fs.hotspot' and 'session_' in f['message'] for f in d['findings'])")" True "hot spot finding explains the full fs"

# human output: findings come first, the mount is shown full
expect_exit 0 "human summary" -- "$TSHOOT" collect --no-containers
expect_grep "fs\.full +$mnt is full" "$T_TMP/out" "fs.full in the summary"
first_finding=$(grep -n 'fs.full' "$T_TMP/out" | head -1 | cut -d: -f1)
fs_header=$(grep -n '^FILESYSTEMS' "$T_TMP/out" | cut -d: -f1)
expect_eq "$([ "$first_finding" -lt "$fs_header" ] && echo yes)" yes "findings come before the file system table"
expect_grep "session_\*" "$T_TMP/out" "hot spot in the summary"
expect_no_grep "$(printf '\033')" "$T_TMP/out" "no colour with NO_COLOR"
# monitoring-plugin mode: critical
expect_exit 2 "--check is critical" -- "$TSHOOT" collect --check --no-containers
expect_grep '^COLLECT CRITICAL' "$T_TMP/out" "--check status line"
done_testing
