#!/bin/sh
# Libraries loaded on first use (lib/dl, docs/lazyload.md): `watch` and
# `collect` never map libcurl, Hyperscan, libsystemd or libfyaml; `logs errors`
# loads Hyperscan and still finds signatures, `metrics query` loads libcurl;
# with TSHOOT_DL_DISABLE a command that needs the library fails with one line
# naming the library and its Debian package, exit 69.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
LAZY='lib(curl\.so\.4|hs\.so\.5|systemd\.so\.0|fyaml\.so\.0)'

# nothing links them, nothing exports the shims
readelf -d "$TSHOOT" >"$T_TMP/dyn"
expect_no_grep "NEEDED.*$LAZY" "$T_TMP/dyn" "no DT_NEEDED on the lazily loaded libraries"
nm -D "$TSHOOT" >"$T_TMP/dynsym" 2>/dev/null
expect_no_grep ' T (curl|hs|sd_journal|fy)_' "$T_TMP/dynsym" "the shims are not exported"

# collect: ld.so lists every object it loads, dlopen included
LD_DEBUG=files "$TSHOOT" collect >/dev/null 2>"$T_TMP/collect.ld"
expect_grep 'file=libc\.so\.6' "$T_TMP/collect.ld" "LD_DEBUG works here"
expect_no_grep "file=$LAZY" "$T_TMP/collect.ld" "collect loads none of them"

# watch serving /metrics: its maps after a few scans
PORT=$(free_port)
start_watch "$T_TMP/w.log" --interval 200ms --no-processes --listen "127.0.0.1:$PORT"
if wait_http "http://127.0.0.1:$PORT/metrics" 15; then ok "watch serves /metrics"; else not_ok "watch serves /metrics"; cat "$T_TMP/w.log"; fi
sleep 1
curl -s "http://127.0.0.1:$PORT/metrics" >/dev/null
cat "/proc/$W_WATCH/maps" >"$T_TMP/maps"
expect_grep 'libc\.so\.6' "$T_TMP/maps" "maps of the running watch read"
expect_no_grep "$LAZY" "$T_TMP/maps" "watch maps none of them"

# logs errors: Hyperscan loads on first use, signatures are found
printf '2026-12-07T01:00:00Z app: write failed: No space left on device\n' >"$T_TMP/app.log"
LD_DEBUG=files "$TSHOOT" logs errors "$T_TMP/app.log" >"$T_TMP/logs.out" 2>"$T_TMP/logs.ld"
expect_grep 'disk_full' "$T_TMP/logs.out" "logs errors finds the disk_full signature"
expect_grep 'file=libhs\.so\.5' "$T_TMP/logs.ld" "logs errors loads libhs"
expect_no_grep 'file=libcurl\.so\.4' "$T_TMP/logs.ld" "logs errors does not load libcurl"
expect_exit 1 "logs errors --no-rules without Hyperscan (exit 1: errors found)" -- env TSHOOT_DL_DISABLE=hs "$TSHOOT" logs errors --no-rules "$T_TMP/app.log"
expect_exit 69 "logs errors without Hyperscan" -- env TSHOOT_DL_DISABLE=hs "$TSHOOT" logs errors "$T_TMP/app.log"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "one line"
expect_grep '^tshoot logs: libhs\.so\.5 cannot be loaded \(install the Debian package libhyperscan5\): disabled by TSHOOT_DL_DISABLE$' "$T_TMP/err" "the line names the library and the package"
expect_exit 69 "logs errors without libfyaml (rules are YAML)" -- env TSHOOT_DL_DISABLE=fyaml "$TSHOOT" logs errors "$T_TMP/app.log"
expect_grep 'libfyaml\.so\.0 cannot be loaded \(install the Debian package libfyaml0\)' "$T_TMP/err" "libfyaml named"
expect_exit 69 "diagnose without Hyperscan" -- env TSHOOT_DL_DISABLE=all "$TSHOOT" diagnose --logs "$T_TMP/app.log"

# metrics query against a static Prometheus API answer: libcurl loads
mkdir -p "$T_TMP/www/api/v1"
echo '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"lazy"},"value":[1796600000,"1"]}]}}' >"$T_TMP/www/api/v1/query"
HP=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T_TMP/www" "$HP" >"$T_TMP/http.log" 2>&1 &
W_PIDS="$W_PIDS $!"
wait_http "http://127.0.0.1:$HP/api/v1/query" 15 || skip_all "python3 http.server did not start"
LD_DEBUG=files "$TSHOOT" metrics query up --prometheus "http://127.0.0.1:$HP" >"$T_TMP/q.out" 2>"$T_TMP/q.ld"
expect_grep 'job="lazy"' "$T_TMP/q.out" "metrics query works"
expect_grep 'file=libcurl\.so\.4' "$T_TMP/q.ld" "metrics query loads libcurl"
expect_no_grep 'file=libhs\.so\.5' "$T_TMP/q.ld" "metrics query does not load libhs"
expect_exit 69 "metrics query without libcurl" -- env TSHOOT_DL_DISABLE=curl "$TSHOOT" metrics query up --prometheus "http://127.0.0.1:$HP"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "one line"
expect_grep '^tshoot metrics: libcurl\.so\.4 cannot be loaded \(install the Debian package libcurl4\): disabled by TSHOOT_DL_DISABLE$' "$T_TMP/err" "the line names libcurl4"

# the journal: libsystemd loads when it is read
LD_DEBUG=files "$TSHOOT" logs errors --journal --no-rules "$T_TMP/app.log" >"$T_TMP/j.out" 2>"$T_TMP/j.ld"
expect_grep 'file=libsystemd\.so\.0' "$T_TMP/j.ld" "logs errors --journal loads libsystemd"
expect_no_grep 'journal: cannot open' "$T_TMP/j.out" "and opens the journal"
# the journal is one input among others: without libsystemd it is a listed
# problem (like an unreadable file) and the command says which package
expect_exit 1 "logs errors --journal without libsystemd still reads the file" -- env TSHOOT_DL_DISABLE=journal "$TSHOOT" logs errors --journal --no-rules "$T_TMP/app.log"
expect_grep 'journal: cannot open.*: Can not access a needed shared library' "$T_TMP/out" "the journal is a listed problem"
expect_grep '^tshoot logs: warning: libsystemd\.so\.0 cannot be loaded \(install the Debian package libsystemd0\)' "$T_TMP/err" "libsystemd0 named"

done_testing
