#!/bin/sh
# Slow and malformed HTTP clients do not kill the metrics server nor starve a
# scraper: connection caps (total and per address), idle timeout, header
# memory cap, bodies refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch-lib.sh"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0))' 2>/dev/null || skip_all "127.0.0.2 not usable"
PORT=$(free_port)
start_watch "$T_TMP/w.log" --mount / --no-processes --no-containers --interval 1s --listen "127.0.0.1:$PORT"
wait_http "http://127.0.0.1:$PORT/healthz" 10
if python3 "$SRCDIR/tests/cli/http_abuse.py" "$PORT" >"$T_TMP/abuse.out" 2>&1; then ok "server survives abuse"; else not_ok "server survives abuse"; fi
sed 's/^/# /' "$T_TMP/abuse.out"
kill -0 "$W_WATCH" 2>/dev/null && ok "watch still running" || not_ok "watch still running"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
expect_eq "$code" 200 "healthz after abuse"
kill -TERM "$W_WATCH"; wait "$W_WATCH"; rc=$?
expect_eq "$rc" 0 "clean exit"
done_testing
