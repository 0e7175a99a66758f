#!/usr/bin/env python3
"""Inputs for tests/cli/t2203-patterns-par.sh: several log files whose
templates are shared between files, with variables that only show as
variables across files (two values in one file, two more in the next), so a
split over worker threads must merge what one miner would have found.

usage: gen.py OUTDIR   (deterministic: no randomness, no clock)
"""
import gzip, os, sys

out = sys.argv[1]
os.makedirs(os.path.join(out, "rotated"), exist_ok=True)

users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
states = ["RUNNING", "PENDING", "FAILED", "STOPPED", "UNKNOWN", "DRAINING"]
verbs = ["GET", "PUT", "POST", "DELETE", "PATCH"]


def stamp(i):
    return "2026-03-%02d %02d:%02d:%02d" % (1 + i // 86400 % 28, i // 3600 % 24, i // 60 % 60, i % 60)


def lines(k, n):
    """n lines of file k: a mix of templates, values drawn by file."""
    res = []
    for i in range(n):
        j = k * 100000 + i * 37
        t = i % 9
        if t == 0:
            res.append("%s INFO sshd[%d]: Accepted password for %s from 10.%d.%d.%d port %d ssh2" %
                       (stamp(j), 1000 + i, users[(2 * k + i % 2) % 8], k, i % 250, i % 7, 40000 + i))
        elif t == 1:
            res.append("%s WARN node node-%d state changed to %s" %
                       (stamp(j), i % 13, states[(2 * k + i % 2) % 6]))
        elif t == 2:
            res.append("%s INFO http %s /api/v1/items/%d 200 %dms" %
                       (stamp(j), verbs[(k + i % 2) % 5], i * 7, i % 300))
        elif t == 3:
            res.append("%s ERROR db connection to pg-%s.internal lost after %d s" %
                       (stamp(j), users[(k + i % 2) % 8], i % 90))
        elif t == 4:
            res.append("%s INFO Received block blk_%d of size %d from /10.0.%d.%d" %
                       (stamp(j), 10 ** 9 + j, 67108864 - i, k, i % 200))
        elif t == 5:
            res.append("%s DEBUG cache %s hit ratio %d.%02d" %
                       (stamp(j), ["sessions", "tokens", "pages", "images"][(k + i) % 4], i % 100, i % 97))
        elif t == 6:
            res.append("%s INFO worker-%d finished job %08x in %d ms" % (stamp(j), k, j, i % 1000))
        elif t == 7:
            res.append("%s INFO unique event %s-%d only in file %d" % (stamp(j), "ev", i // 9 % 3, k))
        else:
            res.append("%s WARN disk /dev/sd%s %d%% full" % (stamp(j), "abcdefgh"[(2 * k + i % 2) % 8], 50 + i % 50))
    return res


for k in range(5):
    with open(os.path.join(out, "part%d.log" % k), "w") as f:
        f.write("\n".join(lines(k, 400 + 50 * k)) + "\n")
with gzip.GzipFile(os.path.join(out, "part5.log.gz"), "wb", mtime=0) as f:
    f.write(("\n".join(lines(5, 300)) + "\n").encode())
with open(os.path.join(out, "rotated", "app.log.1"), "w") as f:
    f.write("\n".join(lines(6, 200)) + "\n")
with open(os.path.join(out, "rotated", "app.log"), "w") as f:
    f.write("\n".join(lines(7, 200)) + "\n")
