#!/bin/sh
# A process with its own root (chroot) and mount namespace, i.e. a container:
# symlinks planted inside it must not make collect read or scan host files.
# /etc/hostname -> an absolute host path, /dev/shm/escape -> a host directory.
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || skip_all "unshare(1) not installed"
unshare -m --propagation private true 2>"$T_TMP/uerr" ||
    skip_all "creating a mount namespace is not permitted here: $(head -1 "$T_TMP/uerr")"

root="$T_TMP/croot"
mkdir -p "$root/etc" "$root/bin" "$root/dev/shm" "$root/tmp"
# the dynamic loader and libraries of sleep(1), so it runs inside the root
for f in /bin/sleep $(ldd /bin/sleep | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$f")"
    cp "$f" "$root$f" || skip_all "cannot copy $f into the test root"
done
secret="$T_TMP/host-secret"
echo "HOSTSECRET-4242" >"$secret"
mkdir -p "$T_TMP/hostdir"
i=0
while [ $i -lt 30 ]; do : >"$T_TMP/hostdir/hostonly_$i"; i=$((i + 1)); done
ln -s "$secret" "$root/etc/hostname"
ready="$T_TMP/ready"
unshare -m --propagation private sh -c '
    mount -t tmpfs -o size=1m tmpfs "$1/dev/shm" || exit 1
    ln -s "$2" "$1/dev/shm/escape"
    i=0
    while [ $i -lt 25 ]; do : >"$1/dev/shm/lock-$i"; i=$((i + 1)); done
    : >"$3"
    exec unshare --root="$1" /bin/sleep 30' sh "$root" "$T_TMP/hostdir" "$ready" &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    t_cleanup
}
trap cleanup EXIT
n=0
while [ ! -e "$ready" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.3
[ -e "$ready" ] || skip_all "the namespaced process could not set up its root"
[ "$(readlink "/proc/$pid/root")" = "$root" ] || skip_all "could not chroot the test process"

expect_exit 0 "collect --json" -- "$TSHOOT" collect --json -o "$T_TMP/c.json"
j="$T_TMP/c.json"
ct="[c for c in d['containers']['list'] if c['pid'] == $pid]"
expect_eq "$(json_get "$j" "len($ct)")" 1 "the chrooted namespace is seen"
expect_eq "$(json_get "$j" "$ct[0]['hostname']")" None "its /etc/hostname symlink to a host file is not followed"
expect_no_grep "HOSTSECRET" "$j" "the host file's content is nowhere in the snapshot"
fs="[f for f in d['filesystems'] if f['container'] and f['container']['pid'] == $pid and f['mountpoint'] == '/dev/shm']"
expect_eq "$(json_get "$j" "$fs[0]['size_bytes']")" 1048576 "its /dev/shm is sized inside its root"
scan="[s for s in d['scans'] if s['container'] and s['container']['pid'] == $pid]"
expect_eq "$(json_get "$j" "$scan[0]['files']")" 26 "25 files and one symlink in its /dev/shm"
expect_eq "$(json_get "$j" "$scan[0]['unscanned']['symlinks_not_followed']")" 1 "the symlink is counted"
expect_eq "$(json_get "$j" "[h['prefix'] for h in d['hotspots'] if h['container'] and h['container']['pid'] == $pid]")" "['lock-']" "hot spot inside the container"
expect_no_grep "hostonly_" "$j" "the host directory behind the symlink is not scanned"
done_testing
