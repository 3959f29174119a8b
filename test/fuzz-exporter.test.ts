/**
 * A fuzzer of the exporter's request stream (issue 21), from a fixed seed:
 * connections to memtop --prometheus on 127.0.0.1 send mangled requests
 * (odd methods, paths, versions and header lines, flipped bytes, binary
 * noise, bare LFs, bodies that lie about their length, huge headers,
 * pipelined bursts, requests cut short, sent in pieces), some read their
 * answers, some never do. memtop must stay up, answer each status line it
 * sends in HTTP, say nothing on stderr beyond its start line, keep memory
 * bounded, and answer a plain scrape after every round. FUZZ_ROUNDS sets
 * the rounds (default 6, about fifteen seconds); contrib/fuzz.sh runs more.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { requireBuild } from './helpers/cli.js';
import { FakeRoot, httpRequest, startMemtop } from './prometheus-helpers.js';
import { random } from './helpers/fuzz.js';

const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 21);
const CONNECTIONS = 40;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PRI', 'get', 'G\u00e9T', ''];
const PATHS = ['/metrics', '/metrics?x=1', '/', '*', '/../../etc/passwd', '/metrics/' + 'a'.repeat(9000), 'http://h/metrics', '/%00', '', '/metrics#f'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1', ''];
const HEADERS = [
  'Host: x', 'Accept: application/openmetrics-text', 'Accept-Encoding: gzip', 'Accept-Encoding: gzip;q=0', 'Connection: close',
  'Connection: keep-alive', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999', 'Transfer-Encoding: chunked',
  'Transfer-Encoding: chunked, identity', 'Expect: 100-continue', 'Upgrade: websocket', 'X-Big: ' + 'b'.repeat(20000), ' folded', ':',
  'No-Colon', 'Accept: ' + 'text/plain;q=0.5,'.repeat(500),
];

/** One connection's bytes: a few requests built from the pieces above, then mangled. */
function stream(rnd: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const eol = rnd() < 0.15 ? '\n' : '\r\n';
  const requests = rnd() < 0.2 ? 20 + Math.floor(rnd() * 3000) : 1 + Math.floor(rnd() * 4);
  const one = () => {
    const headers = Array.from({ length: Math.floor(rnd() * 5) }, () => pick(HEADERS));
    const body = rnd() < 0.2 ? 'hello' + '0\r\n\r\n' : '';
    return `${pick(METHODS)} ${pick(PATHS)} ${pick(VERSIONS)}${eol}${headers.join(eol)}${eol}${eol}${body}`;
  };
  // A pipelined burst repeats one request; otherwise each is its own.
  const text = requests > 4 ? one().repeat(requests) : Array.from({ length: requests }, one).join('');
  const buf = Buffer.from(text, 'latin1');
  const flips = rnd() < 0.4 ? Math.floor(rnd() * 8) : 0;
  for (let i = 0; i < flips && buf.length > 0; i++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
  if (rnd() < 0.1) return Buffer.concat([buf, Buffer.from(Array.from({ length: 2000 }, () => Math.floor(rnd() * 256)))]);
  // Cut short: the server waits for the rest, then gives up on it.
  return rnd() < 0.15 ? buf.subarray(0, Math.floor(rnd() * buf.length)) : buf;
}

/** Sends `bytes` whole or in pieces; reads the answers or not; resolves with what came back when the server closes or 4 s pass. */
function send(port: number, bytes: Buffer, rnd: () => number): Promise<string> {
  const reads = rnd() < 0.7;
  const pieces = rnd() < 0.3 ? 2 + Math.floor(rnd() * 5) : 1;
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(limit);
      s.destroy();
      resolve(got);
    };
    const limit = setTimeout(done, 4000);
    s.on('error', done);
    s.on('close', done);
    if (reads) s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    else s.pause();
    s.on('connect', () => {
      const size = Math.ceil(bytes.length / pieces);
      for (let i = 0; i < pieces; i++) setTimeout(() => s.destroyed || s.write(bytes.subarray(i * size, (i + 1) * size)), i * 150);
    });
  });
}

test(`${ROUNDS} rounds of ${CONNECTIONS} fuzzed request streams (seed ${SEED}): memtop stays up, answers in HTTP, then serves a scrape`, { timeout: 60_000 + ROUNDS * 15_000 }, async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const { child, port, stderr } = await startMemtop(['--prometheus', '127.0.0.1:0', '--proc', root.proc, '--sys', root.sys, '1']);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  try {
    const scrape = async () => {
      for (let tries = 0; ; tries++) {
        try {
          return await httpRequest(port, '/metrics', { timeoutMs: 5000 });
        } catch (err) {
          if (tries >= 2) throw err;
        }
      }
    };
    for (let tries = 0; (await scrape()).status !== 200 && tries < 20; tries++) await new Promise((r) => setTimeout(r, 250));
    const before = rss();
    const rnd = random(SEED);
    let answers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const got = await Promise.all(Array.from({ length: CONNECTIONS }, () => send(port, stream(rnd), rnd)));
      for (const g of got) {
        // Whatever came back is HTTP: status lines of known codes, nothing else at the start.
        if (g === '') continue;
        assert.match(g, /^HTTP\/1\.1 (200|400|404|405|408|413|414|431|500|501|503|505) /, `round ${round}: ${JSON.stringify(g.slice(0, 120))}`);
        answers++;
      }
      assert.equal(child.exitCode, null, `memtop ended in round ${round}: ${stderr()}`);
      const r = await scrape();
      assert.equal(r.status, 200, `round ${round}: scrape`);
      assert.match(r.body, /memtop_sample_timestamp_seconds/);
    }
    const grew = rss() - before;
    process.stdout.write(`# ${ROUNDS * CONNECTIONS} fuzzed connections, ${answers} answered; memtop RSS +${grew.toFixed(0)} MiB\n`);
    assert.ok(grew < 100, `RSS grew ${grew.toFixed(0)} MiB`);
    assert.match(stderr(), /^memtop: serving metrics on [^\n]+\n$/, 'nothing said beyond the start line');
  } finally {
    child.kill('SIGKILL');
  }
});
