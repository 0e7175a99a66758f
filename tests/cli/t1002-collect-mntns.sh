#!/bin/sh
# A process in its own mount namespace with its own tmpfs at /dev/shm:
# collect finds it through /proc/PID/root and labels it with the process's
# container identity (a docker-shaped cgroup the test puts it in).
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || skip_all "unshare(1) not installed"
unshare -m --propagation private true 2>"$T_TMP/uerr" ||
    skip_all "creating a mount namespace is not permitted here: $(head -1 "$T_TMP/uerr")"

cid=$(printf '%064x' 0 | sed 's/^0\{8\}/feedbeef/')
ready="$T_TMP/ready"
# unshare execs sh, which execs sleep: $! stays the namespace's process
unshare -m --propagation private sh -c '
    mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 1
    i=0
    while [ $i -lt 40 ]; do : >/dev/shm/session_$i; i=$((i + 1)); done
    : >"$1"
    exec sleep 30' sh "$ready" &
pid=$!
cg=""
cleanup() {
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -n "$cg" ] && rmdir "$cg" 2>/dev/null
    [ -n "$cgparent" ] && rmdir "$cgparent" 2>/dev/null
    t_cleanup
}
cgparent=""
trap cleanup EXIT
n=0
while [ ! -e "$ready" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
[ -e "$ready" ] || skip_all "the namespaced process could not mount its tmpfs"

# Give it a container identity: a cgroup shaped like docker's (/docker/<id>)
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then base=/sys/fs/cgroup
elif [ -d /sys/fs/cgroup/pids ]; then base=/sys/fs/cgroup/pids
else base=""; fi
labelled=no
if [ -n "$base" ]; then
    [ -d "$base/docker" ] || { mkdir "$base/docker" 2>/dev/null && cgparent="$base/docker"; }
    if mkdir "$base/docker/$cid" 2>/dev/null; then
        cg="$base/docker/$cid"
        echo "$pid" >"$cg/cgroup.procs" 2>/dev/null && labelled=yes
    fi
fi

expect_exit 0 "collect --json" -- "$TSHOOT" collect --json -o "$T_TMP/c.json"
j="$T_TMP/c.json"
fs="[f for f in d['filesystems'] if f['mountpoint'] == '/dev/shm' and f['container'] and f['container']['pid'] == $pid]"
expect_eq "$(json_get "$j" "len($fs)")" 1 "the namespace's /dev/shm is listed once, with container.pid == $pid"
expect_eq "$(json_get "$j" "$fs[0]['size_bytes']")" 1048576 "sized through /proc/$pid/root (1 MiB)"
expect_eq "$(json_get "$j" "$fs[0]['fstype']")" tmpfs "it is a tmpfs"
expect_eq "$(json_get "$j" "$fs[0]['container']['comm']")" sleep "labelled with the process name"
if [ "$labelled" = yes ]; then
    expect_eq "$(json_get "$j" "$fs[0]['container']['id']")" "$cid" "labelled with the container id from its cgroup"
    expect_eq "$(json_get "$j" "$fs[0]['container']['runtime']")" docker "runtime docker"
else
    echo "# could not move the process into a docker-shaped cgroup: identity not checked"
fi
hot="[h for h in d['hotspots'] if h['container'] and h['container']['pid'] == $pid]"
expect_eq "$(json_get "$j" "$hot[0]['prefix']")" session_ "hot spot inside the namespace's tmpfs"
expect_eq "$(json_get "$j" "$hot[0]['count']")" 40 "all 40 files counted"
expect_eq "$(json_get "$j" "any(f['mountpoint'] == '/dev/shm' and f['container'] is None for f in d['filesystems'])")" True "the host's own /dev/shm is still listed separately"
# --no-containers leaves it out
expect_exit 0 "collect --no-containers" -- "$TSHOOT" collect --json --no-containers -o "$T_TMP/n.json"
expect_eq "$(json_get "$T_TMP/n.json" "any(f['container'] for f in d['filesystems'])")" False "no container mounts with --no-containers"
done_testing
