#!/bin/sh
# One realistic excerpt per category (real message formats: kernel, glibc, Go,
# JVM, Python, Node, PostgreSQL, MySQL, SQLite, nginx, Envoy, Kubernetes):
# diagnose --logs must rank the category first.
. "$(dirname "$0")/lib.sh"
export TSHOOT_CACHE_DIR="$T_TMP"  # user rules' patterns are compiled once (see the end)
check() { # CATEGORY (excerpt on stdin)
    cat >"$T_TMP/$1.log"
    "$TSHOOT" diagnose --logs "$T_TMP/$1.log" --json >"$T_TMP/o.json" 2>/dev/null
    got=$(json_get "$T_TMP/o.json" "d['hypotheses'][0]['category'] if d['hypotheses'] else 'none'")
    expect_eq "$got" "$2" "$1"
}
check clock_skew2 clock_skew <<'EOF'
Jun 01 10:00:00 host etcd[1234]: prober found high clock drift (clock difference against peer 8e9e05c52164694d is 1.503s)
EOF
check conn_pool2 conn_pool_exhaustion <<'EOF'
psycopg2.OperationalError: FATAL:  sorry, too many clients already
EOF
check cpu_throttling2 cpu_throttling <<'EOF'
nr_periods 120453
nr_throttled 48211
throttled_time 9823412345123
EOF
check crashloop_config crashloop_config <<'EOF'
Error: failed to load configuration: yaml: unmarshal errors:
  line 12: cannot unmarshal !!str `enabled` into bool
Back-off restarting failed container app in pod app-6d4cf56db6-8k2lz_default
EOF
check db_lock2 db_lock <<'EOF'
sqlite3.OperationalError: database is locked
EOF
check disk_full2 disk_full <<'EOF'
ERROR: failed to register layer: Error processing tar file(exit status 1): write /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1: no space left on device
EOF
check disk_io2 disk_io_latency <<'EOF'
Nov 12 03:14:15 nas kernel: [1234.5678] blk_update_request: I/O error, dev sdb, sector 123456789 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0
Nov 12 03:14:15 nas kernel: [1234.5679] Buffer I/O error on dev sdb1, logical block 15432, async page read
EOF
check dns_failure2 dns_failure <<'EOF'
2023-05-01 12:00:01 WARN  [main] o.a.k.c.NetworkClient - [Producer clientId=producer-1] Error connecting to node kafka-0.kafka-headless:9092 (id: 0 rack: null)
java.net.UnknownHostException: kafka-0.kafka-headless: Name or service not known
EOF
check fd_exhaustion2 fd_exhaustion <<'EOF'
java.net.SocketException: Too many open files
	at java.base/sun.nio.ch.Net.accept(Native Method)
	at org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept(NioEndpoint.java:548)
EOF
check image_pull2 image_pull <<'EOF'
  Warning  Failed     12s (x2 over 27s)  kubelet  Failed to pull image "myregistry.io/team/api:v2.3.1": rpc error: code = NotFound desc = failed to pull and unpack image "myregistry.io/team/api:v2.3.1": failed to resolve reference "myregistry.io/team/api:v2.3.1": myregistry.io/team/api:v2.3.1: not found
  Warning  Failed     12s (x2 over 27s)  kubelet  Error: ErrImagePull
  Normal   BackOff    1s (x2 over 26s)   kubelet  Back-off pulling image "myregistry.io/team/api:v2.3.1"
EOF
check inode_exhaustion inode_exhaustion <<'EOF'
$ touch /var/lib/app/x
touch: cannot touch '/var/lib/app/x': No space left on device
$ df -h /var
Filesystem      Size  Used Avail Use% Mounted on
/dev/sda1        50G   21G   27G  44% /
$ df -i /var
Filesystem      Inodes   IUsed IFree IUse% Mounted on
/dev/sda1      3276800 3276800     0  100% /
EOF
check memory_leak memory_leak <<'EOF'
<--- Last few GCs --->
[1:0x5580d4b0]  8532211 ms: Mark-sweep 2045.1 (2083.5) -> 2044.8 (2083.7) MB, 1934.2 / 0.0 ms  (average mu = 0.082, current mu = 0.002) allocation failure scavenge might not succeed
<--- JS stacktrace --->
FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory
EOF
check oom_hard oom_killed <<'EOF'
[Tue Oct  3 04:12:44 2023] postgres invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0
[Tue Oct  3 04:12:44 2023] Out of memory: Killed process 2314 (postgres) total-vm:8123456kB, anon-rss:7234567kB, file-rss:0kB, shmem-rss:123456kB, UID:999 pgtables:15000kB oom_score_adj:0
2023-10-03 04:12:45.001 UTC [1] LOG:  server process (PID 2314) was terminated by signal 9: Killed
2023-10-03 04:12:45.002 UTC [1] LOG:  terminating any other active server processes
EOF
check oom_killed2 oom_killed <<'EOF'
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
EOF
check permission_denied2 permission_denied <<'EOF'
mkdir: cannot create directory '/bitnami/postgresql/data': Permission denied
postgresql 10:00:00.00 INFO  ==> ** Starting PostgreSQL setup **
EOF
check port_conflict2 port_conflict <<'EOF'
Error starting userland proxy: listen tcp4 0.0.0.0:5432: bind: address already in use
Error: failed to start containers: db
EOF
check probe_failure probe_failure <<'EOF'
  Warning  Unhealthy  3m (x10 over 5m)  kubelet  Liveness probe failed: Get "http://10.244.0.12:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)
  Normal   Killing    3m                kubelet  Container web failed liveness probe, will be restarted
EOF
check rate_limited2 rate_limited <<'EOF'
github.GithubException.RateLimitExceededException: 403 {"message": "API rate limit exceeded for 203.0.113.5. (But here's the good news: Authenticated requests get a higher rate limit.)", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}
EOF
check readonly_fs2 readonly_fs <<'EOF'
OSError: [Errno 30] Read-only file system: '/app/data/cache.db'
EOF
check scheduling2 scheduling_insufficient <<'EOF'
Warning  FailedScheduling  30s   default-scheduler  0/5 nodes are available: 2 Insufficient memory, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.
EOF
check timeout_cascade timeout_cascade <<'EOF'
2023/08/01 10:00:05 [error] 31#31: *4412 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: api.example.com, request: "POST /checkout HTTP/1.1", upstream: "http://10.0.1.7:8080/checkout", host: "api.example.com"
10.0.0.9 - - [01/Aug/2023:10:00:05 +0000] "POST /checkout HTTP/1.1" 504 167 "-" "okhttp/4.9"
EOF
check tls_cert_error2 tls_cert_error <<'EOF'
Error: x509: certificate signed by unknown authority
time="2023-06-01T10:00:00Z" level=error msg="failed to push image" error="Get \"https://registry.local:5000/v2/\": x509: certificate signed by unknown authority"
EOF
check upstream_hard upstream_unavailable <<'EOF'
2023/09/01 12:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://172.18.0.3:8000/", host: "localhost"
EOF
check upstream_unavailable2 upstream_unavailable <<'EOF'
[2023-07-01T10:00:00.000Z] "GET /api/users HTTP/1.1" 503 UF,URX 0 91 1 - "-" "curl/7.68.0" "a1b2" "users:8080" "10.0.0.5:8080"
upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111
EOF
# the opt-in pattern-database cache: the built-in patterns come compiled in the
# binary (nothing to cache); user rules' patterns are compiled once and cached;
# a corrupt cache file is ignored
set -- "$T_TMP"/tshoot-sigdb-*.hs
[ -e "$1" ] && not_ok "built-in patterns compiled at run time ($1)" || ok "built-in patterns need no run-time compile"
mkdir -p "$T_TMP/user"
printf 'id: my_lock\ncategory: db_lock\ntitle: custom\nsignals:\n  - log: "frobnicator table jammed"\n    weight: 0.9\n' >"$T_TMP/user/my.yaml"
user_check() { # DESC
    printf 'frobnicator table jammed\n' >"$T_TMP/u.log"
    "$TSHOOT" diagnose --rules "$T_TMP/user" --logs "$T_TMP/u.log" --json >"$T_TMP/o.json" 2>/dev/null
    got=$(json_get "$T_TMP/o.json" "d['hypotheses'][0]['category'] if d['hypotheses'] else 'none'")
    expect_eq "$got" db_lock "$1"
}
user_check "user rule applies"
set -- "$T_TMP"/tshoot-sigdb-*.hs
[ -s "$1" ] && ok "user rules' compiled database cached in TSHOOT_CACHE_DIR" || not_ok "no cache file"
printf 'garbage' >"$1"
user_check "user rule applies after a corrupt cache"
check db_lock_after_corrupt_cache db_lock <<'XEOF'
sqlite3.OperationalError: database is locked
XEOF
unset TSHOOT_CACHE_DIR
check db_lock_without_cache db_lock <<'XEOF'
sqlite3.OperationalError: database is locked
XEOF
done_testing
