#!/usr/bin/env python3
"""Check deploy/: every YAML parses; the DaemonSet, Service, ServiceMonitor,
scrape configs and systemd unit agree with each other and with the binary
(port 9877, /metrics, /healthz, the least privileges). Prints the argument
lists to try with the binary on stdout as 'ARGS <tab-separated args>' lines;
problems as 'FAIL ...' lines; exit 1 on any.
usage: deploy_check.py DEPLOY_DIR"""
import glob
import os
import shlex
import sys

import yaml

d = sys.argv[1]
fails = []
docs = {}
for path in sorted(glob.glob(os.path.join(d, "**", "*.y*ml"), recursive=True)):
    try:
        docs[path] = [x for x in yaml.safe_load_all(open(path)) if x is not None]
    except yaml.YAMLError as e:
        fails.append(f"{path}: does not parse: {e}")
print(f"parsed {len(docs)} YAML files")

objs = [o for ds in docs.values() for o in ds if isinstance(o, dict) and "kind" in o]
by_kind = {}
for o in objs:
    by_kind.setdefault(o["kind"], []).append(o)

PORT = 9877
ds = by_kind.get("DaemonSet", [None])[0]
if not ds:
    fails.append("no DaemonSet")
else:
    spec = ds["spec"]["template"]["spec"]
    if spec.get("hostPID") is not True:
        fails.append("DaemonSet without hostPID")
    c = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    if ports.get("metrics") != PORT:
        fails.append(f"container port 'metrics' is {ports.get('metrics')}, not {PORT}")
    args = c.get("args", [])
    if args[:1] != ["watch"]:
        fails.append("container does not run 'watch'")
    listen = [a for a in args if a.startswith("--listen")]
    if not listen or not listen[0].endswith(f":{PORT}"):
        fails.append(f"--listen does not use port {PORT}: {listen}")
    print("ARGS\t" + "\t".join(args))
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    if caps.get("drop") != ["ALL"]:
        fails.append("capabilities not dropped")
    if not set(caps.get("add", [])) <= {"SYS_PTRACE", "DAC_READ_SEARCH"}:
        fails.append(f"extra capabilities: {caps.get('add')}")
    if sc.get("privileged"):
        fails.append("privileged container")
    if sc.get("readOnlyRootFilesystem") is not True:
        fails.append("root filesystem not read-only")
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    host_root = [n for n, v in vols.items() if v.get("hostPath", {}).get("path") == "/"]
    if not host_root or mounts.get(host_root[0], {}).get("readOnly") is not True:
        fails.append("host root not mounted read-only")
    res = c.get("resources", {})
    for k in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in res.get(k, {}):
                fails.append(f"resources.{k}.{r} missing")
    for probe in ("readinessProbe", "livenessProbe"):
        hg = c.get(probe, {}).get("httpGet", {})
        if hg.get("path") != "/healthz" or hg.get("port") not in ("metrics", PORT):
            fails.append(f"{probe} is not /healthz on the metrics port")

for svc in by_kind.get("Service", []):
    p = svc["spec"]["ports"][0]
    if p.get("name") != "metrics" or p.get("port") != PORT:
        fails.append(f"Service port is {p}")
for sm in by_kind.get("ServiceMonitor", []):
    ep = sm["spec"]["endpoints"][0]
    if ep.get("port") != "metrics" or ep.get("path", "/metrics") != "/metrics":
        fails.append(f"ServiceMonitor endpoint is {ep}")
if not by_kind.get("ServiceMonitor"):
    fails.append("no ServiceMonitor")

scrape_files = 0
for path, ds_ in docs.items():
    for doc in ds_:
        if isinstance(doc, dict) and "scrape_configs" in doc:
            scrape_files += 1
            for job in doc["scrape_configs"]:
                for st in job.get("static_configs", []):
                    for t in st["targets"]:
                        if not t.endswith(f":{PORT}"):
                            fails.append(f"{path}: target {t} not on port {PORT}")
                if job.get("metrics_path", "/metrics") != "/metrics":
                    fails.append(f"{path}: metrics_path")
if scrape_files < 2:
    fails.append("expected a static and a kubernetes scrape config")

units = glob.glob(os.path.join(d, "systemd", "*.service"))
if not units:
    fails.append("no systemd unit")
for u in units:
    text = open(u).read()
    ex = [l.split("=", 1)[1] for l in text.splitlines() if l.startswith("ExecStart=")]
    if not ex:
        fails.append(f"{u}: no ExecStart")
        continue
    argv = shlex.split(ex[0])
    if argv[1:2] != ["watch"]:
        fails.append(f"{u}: ExecStart does not run watch")
    if not any(a.endswith(f":{PORT}") for a in argv):
        fails.append(f"{u}: not listening on {PORT}")
    if "CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" not in text:
        fails.append(f"{u}: capability bounding set is not the minimal one")
    if "ExecReload=/bin/kill -HUP $MAINPID" not in text:
        fails.append(f"{u}: reload does not send SIGHUP")
    print("ARGS\t" + "\t".join(argv[1:]))

for f in fails:
    print("FAIL " + f)
sys.exit(1 if fails else 0)
