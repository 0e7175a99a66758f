#!/usr/bin/env python3
"""Journal export format (systemd's JOURNAL_EXPORT_FORMAT) for the journal
tests, on stdout; systemd-journal-remote turns it into a real journal file.

    journal_export.py web      web.service, init.scope, kernel, cron entries
    journal_export.py db       db.service entries (one 100 KB message)
    journal_export.py founding the founding incident's outpost log as a unit
    journal_export.py corrupt FILE   overwrite the size of the entry objects in
                               the second half of a journal file (in place)

Text fields are KEY=value lines; a value with a newline or NUL is KEY\\n,
its length as little-endian 64-bit, the bytes, \\n. Entries end with a
blank line.
"""
import json
import os
import struct
import sys
from datetime import datetime, timezone

BOOT = "0123456789abcdef0123456789abcdef"
MACHINE = "fedcba9876543210fedcba9876543210"
out = sys.stdout.buffer
seq = [0]


def usec(s):
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) * 1000000


def field(k, v):
    if isinstance(v, str):
        v = v.encode()
    if b"\n" in v or b"\0" in v:
        out.write(k.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n")
    else:
        out.write(k.encode() + b"=" + v + b"\n")


def entry(when, fields):
    seq[0] += 1
    t = usec(when)
    field("__REALTIME_TIMESTAMP", str(t))
    # one boot since midnight: entries of one boot are merged by monotonic time
    field("__MONOTONIC_TIMESTAMP", str(t - usec(when[:10] + "T00:00:00Z") + seq[0]))
    field("_BOOT_ID", BOOT)
    field("_MACHINE_ID", MACHINE)
    field("_HOSTNAME", "node1")
    for k, v in fields:
        field(k, v)
    out.write(b"\n")


def unit(u, ident, prio, msg, transport="stdout"):
    return [("_SYSTEMD_UNIT", u), ("SYSLOG_IDENTIFIER", ident), ("_COMM", ident),
            ("_TRANSPORT", transport), ("PRIORITY", str(prio)), ("MESSAGE", msg)]


def web():
    entry("2026-04-18T10:00:00Z", unit("web.service", "web", 6, "started web server on port 8080"))
    for i in range(3):
        entry("2026-04-18T10:0%d:00Z" % (i + 1),
              unit("web.service", "web", 3, "upstream request failed: connection refused to 10.0.0.%d" % (i + 1), "journal"))
    entry("2026-04-18T10:04:00Z", unit("web.service", "web", 4, "slow response from backend in 2500 ms", "journal"))
    # binary MESSAGE: a NUL and a newline inside
    entry("2026-04-18T10:05:00Z", unit("web.service", "web", 3, b"bad frame\x00 from client\nsecond line", "journal"))
    entry("2026-04-18T10:06:00Z", unit("web.service", "web", 3, "login failed for user admin password=hunter2", "journal"))
    # stdout stream: PRIORITY=6 says nothing, the message's own level counts
    entry("2026-04-18T10:07:00Z", unit("web.service", "web", 6, "ERROR cache write failed: disk quota exceeded"))
    # systemd about the unit
    entry("2026-04-18T10:08:00Z", [("_SYSTEMD_UNIT", "init.scope"), ("_PID", "1"), ("UNIT", "web.service"),
                                    ("SYSLOG_IDENTIFIER", "systemd"), ("_COMM", "systemd"), ("PRIORITY", "3"),
                                    ("MESSAGE", "web.service: Main process exited, code=exited, status=1/FAILURE")])
    # no unit: SYSLOG_IDENTIFIER, then _COMM
    entry("2026-04-18T10:20:00Z", [("SYSLOG_IDENTIFIER", "kernel"), ("_TRANSPORT", "kernel"), ("PRIORITY", "3"),
                                    ("MESSAGE", "EXT4-fs error (device sda1): ext4_find_entry: reading directory lblock 0")])
    entry("2026-04-18T10:21:00Z", [("_COMM", "cron"), ("PRIORITY", "4"), ("MESSAGE", "job backup took too long")])
    # no MESSAGE at all: skipped
    entry("2026-04-18T10:22:00Z", [("_SYSTEMD_UNIT", "web.service"), ("PRIORITY", "3"), ("CODE_LINE", "42")])


def db():
    entry("2026-04-18T10:10:00Z", unit("db.service", "postgres", 2, "checkpoint failed: " + "x" * 100000, "journal"))
    for i in range(2):
        entry("2026-04-18T10:1%d:00Z" % (i + 1),
              unit("db.service", "postgres", 3, "could not write block %d of relation base/16384: I/O error" % (100 + i), "journal"))
    entry("2026-04-18T10:13:00Z", unit("db.service", "postgres", 5, "database system is ready to accept connections", "journal"))


def founding():
    here = os.path.dirname(os.path.abspath(__file__))
    log = os.path.join(here, "../../examples/incidents/authentik-shm/logs/outpost/outpost.log")
    with open(log) as f:
        for line in f:
            line = line.rstrip("\n")
            try:
                ts = json.loads(line).get("timestamp", "")
            except ValueError:
                continue
            if len(ts) != 20:
                continue
            entry(ts, unit("authentik-outpost.service", "outpost", 6, line))


def corrupt(path):
    with open(path, "r+b") as f:
        d = bytearray(f.read())
        hsize, = struct.unpack_from("<Q", d, 88)
        tail, = struct.unpack_from("<Q", d, 136)
        entries = []
        p = hsize
        while p <= tail:
            typ = d[p]
            size, = struct.unpack_from("<Q", d, p + 8)
            if size < 16:
                break
            if typ == 3:  # OBJECT_ENTRY
                entries.append(p)
            p += (size + 7) & ~7
        for p in entries[len(entries) // 2:]:
            struct.pack_into("<Q", d, p + 8, 0xFFFFFFFFFFFF)
        f.seek(0)
        f.write(d)
    print(len(entries) - len(entries) // 2)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "corrupt":
        corrupt(sys.argv[2])
    else:
        {"web": web, "db": db, "founding": founding}[what]()
