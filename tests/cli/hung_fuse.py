#!/usr/bin/env python3
"""A FUSE filesystem that never answers tshoot watch: it mounts DIR through
/dev/fuse, completes the INIT handshake, then leaves every request of the
process named in PID_FILE (and of its children: watch's probe processes)
unanswered, so their statvfs(DIR) blocks in the kernel like on a dead NFS
server. Every other process gets EIO at once: on a shared machine a `df` or
another tool's test must not hang on our test mount.
usage: hung_fuse.py DIR READY_FILE PID_FILE  (root; exits after 30 s or on
SIGTERM, which closes /dev/fuse and aborts the connection: blocked callers
get ENOTCONN)
"""
import ctypes
import os
import signal
import struct
import sys

target, ready, pidfile = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
MS_NOSUID, MS_NODEV = 2, 4
if libc.mount(b"hungfs", target.encode(), b"fuse", MS_NOSUID | MS_NODEV, opts) != 0:
    e = ctypes.get_errno()
    sys.exit(f"mount: {os.strerror(e)}")
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))

FUSE_INIT = 26
buf = os.read(fd, 1 << 20)
length, opcode, unique = struct.unpack_from("<IIQ", buf, 0)
if opcode != FUSE_INIT:
    sys.exit(f"expected INIT, got opcode {opcode}")
major, minor, max_readahead, flags = struct.unpack_from("<IIII", buf, 40)
minor = min(minor, 31)
init_out = struct.pack("<IIIIHHIIHHI7I", 7, minor, max_readahead, 0, 16, 12, 65536, 1, 0, 0, 0,
                       *([0] * 7))
os.write(fd, struct.pack("<IiQ", 16 + len(init_out), 0, unique) + init_out)
with open(ready, "w") as f:
    f.write("ready\n")
NO_REPLY = {2, 36, 42}  # FORGET, INTERRUPT, BATCH_FORGET


def victim(pid):
    try:
        want = int(open(pidfile).read().strip())
    except (OSError, ValueError):
        return False
    if pid == want:
        return True
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("PPid:"):
                return int(line.split()[1]) == want
    except OSError:
        pass
    return False


signal.signal(signal.SIGALRM, lambda *a: sys.exit(0))
signal.alarm(30)
while True:
    try:
        buf = os.read(fd, 1 << 20)
    except OSError:
        break
    length, opcode, unique, nodeid, uid, gid, pid = struct.unpack_from("<IIQQIII", buf, 0)
    if opcode in NO_REPLY or victim(pid):
        continue  # left unanswered
    os.write(fd, struct.pack("<IiQ", 16, -5, unique))  # EIO
