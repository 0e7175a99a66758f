#!/usr/bin/env python3
"""The founding incident, replayed: fill a (caller-mounted) tmpfs with
session_* files at a steady rate until ENOSPC while `tshoot watch` samples it,
then measure how early watch alerted and how good its prediction was.

usage: incident.py --dir DIR --rate FILES_PER_S --file-size BYTES
                   --metrics URL --log WATCH_STDERR [--timeout S] [--out JSON]

Prints one JSON object: t_fill (true time from the first write to ENOSPC),
alert (first alert for DIR in the watch log), lead_s and lead_ratio
(lead / t_fill), half (the prediction read from /metrics when the tmpfs was
first seen at least half full: predicted_s, truth_s, error = |p - t| / t).
"""
import argparse
import errno
import json
import os
import re
import threading
import time
import urllib.request
from datetime import datetime

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--rate", type=float, required=True)
ap.add_argument("--file-size", type=int, default=4096)
ap.add_argument("--metrics", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--timeout", type=float, default=300)
ap.add_argument("--out")
a = ap.parse_args()

SAMPLE = re.compile(r'^(\w+)\{(.*)\} (\S+)$')
polls = []  # (t, used_frac, predicted_s)
stop = threading.Event()


def poll():
    while not stop.is_set():
        t = time.time()
        try:
            body = urllib.request.urlopen(a.metrics, timeout=2).read().decode()
        except Exception:
            time.sleep(0.2)
            continue
        vals = {}
        for line in body.splitlines():
            m = SAMPLE.match(line)
            if m and f'mountpoint="{a.dir}"' in m.group(2):
                vals.setdefault(m.group(1), float(m.group(3).replace("Inf", "inf")))
        if "tshoot_fs_size_bytes" in vals and vals["tshoot_fs_size_bytes"] > 0:
            used = 1 - vals["tshoot_fs_avail_bytes"] / vals["tshoot_fs_size_bytes"]
            polls.append((t, used, vals.get("tshoot_fs_predicted_full_seconds", float("inf"))))
        time.sleep(0.2)


th = threading.Thread(target=poll, daemon=True)
th.start()
time.sleep(1.0)  # a few empty samples first: the baseline

data = b"s" * a.file_size
t_start = time.time()
t_full = None
i = 0
while time.time() - t_start < a.timeout:
    due = t_start + i / a.rate
    now = time.time()
    if due > now:
        time.sleep(due - now)
    name = os.path.join(a.dir, "session_%08x%08x" % (i, int.from_bytes(os.urandom(4), "big")))
    try:
        with open(name, "wb") as f:
            f.write(data)
    except OSError as e:
        if e.errno == errno.ENOSPC:
            t_full = time.time()
            break
        raise
    i += 1
time.sleep(0.5)
stop.set()
th.join(3)

alert = None
stamp = re.compile(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z\] alert firing: (\w+): (.*)")
for line in open(a.log, errors="replace"):
    m = stamp.search(line)
    if m and a.dir in m.group(3):
        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp() - time.timezone
        alert = {"name": m.group(2), "time": t, "text": m.group(3)}
        break

res = {"files": i, "t_fill": None, "alert": alert, "lead_s": None, "lead_ratio": None, "half": None,
       "polls": len(polls)}
if t_full:
    res["t_fill"] = t_full - t_start
    if alert:
        res["lead_s"] = t_full - alert["time"]
        res["lead_ratio"] = res["lead_s"] / res["t_fill"]
    for t, used, pred in polls:
        if used >= 0.5 and t < t_full:
            truth = t_full - t
            res["half"] = {"used": used, "predicted_s": pred, "truth_s": truth,
                           "error": abs(pred - truth) / truth if pred != float("inf") else None}
            break
out = json.dumps(res, indent=1, default=str)
if a.out:
    open(a.out, "w").write(out + "\n")
print(out)
