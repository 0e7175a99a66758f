#!/usr/bin/env python3
"""Driver of bench/mcp/run.sh: speaks MCP (JSON-RPC over stdio) to
`tshoot mcp`, times diagnose calls and sizes every tool's result."""
import json, os, statistics, subprocess, sys, time

tshoot, bundle, runs = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
root = os.path.dirname(bundle)
name = os.path.basename(bundle)


class Server:
    def __init__(self):
        self.p = subprocess.Popen([tshoot, 'mcp', '--root', root, '--no-live'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.n = 0

    def call(self, method, params):
        self.n += 1
        self.p.stdin.write(json.dumps({'jsonrpc': '2.0', 'id': self.n, 'method': method,
                                       'params': params}) + '\n')
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit('bench: tshoot mcp exited')
            m = json.loads(line)
            if m.get('id') == self.n:
                return m, line

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def tool(s, tname, args):
    t0 = time.perf_counter()
    m, line = s.call('tools/call', {'name': tname, 'arguments': args})
    dt = (time.perf_counter() - t0) * 1000
    if 'error' in m:
        raise SystemExit(f'bench: {tname}: {m["error"]}')
    return m['result'], dt, len(json.dumps(m['result'])) // 4


s = Server()
t0 = time.perf_counter()
s.call('initialize', {'protocolVersion': '2025-06-18', 'capabilities': {},
                      'clientInfo': {'name': 'bench', 'version': '0'}})
tools = [t['name'] for t in s.call('tools/list', {})[0]['result']['tools']]
handshake = (time.perf_counter() - t0) * 1000
time.sleep(1.0)  # an agent reads the tool list: the server warms its rules up meanwhile
if 'diagnose' not in tools:
    raise SystemExit('bench: this build has no diagnose tool')

res, cold, tok = tool(s, 'diagnose', {'bundle': name})
top = res['structuredContent']['hypotheses'][0]['category'] if res['structuredContent']['hypotheses'] else '-'
warm = [tool(s, 'diagnose', {'bundle': name})[1] for _ in range(runs)]
warm_med = statistics.median(warm)

# Baseline in the same run: the CLI as a process (rules loaded each time).
cli = []
for _ in range(max(5, runs // 3)):
    t0 = time.perf_counter()
    subprocess.run([tshoot, 'diagnose', '--json', bundle], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    cli.append((time.perf_counter() - t0) * 1000)
cli_med = statistics.median(cli)

print(f'diagnose tools/call on {name}: top hypothesis {top}')
print(f'  initialize + tools/list:             {handshake:8.1f} ms')
print(f'  first call (rules warmed up while idle): {cold:5.1f} ms')
print(f'  warm calls, median of {runs}:         {warm_med:8.1f} ms   (target < 100 ms: '
      f'{"ok" if warm_med < 100 else "MISSED"})')
print(f'  baseline `tshoot diagnose --json` process, median: {cli_med:.1f} ms '
      f'-> tool call is {cli_med / warm_med:.1f}x faster')

# Sizes: every tool with default arguments on the bundle.
raw = 0
for dp, _, fs in os.walk(os.path.join(bundle, 'logs')):
    for f in fs:
        raw += os.path.getsize(os.path.join(dp, f))
raw_tok = raw // 4
calls = {
    'diagnose': {'bundle': name},
    'logs_errors': {'paths': [os.path.join(name, 'logs')]},
    'logs_patterns': {'paths': [os.path.join(name, 'logs')]},
    'explain_rule': {'id': top},
    'alert_rules': {},
    'report': {'bundle': name},
}
print(f'result sizes in tokens (~chars/4; target < 4000 by default); raw logs of the bundle: '
      f'{raw_tok} tokens')
worst = 0
for tname, args in calls.items():
    if tname not in tools:
        print(f'  {tname:14s} (not in this build)')
        continue
    r, dt, tok = tool(s, tname, args)
    worst = max(worst, tok)
    cut = 'cut' if r.get('structuredContent', {}).get('truncated') else 'whole'
    print(f'  {tname:14s} {tok:6d} tokens ({cut}; {raw_tok / max(tok, 1):6.1f}x smaller than '
          f'the raw logs) {dt:7.1f} ms{"  ERROR" if r.get("isError") else ""}')
print(f'largest result: {worst} tokens ({"ok" if worst < 4000 else "MISSED"})')
s.close()
