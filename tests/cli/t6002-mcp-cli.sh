#!/bin/sh
# `tshoot mcp` front end: options, start-up errors, stdio behaviour without
# an SDK (one JSON message per line on stdout, nothing else; EOF ends it).
. "$(dirname "$0")/lib.sh"

expect_exit 0 "mcp --help" -- "$TSHOOT" mcp --help
expect_grep 'usage: tshoot mcp --root DIR' "$T_TMP/out" "usage shown"
expect_exit 64 "no --root is a usage error" -- "$TSHOOT" mcp </dev/null
expect_grep "at least one --root" "$T_TMP/err" "says a root is needed"
expect_eq "$(wc -l <"$T_TMP/err" | tr -d ' ')" 1 "usage error is one line"
expect_exit 64 "stray argument" -- "$TSHOOT" mcp --root "$T_TMP" extra </dev/null
expect_exit 64 "tiny --max-message" -- "$TSHOOT" mcp --root "$T_TMP" --max-message 10 </dev/null
expect_exit 66 "missing root" -- "$TSHOOT" mcp --root "$T_TMP/nope" </dev/null
expect_grep "cannot use root '.*nope'" "$T_TMP/err" "missing root named"

# EOF right away: clean exit, nothing written.
expect_exit 0 "empty stdin ends the server" -- "$TSHOOT" mcp --root "$T_TMP" </dev/null
expect_eq "$(wc -c <"$T_TMP/out" | tr -d ' ')" 0 "nothing on stdout"

# A session through a pipe: every stdout line is one JSON-RPC message.
mkdir -p "$T_TMP/root/logs"
printf 'ERROR db login failed password=Sup3rS3cret-xyz\n' >"$T_TMP/root/logs/app.log"
{
    echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{}}}'
    echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    echo 'garbage'
    echo '{"jsonrpc":"2.0","id":"t","method":"tools/list"}'
    echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"logs_errors","arguments":{"paths":["logs/app.log"]}}}'
    echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"logs_errors","arguments":{"paths":["/etc/passwd"]}}}'
    printf '{"jsonrpc":"2.0","id":5,"method":"ping"}'   # no final newline
} | "$TSHOOT" mcp --root "$T_TMP/root" --max-message 4096 >"$T_TMP/session" 2>"$T_TMP/err"
expect_eq "$?" 0 "session ends with exit 0"
python3 - "$T_TMP/session" >"$T_TMP/check" 2>&1 <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
by = {m.get("id"): m for m in msgs if "id" in m}
assert by[1]["result"]["protocolVersion"] == "2024-11-05", by[1]
assert by[None]["error"]["code"] == -32700
names = {t["name"] for t in by["t"]["result"]["tools"]}
print("tools:", " ".join(sorted(names)))
if "logs_errors" in names:
    r3 = json.dumps(by[3]["result"])
    assert "login failed" in r3 and "Sup3rS3cret" not in r3 and "[REDACTED]" in r3, r3[:300]
    assert by[4]["result"]["isError"] is True
    assert "outside the allowed roots" in by[4]["result"]["content"][0]["text"]
assert by[5]["result"] == {}
print("ok")
PY
expect_grep '^ok$' "$T_TMP/check" "session answers: versions, parse error, tools, redaction, confinement, last line"
expect_no_grep 'Sup3rS3cret' "$T_TMP/session" "planted secret never printed"
done_testing
