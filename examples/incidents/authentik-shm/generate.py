#!/usr/bin/env python3
"""Regenerate the authentik-shm example bundle (the founding incident).

The numbers follow what the kernel charges on tmpfs: every non-empty file
takes at least one 4 KiB page, so the pod's default 64 MiB /dev/shm (16,384
pages) holds at most 16,384 session files with data. Sessions are written
~18/min and kept 7 days, so the tmpfs fills ~15 h after the pod starts.
From then on every save fails with ENOSPC *after* the file was created:
the 27,628 further session_* files are empty (0 pages, one inode each),
which is how the postmortem could count ~44k files in 64 MB.
"""
import json, os, random, datetime as dt

random.seed(4)
HERE = os.path.dirname(os.path.abspath(__file__))
T0 = dt.datetime(2026, 3, 2, 8, 0, 0, tzinfo=dt.timezone.utc)        # pod start
RATE = 18                                                             # sessions / min
PAGES = 64 * 1024 * 1024 // 4096                                      # 16384
FULL = T0 + dt.timedelta(minutes=PAGES / RATE - 4)                    # a few pages hold other files
SNAP = FULL + dt.timedelta(hours=44)
NONEMPTY, EMPTY = 16380, 27632
AVG = 2314                                                            # bytes per non-empty session file
POD, NS = "ak-outpost-proxy-7d9c5b8f6-x2kqp", "authentik"
SITES = ["grafana", "gitea", "nextcloud", "jellyfin", "paperless", "vaultwarden", "homeassistant",
         "immich", "wiki", "prometheus", "alertmanager", "minio"]

def iso(t, frac=False):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % t.microsecond if frac else "") + "Z"

def sid():
    return "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(52))

def w(path, text):
    p = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

# --- outpost logs (authentik proxy outpost JSON lines) ---
out, ing = [], []
t = T0
out.append(json.dumps({"event": "Starting authentik outpost", "level": "info", "logger": "authentik.outpost",
                       "timestamp": iso(t), "version": "2025.10.1"}))
out.append(json.dumps({"event": "Successfully connected websocket", "level": "info",
                       "logger": "authentik.outpost.ak-ws", "outpost": "ak-outpost-proxy", "timestamp": iso(t)}))
while t < SNAP:
    t += dt.timedelta(seconds=random.randint(120, 420))
    site = random.choice(SITES)
    host = f"{site}.example.org"
    full = t >= FULL
    if full:
        out.append(json.dumps({"error": f"write /dev/shm/session_{sid()}: no space left on device",
                               "event": "failed to save session before redirect", "level": "warning",
                               "logger": "authentik.outpost.proxyv2.application",
                               "name": f"Provider for {site.capitalize()}", "timestamp": iso(t)}))
    status = 400 if full else random.choice([200, 200, 302])
    out.append(json.dumps({"event": "/", "host": host, "level": "info",
                           "logger": "authentik.outpost.proxyv2.application", "method": "GET",
                           "name": f"Provider for {site.capitalize()}", "remote": f"10.42.0.{random.randint(2, 250)}:{random.randint(30000, 60000)}",
                           "runtime": "%.3f" % random.uniform(0.3, 3.0), "scheme": "https", "size": 0 if full else 113,
                           "status": status, "timestamp": iso(t), "user_agent": "Mozilla/5.0"}))
    ing.append(f'10.42.0.{random.randint(2, 250)} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET / HTTP/2.0" '
               f'{status} {0 if full else 1893} "-" "Mozilla/5.0 (X11; Linux x86_64)" 512 0.{random.randint(2, 90):03d} '
               f'[{NS}-ak-outpost-proxy-9000] [] 10.42.0.15:9000 {0 if full else 1893} 0.{random.randint(2, 90):03d} {status} {sid()[:32].lower()}')
w("logs/outpost/outpost.log", "\n".join(out) + "\n")
w("logs/ingress/access.log", "\n".join(ing) + "\n")

# --- Uptime Kuma metrics: before and during ---
def kuma(ts, down):
    lines = [f"# tshoot-time: {iso(ts)}",
             "# HELP monitor_status Monitor Status (1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)",
             "# TYPE monitor_status gauge"]
    for s in SITES + ["authentik", "router"]:
        st = 0 if (down and s in SITES) else 1
        lines.append(f'monitor_status{{monitor_name="{s}",monitor_type="http",monitor_url="https://{s}.example.org",'
                     f'monitor_hostname="null",monitor_port="null"}} {st}')
    lines.append("# HELP monitor_response_time Monitor Response Time (ms)")
    lines.append("# TYPE monitor_response_time gauge")
    for s in SITES:
        lines.append(f'monitor_response_time{{monitor_name="{s}",monitor_type="http",monitor_url="https://{s}.example.org",'
                     f'monitor_hostname="null",monitor_port="null"}} {random.randint(40, 300)}')
    return "\n".join(lines) + "\n"
w("metrics/uptime-kuma-before.prom", kuma(FULL - dt.timedelta(hours=2), False))
w("metrics/uptime-kuma-during.prom", kuma(FULL + dt.timedelta(hours=1), True))

# --- collect snapshot of the pod ---
cont = {"pid": 41233, "id": "3f9c0e1d2b7a", "pod_uid": "5b0c8d6e-2f41-4c7a-9d3e-8a1b2c3d4e5f",
        "container_name": "proxy", "namespace": NS, "pod": POD}
files = NONEMPTY + EMPTY
snap = {
    "schema": "tshoot.collect/1",
    "host": {"hostname": "k3s-node-2", "kernel": "6.8.0-52-generic", "uptime_s": 1987654, "time": iso(SNAP)},
    "filesystems": [
        {"mountpoint": "/dev/shm", "fstype": "tmpfs", "device": "shm", "size_bytes": 67108864,
         "used_bytes": 67108864, "avail_bytes": 0, "inodes_total": 2031616, "inodes_used": files + 1,
         "used_pct": 100.0, "inodes_used_pct": round(100.0 * (files + 1) / 2031616, 2), "container": cont},
        {"mountpoint": "/", "fstype": "overlay", "device": "overlay", "size_bytes": 104857600000,
         "used_bytes": 43046721536, "avail_bytes": 61810878464, "inodes_total": 6553600, "inodes_used": 412233,
         "used_pct": 41.1, "inodes_used_pct": 6.3, "container": cont},
    ],
    "hotspots": [
        {"dir": "/dev/shm", "prefix": "session_", "count": files, "bytes": NONEMPTY * AVG,
         "oldest_mtime": iso(T0 + dt.timedelta(seconds=40)), "newest_mtime": iso(SNAP - dt.timedelta(seconds=9)),
         "rate_per_min": RATE, "fs_mountpoint": "/dev/shm", "container": cont},
    ],
    "memory": {"total_bytes": 16642998272, "available_bytes": 9123456789, "oom_kills": 0},
    "findings": [
        {"id": "fs.full", "severity": "critical", "subject": "/dev/shm",
         "message": f"/dev/shm (tmpfs, 64 MiB) in pod {NS}/{POD} is 100% full: 0 bytes free",
         "value": 100.0, "threshold": 97},
    ],
}
w("host/outpost-pod.json", json.dumps(snap, indent=2) + "\n")

# --- Kubernetes objects: the pod (no /dev/shm volume), services, ingresses ---
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": POD, "namespace": NS, "labels": {"app.kubernetes.io/name": "ak-outpost-proxy"},
                    "creationTimestamp": iso(T0)},
       "spec": {"containers": [{"name": "proxy", "image": "ghcr.io/goauthentik/proxy:2025.10.1",
                                "ports": [{"containerPort": 9000, "name": "http"}],
                                "volumeMounts": [{"name": "kube-api-access-7xk2p",
                                                  "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                                  "readOnly": True}]}],
                "volumes": [{"name": "kube-api-access-7xk2p", "projected": {"sources": []}}]},
       "status": {"phase": "Running", "startTime": iso(T0),
                  "containerStatuses": [{"name": "proxy", "ready": True, "restartCount": 0,
                                         "state": {"running": {"startedAt": iso(T0)}}}]}}
w("k8s/pods.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod]}, indent=2) + "\n")
ingresses = []
for s in SITES:
    ingresses.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                      "metadata": {"name": s, "namespace": s},
                      "spec": {"rules": [{"host": f"{s}.example.org", "http": {"paths": [
                          {"path": "/", "pathType": "Prefix",
                           "backend": {"service": {"name": "ak-outpost-proxy", "port": {"number": 9000}}}}]}}]}})
w("k8s/ingresses.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": ingresses}, indent=2) + "\n")

w("deps.yaml", "# every protected site goes through the authentik proxy outpost\n" +
  "".join(f"{s}: [ak-outpost-proxy]\n" for s in SITES) + "ingress: [ak-outpost-proxy]\nak-outpost-proxy: [authentik-server]\n")
w("notes.md", f"""# Reporter's notes

- Since {FULL.strftime('%a %H:%M')} UTC every site behind Authentik answers HTTP 400; logging in again does not help.
- Uptime Kuma shows 12 of 14 monitors down at once; authentik itself and the router are up.
- We suspected the per-user settings and the worker deployed that afternoon.
- The outpost stores its sessions as files; sessions are kept 7 days (token validity).
""")
w("expected.json", json.dumps({"top": "disk_full"}) + "\n")
