# Helpers for the t4xxx watch/metrics/alerts tests: free ports, real servers
# (tshoot watch, Debian's prometheus and prometheus-alertmanager) on
# 127.0.0.1, always stopped on exit. Source after lib.sh.

W_PIDS=""
w_cleanup() {
    for p in $W_PIDS; do kill "$p" 2>/dev/null; done
    for p in $W_PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    for m in $W_MOUNTS; do umount -l "$m" 2>/dev/null; done
    rm -rf "$T_TMP"
}
W_MOUNTS=""
trap 'w_cleanup' EXIT
trap 'exit 1' INT TERM

# free_port: a TCP port on 127.0.0.1 that nobody listens on right now
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [SECONDS]: until URL answers 200
wait_http() {
    python3 - "$1" "${2:-15}" <<'PY'
import sys, time, urllib.request
url, limit = sys.argv[1], float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
}

# mount_tmpfs DIR SIZE: mount a tmpfs or skip the test (exit 77)
mount_tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2,mode=0755" tshoot-test "$1" 2>/dev/null || skip_all "cannot mount tmpfs (needs root)"
    W_MOUNTS="$1 $W_MOUNTS"
}

# start_watch LOG ARGS...: run tshoot watch in the background, remember the pid in W_WATCH
start_watch() {
    log=$1; shift
    "$TSHOOT" watch "$@" 2>"$log" &
    W_WATCH=$!
    W_PIDS="$W_PIDS $W_WATCH"
}

need_cmd() {
    command -v "$1" >/dev/null 2>&1 || skip_all "$1 not installed (scripts/deps.sh installs it)"
}

# start_prometheus DIR PORT SCRAPE_TARGET [RULES_FILE]: 1 s scrape/eval
start_prometheus() {
    d=$1; port=$2; target=$3; rules=${4:-}
    mkdir -p "$d/data"
    {
        echo "global:"
        echo "  scrape_interval: 1s"
        echo "  scrape_timeout: 1s"
        echo "  evaluation_interval: 1s"
        [ -n "$rules" ] && printf 'rule_files:\n  - %s\n' "$rules"
        echo "scrape_configs:"
        echo "  - job_name: tshoot"
        echo "    static_configs:"
        echo "      - targets: ['$target']"
    } >"$d/prometheus.yml"
    prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
        --web.listen-address="127.0.0.1:$port" --log.level=warn >"$d/log" 2>&1 &
    W_PIDS="$W_PIDS $!"
    wait_http "http://127.0.0.1:$port/-/ready" 30
}

# start_alertmanager DIR PORT
start_alertmanager() {
    d=$1; port=$2
    mkdir -p "$d/data"
    cat >"$d/am.yml" <<YML
route:
  receiver: blackhole
  group_wait: 1s
receivers:
  - name: blackhole
YML
    prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d/data" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= --log.level=warn \
        >"$d/log" 2>&1 &
    W_PIDS="$W_PIDS $!"
    wait_http "http://127.0.0.1:$port/-/ready" 30
}
