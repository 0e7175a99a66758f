// Drives `tshoot mcp` over stdio with the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk, StdioClientTransport), plus a raw JSON-RPC
// client for what the SDK cannot send (malformed messages).
//
// Environment: TSHOOT (the binary), SRCDIR (the source tree).
// The tools expected in tools/list are the ones lib/serve/mcp/features.h
// switches on: a listed tool that is switched off, or a missing one that
// is switched on, fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const SRCDIR = process.env.SRCDIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSHOOT = process.env.TSHOOT || path.join(SRCDIR, 'build/tshoot');
const SECRET = 'hunter2-Zq8xWv3';

// Which tools the build should offer (features.h is the switchboard).
const features = fs.readFileSync(path.join(SRCDIR, 'lib/serve/mcp/features.h'), 'utf8');
const on = (f) => new RegExp(`#define MCP_HAVE_${f}\\s+1`).test(features);
const expectedTools = [];
if (on('DIAGNOSE')) expectedTools.push('diagnose');
if (on('COLLECT')) expectedTools.push('collect');
if (on('LOGS')) expectedTools.push('logs_errors', 'logs_patterns');
if (on('KB')) expectedTools.push('explain_rule');
if (on('ALERTS')) expectedTools.push('alert_rules');
if (on('REPORT') && on('DIAGNOSE')) expectedTools.push('report');

// The founding incident's bundle (authentik outpost, /dev/shm full).
const srcBundle = path.join(SRCDIR, 'examples/incidents/authentik-shm');

let tmp, root, outside, bundle, secretLog, client, transport, stderrText = '';

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tshoot-mcp-test-'));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  bundle = path.join(root, 'incident');
  fs.cpSync(srcBundle, bundle, { recursive: true });
  // Plant a secret in a log the tools will read.
  const logsDir = path.join(bundle, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  secretLog = path.join(logsDir, 'auth.log');
  fs.appendFileSync(secretLog,
    `2026-04-18T10:00:00Z ERROR login failed for user=admin password=${SECRET} db_url=postgres://app:${SECRET}@db:5432/x\n` +
    `2026-04-18T10:00:01Z ERROR login failed for user=admin password=${SECRET} db_url=postgres://app:${SECRET}@db:5432/x\n`);
  fs.writeFileSync(path.join(outside, 'secret.log'), `ERROR password=${SECRET}\n`);
  // A captured /proc+/sys tree for collect (the collect helper's fixture).
  const procFixture = path.join(SRCDIR, 'tests/data/proc-v2');
  if (fs.existsSync(procFixture)) fs.cpSync(procFixture, path.join(root, 'proc-fixture'), { recursive: true });

  transport = new StdioClientTransport({
    command: TSHOOT,
    args: ['mcp', '--root', root, '--no-live'],
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d) => { stderrText += d; });
  client = new Client({ name: 'tshoot-test', version: '1.0.0' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const textOf = (res) => res.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const tokens = (res) => Math.ceil(JSON.stringify(res).length / 4);
const hasTool = (name) => expectedTools.includes(name);

test('initialize negotiates a version and names the server', () => {
  const v = client.getServerVersion();
  assert.equal(v.name, 'tshoot');
  assert.match(v.version, /^\d+\.\d+\.\d+/);
  const caps = client.getServerCapabilities();
  assert.ok(caps.tools && caps.resources && caps.prompts);
  assert.match(client.getInstructions() ?? '', /read-only/);
});

test('tools/list offers exactly the built capabilities, each with an input schema', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, [...expectedTools].sort());
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.ok(t.inputSchema.properties.max_items, `${t.name} has max_items`);
    assert.ok(t.description.length > 20, `${t.name} is described`);
    assert.equal(t.annotations?.readOnlyHint, true, `${t.name} is read-only`);
  }
});

test('ping', async () => {
  assert.deepEqual(await client.ping(), {});
});

test('prompt investigate-incident walks the six steps with our tools', async () => {
  const { prompts } = await client.listPrompts();
  assert.ok(prompts.some((p) => p.name === 'investigate-incident'));
  const p = await client.getPrompt({
    name: 'investigate-incident',
    arguments: { symptom: 'outpost answers HTTP 400', bundle: 'incident' },
  });
  const text = p.messages[0].content.text;
  for (const w of ['Assess', 'Gather', 'Hypothesise', 'Test', 'Fix', 'Prevent', 'diagnose'])
    assert.match(text, new RegExp(w));
  await assert.rejects(client.getPrompt({ name: 'investigate-incident', arguments: {} }),
    (e) => e.code === -32602);
});

test('diagnose: disk_full first, with evidence, redacted, within budget', { skip: !hasTool('diagnose') }, async () => {
  const progress = [];
  const res = await client.callTool({ name: 'diagnose', arguments: { bundle: 'incident' } },
    undefined, { onprogress: (p) => progress.push(p) });
  assert.ok(!res.isError, textOf(res));
  const sc = res.structuredContent;
  assert.ok(sc.hypotheses.length >= 1);
  const top = sc.hypotheses[0];
  assert.equal(top.category, 'disk_full', `top hypothesis: ${JSON.stringify(top).slice(0, 300)}`);
  assert.ok(top.evidence.length >= 1, 'evidence');
  assert.ok(top.evidence.some((e) => /no space left|ENOSPC|\/dev\/shm/i.test(e.text)), 'ENOSPC evidence');
  assert.match(textOf(res), /disk_full/);
  assert.ok(tokens(res) < 4000, `result is ${tokens(res)} tokens`);
  assert.ok(!JSON.stringify(res).includes(SECRET), 'secret redacted');
  assert.ok(progress.length >= 1, 'progress notifications');
  // The last diagnosis is a resource now.
  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === 'tshoot://diagnosis/last'));
  const last = await client.readResource({ uri: 'tshoot://diagnosis/last' });
  const doc = JSON.parse(last.contents[0].text);
  assert.equal(doc.hypotheses[0].category, 'disk_full');
  assert.ok(!last.contents[0].text.includes(SECRET));
});

test('a path outside the roots is refused with a clear error', { skip: expectedTools.length === 0 }, async () => {
  const attempts = {
    diagnose: { bundle: outside },
    logs_errors: { paths: [path.join(outside, 'secret.log')] },
    logs_patterns: { paths: [path.join(root, '../outside/secret.log')] },
    collect: { paths: [outside] },
    report: { bundle: '/etc' },
  };
  let n = 0;
  for (const [name, args] of Object.entries(attempts)) {
    if (!hasTool(name)) continue;
    const res = await client.callTool({ name, arguments: args });
    assert.equal(res.isError, true, `${name} refused`);
    assert.match(textOf(res), /outside the allowed roots/, name);
    assert.ok(!textOf(res).includes(SECRET));
    n++;
  }
  assert.ok(n >= 1);
  if (hasTool('diagnose')) {
    const live = await client.callTool({ name: 'diagnose', arguments: { live: true } });
    assert.equal(live.isError, true);
    assert.match(textOf(live), /--no-live/);
    const none = await client.callTool({ name: 'diagnose', arguments: {} });
    assert.equal(none.isError, true);
    assert.match(textOf(none), /nothing to diagnose/);
  }
});

test('logs_errors: the planted secret comes back redacted', { skip: !hasTool('logs_errors') }, async () => {
  const res = await client.callTool({ name: 'logs_errors', arguments: { paths: [secretLog] } });
  assert.ok(!res.isError, textOf(res));
  const all = JSON.stringify(res);
  assert.match(all, /login failed/);
  assert.match(all, /\[REDACTED\]/);
  assert.ok(!all.includes(SECRET));
  assert.ok(tokens(res) < 4000);
});

test('logs_patterns on the bundle logs', { skip: !hasTool('logs_patterns') }, async () => {
  const res = await client.callTool({ name: 'logs_patterns', arguments: { paths: [path.join(bundle, 'logs')], max_items: 5 } });
  assert.ok(!res.isError, textOf(res));
  assert.ok(!JSON.stringify(res).includes(SECRET));
  assert.ok(tokens(res) < 4000);
});

test('collect on a captured /proc tree: findings first', { skip: !hasTool('collect') }, async () => {
  const res = await client.callTool({ name: 'collect', arguments: { root: 'proc-fixture' } });
  assert.ok(!res.isError, textOf(res));
  const sc = res.structuredContent;
  assert.equal(sc.schema, 'tshoot.collect/1');
  assert.equal(sc.live, false);
  assert.ok(sc.findings.length >= 1, 'findings');
  assert.equal(Object.keys(sc).indexOf('findings') < Object.keys(sc).indexOf('filesystems'), true);
  assert.match(textOf(res), /\[(critical|warning)\]/);
  assert.ok(tokens(res) < 4000);
  // --no-live: the live host is refused, clearly.
  const live = await client.callTool({ name: 'collect', arguments: {} });
  assert.equal(live.isError, true);
  assert.match(textOf(live), /--no-live/);
});

test('explain_rule', { skip: !hasTool('explain_rule') }, async () => {
  const { resources } = await client.listResources();
  const rule = resources.find((r) => r.uri.startsWith('tshoot://rules/'));
  assert.ok(rule, 'rules are resources');
  const id = rule.uri.slice('tshoot://rules/'.length);
  const res = await client.callTool({ name: 'explain_rule', arguments: { id } });
  assert.ok(!res.isError, textOf(res));
  assert.equal(res.structuredContent.id, id);
  const bad = await client.callTool({ name: 'explain_rule', arguments: { id: 'no-such-rule' } });
  assert.equal(bad.isError, true);
});

test('alert_rules', { skip: !hasTool('alert_rules') }, async () => {
  const res = await client.callTool({ name: 'alert_rules', arguments: {} });
  assert.ok(!res.isError, textOf(res));
  assert.match(textOf(res), /alert:|groups:/);
});

test('report: the postmortem as Markdown', { skip: !hasTool('report') }, async () => {
  const res = await client.callTool({ name: 'report', arguments: { bundle: 'incident' } });
  assert.ok(!res.isError, textOf(res));
  assert.match(res.structuredContent.markdown, /^#/m);
  assert.ok(!JSON.stringify(res).includes(SECRET));
});

test('unknown tool and bad arguments are protocol errors', async () => {
  await assert.rejects(client.callTool({ name: 'rm_rf', arguments: {} }), (e) => e.code === -32602);
  if (hasTool('diagnose'))
    await assert.rejects(client.callTool({ name: 'diagnose', arguments: { max_items: 'ten' } }),
      (e) => e.code === -32602 && /max_items/.test(e.message));
});

// ---- raw JSON-RPC: what an SDK never sends --------------------------------

const spawned = [];
after(() => { for (const p of spawned) if (p.exitCode === null) p.kill(); });

function rawServer(extra = []) {
  const p = spawn(TSHOOT, ['mcp', '--root', root, '--no-live', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  spawned.push(p);
  const lines = [];
  const waiters = [];
  readline.createInterface({ input: p.stdout }).on('line', (l) => {
    const m = JSON.parse(l); // every line the server writes must be JSON
    if (waiters.length) waiters.shift()(m); else lines.push(m);
  });
  const next = () => new Promise((res, rej) => {
    if (lines.length) return res(lines.shift());
    const t = setTimeout(() => rej(new Error('no answer within 60s')), 60000);
    waiters.push((m) => { clearTimeout(t); res(m); });
  });
  const send = (s) => p.stdin.write(s + '\n');
  return { p, next, send };
}

test('malformed JSON-RPC gets the protocol errors and never ends the server', async () => {
  const { p, next, send } = rawServer();
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }));
  assert.equal((await next()).result.protocolVersion, '2025-06-18');
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));

  const expectError = async (line, code, id = null) => {
    send(line);
    const m = await next();
    assert.equal(m.jsonrpc, '2.0');
    assert.equal(m.error?.code, code, `${line.slice(0, 80)} -> ${JSON.stringify(m)}`);
    assert.deepEqual(m.id, id);
  };
  await expectError('{"jsonrpc":"2.0","id":2,"method":"ping"', -32700);
  await expectError('not json at all', -32700);
  await expectError('"a string"', -32600);
  await expectError('{"jsonrpc":"1.0","id":3,"method":"ping"}', -32600, 3);
  await expectError('{"jsonrpc":"2.0","id":4}', -32600, 4);
  await expectError('{"jsonrpc":"2.0","id":null,"method":"ping"}', -32600);
  await expectError('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', -32600);
  await expectError('{"jsonrpc":"2.0","id":5,"method":"no/such/method"}', -32601, 5);
  await expectError('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"arguments":{}}}', -32602, 6);
  await expectError('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}}', -32602, 7);
  await expectError('{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":7}}', -32602, 8);
  await expectError('{"jsonrpc":"2.0","id":9,"method":"ping","params":[1,2]}', -32602, 9);
  await expectError('[{"jsonrpc":"2.0","id":10,"method":"ping"}]', -32600); // no batches in 2025-06-18
  // Oversized: 4 MiB + 1 KiB of a valid-looking request.
  const big = JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'ping', params: { pad: 'x'.repeat(4 * 1024 * 1024 + 1024) } });
  await expectError(big, -32600);
  // Ids of every allowed type come back exactly.
  for (const id of [0, -1, 42, 9007199254740991, '', 'abc', 'ü-ñ ✓', '0042', 'x'.repeat(300)]) {
    send(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }));
    const m = await next();
    assert.deepEqual(m.id, id);
    assert.deepEqual(m.result, {});
  }
  // Notifications, even unknown or malformed ones, get no answer: the next
  // line we read is the ping's.
  send('{"jsonrpc":"2.0","method":"notifications/unknown"}');
  send('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":999}}');
  send('{"jsonrpc":"2.0","id":"alive","method":"ping"}');
  assert.equal((await next()).id, 'alive');
  assert.equal(p.exitCode, null, 'server still running');
  p.stdin.end();
  const code = await new Promise((res) => p.on('close', res));
  assert.equal(code, 0);
});

test('a cancelled call gets no response and the server goes on', { skip: !hasTool('diagnose') }, async () => {
  const { p, next, send } = rawServer();
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {} } }));
  await next();
  // The first diagnose of a server loads and compiles the rules: long
  // enough for the cancellation to arrive while it runs (or before it starts).
  send(JSON.stringify({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'diagnose', arguments: { bundle: 'incident' } } }));
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow', reason: 'test' } }));
  send(JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'ping' }));
  let m;
  do { m = await next(); } while (m.id === undefined); // skip notifications
  assert.equal(m.id, 'after', `got ${JSON.stringify(m).slice(0, 200)}`);
  // And a later call still works.
  send(JSON.stringify({ jsonrpc: '2.0', id: 'again', method: 'tools/call', params: { name: 'diagnose', arguments: { bundle: 'incident' } } }));
  do { m = await next(); } while (m.id === undefined);
  assert.equal(m.id, 'again');
  assert.equal(m.result.structuredContent.hypotheses[0].category, 'disk_full');
  p.stdin.end();
  assert.equal(await new Promise((res) => p.on('close', res)), 0);
});

test('batches are answered under 2025-03-26', async () => {
  const { p, next, send } = rawServer();
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {} } }));
  assert.equal((await next()).result.protocolVersion, '2025-03-26');
  send('[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"b","method":"nope"}]');
  const m = await next();
  assert.ok(Array.isArray(m));
  assert.deepEqual(m.map((x) => x.id), ['a', 'b']);
  assert.equal(m[1].error.code, -32601);
  p.stdin.end();
  assert.equal(await new Promise((res) => p.on('close', res)), 0);
});

test('a root that does not exist is a startup error on stderr', async () => {
  const p = spawn(TSHOOT, ['mcp', '--root', path.join(tmp, 'missing')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '', out = '';
  p.stderr.on('data', (d) => { err += d; });
  p.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((res) => p.on('close', res));
  assert.notEqual(code, 0);
  assert.match(err, /cannot use root/);
  assert.equal(out, '');
});
