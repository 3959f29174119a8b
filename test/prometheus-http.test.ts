/**
 * The HTTP side of --prometheus: status codes, formats, parallel scrapes,
 * slow and vanishing clients, malformed requests; and the built CLI
 * (`npm run build` first): port in use, bad addresses, sampling on its own
 * timer while scrapes hammer it, a clean stop on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createMetricsServer, type MetricsServer } from '../src/export/server.js';
import { requireBuild, runCli } from './helpers/cli.js';
import { FakeRoot, freePort, httpRequest, idleClient, processLines, seriesValue, startMemtop } from './prometheus-helpers.js';

const GET = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n';

const TEXTS = {
  prometheus: '# HELP memtop_x_bytes X.\n# TYPE memtop_x_bytes gauge\nmemtop_x_bytes 1\n',
  openmetrics: '# HELP memtop_x_bytes X.\n# TYPE memtop_x_bytes gauge\n# UNIT memtop_x_bytes bytes\nmemtop_x_bytes 1\n# EOF\n',
};

async function withServer(fn: (port: number, m: MetricsServer) => Promise<void>): Promise<void> {
  const m = createMetricsServer();
  await new Promise<void>((resolve) => m.server.listen(0, '127.0.0.1', resolve));
  const addr = m.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    await fn(port, m);
  } finally {
    m.server.closeAllConnections();
    await new Promise<void>((resolve) => m.server.close(() => resolve()));
  }
}

/** Sends raw bytes and returns what came back before the server closed or `ms` passed. */
function rawExchange(port: number, data: string, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(got);
    }, ms);
    sock.on('data', (c) => (got += c.toString('latin1')));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    sock.on('error', reject);
    sock.write(data);
  });
}

test('GET /metrics serves the text format, OpenMetrics on request, before a sample 503', async () => {
  await withServer(async (port, m) => {
    const early = await httpRequest(port, '/metrics');
    assert.equal(early.status, 503);
    m.publish(TEXTS);
    const plain = await httpRequest(port, '/metrics');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(plain.body, TEXTS.prometheus);
    const om = await httpRequest(port, '/metrics', {
      headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    });
    assert.equal(om.status, 200);
    assert.equal(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.equal(om.body, TEXTS.openmetrics);
    const query = await httpRequest(port, '/metrics?name[]=x');
    assert.equal(query.status, 200);
    const head = await httpRequest(port, '/metrics', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(TEXTS.prometheus)));
  });
});

test('gzip when the scraper accepts it', async () => {
  await withServer(async (port, m) => {
    m.publish(TEXTS);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
        assert.equal(res.headers['content-encoding'], 'gzip');
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(gunzipSync(body).toString('utf8'), TEXTS.prometheus);
    const refused = await httpRequest(port, '/metrics', { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.equal(refused.body, TEXTS.prometheus);
  });
});

test('other paths are 404, other methods 405, malformed requests 4xx', async () => {
  await withServer(async (port, m) => {
    m.publish(TEXTS);
    for (const path of ['/', '/metric', '/metrics/', '/metrics/x', '/favicon.ico', '/%ZZ', '//metrics']) {
      assert.equal((await httpRequest(port, path)).status, 404, path);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await httpRequest(port, '/metrics', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    assert.match(await rawExchange(port, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await rawExchange(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'), /^HTTP\/1\.1 400/);
    const huge = await rawExchange(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431/);
    // Still serving.
    assert.equal((await httpRequest(port, '/metrics')).status, 200);
  });
});

test('200 parallel scrapes all succeed with the same text', async () => {
  await withServer(async (port, m) => {
    const big = TEXTS.prometheus + 'memtop_y{pid="1"} 2\n'.repeat(2000);
    m.publish({ prometheus: big, openmetrics: TEXTS.openmetrics });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => httpRequest(port, '/metrics')));
    const ms = performance.now() - started;
    assert.ok(results.every((r) => r.status === 200 && r.body === big));
    process.stdout.write(`# 200 parallel scrapes of ${big.length} bytes: ${ms.toFixed(0)} ms\n`);
  });
});

test('slow and vanishing clients do not hurt the others', async () => {
  await withServer(async (port, m) => {
    // A text of several MB, so readers that never read leave the server with unsent data.
    const big = TEXTS.prometheus + `memtop_y{comm="${'x'.repeat(100)}"} 2\n`.repeat(40_000);
    m.publish({ prometheus: big, openmetrics: TEXTS.openmetrics });
    const sockets: Socket[] = [];
    try {
      // Readers that never read; clients gone mid-request or before the answer; half a request line, then silence.
      for (let i = 0; i < 30; i++) sockets.push(idleClient(port, GET));
      for (let i = 0; i < 30; i++) idleClient(port, i % 2 ? GET.slice(0, -2) : GET).destroy();
      for (let i = 0; i < 20; i++) sockets.push(idleClient(port, 'GET /metr'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      const r = await httpRequest(port, '/metrics', { timeoutMs: 5000 });
      assert.equal(r.status, 200);
      assert.equal(r.body.length, big.length);
      assert.ok(performance.now() - started < 2000, 'a normal scrape is not held up');
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

// ---- the built CLI ----

test('port already in use: one clear line and exit 1', async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const addr = blocker.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    const r = await runCli(['--prometheus', `127.0.0.1:${port}`, '--proc', root.proc, '--sys', root.sys, '1']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^memtop: cannot serve metrics on 127\\.0\\.0\\.1:${port}: the port is already in use`));
  } finally {
    blocker.close();
  }
});

test('bad --prometheus and --top values, or another output besides: one line, exit 2', async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const cases = [
    ['--prometheus', ':9464'], ['--prometheus', '99999'], ['--prometheus', 'x'], ['--prometheus', '9464', '--top', '0'],
    ['--prometheus', '9464', '--json'], ['--prometheus', '9464', '-r', 'somefile'],
  ];
  for (const args of cases) {
    const r = await runCli([...args, '--proc', root.proc, '--sys', root.sys]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr, /^memtop: (invalid --(prometheus|top)|--prometheus .* excludes --(json|read))/);
  }
});

test('memtop --prometheus samples on its own timer while scrapes hammer it, and stops on SIGTERM', async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const { child, port } = await startMemtop(['--prometheus', '127.0.0.1:0', '--proc', root.proc, '--sys', root.sys, '0.3']);
  const sockets: Socket[] = [];
  try {
    const first = await httpRequest(port, '/metrics');
    assert.equal(first.status, 200);
    assert.equal(seriesValue(first.body, 'memtop_memory_total_bytes'), 8000000 * 1024);
    const t0 = seriesValue(first.body, 'memtop_sample_timestamp_seconds')!;
    // Readers that never read and a storm of scrapes for 2 s.
    for (let i = 0; i < 50; i++) sockets.push(idleClient(port, GET));
    const stamps = new Set<number>();
    const latencies: number[] = [];
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const batch = await Promise.all(Array.from({ length: 20 }, async () => {
        const started = performance.now();
        const r = await httpRequest(port, '/metrics');
        latencies.push(performance.now() - started);
        return r;
      }));
      for (const r of batch) {
        assert.equal(r.status, 200);
        stamps.add(seriesValue(r.body, 'memtop_sample_timestamp_seconds')!);
      }
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    process.stdout.write(`# ${latencies.length} scrapes of memtop (20 at a time): median ${median.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms\n`);
    // 0.3 s interval over 2 s: about 6 new samples; scrapes must not have held sampling up.
    assert.ok(stamps.size >= 4, `only ${stamps.size} distinct samples seen in 2 s`);
    assert.ok(Math.max(...stamps) - t0 >= 1.2, 'sampling advanced while scraped');
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    // Ended by SIGTERM after closing the server, as systemd expects of a clean stop (man: EXIT STATUS).
    assert.equal(await exited, 'SIGTERM');
  } finally {
    for (const s of sockets) s.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** /metrics once the first sample is published (503 before it). */
async function firstMetrics(port: number): Promise<{ status: number; body: string }> {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await httpRequest(port, '/metrics');
    if (r.status === 200 || Date.now() > end) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('PSIZE is exported only with --psize (a page-table walk per process), as memtop_process_pss_bytes', async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const base = ['--top', '1', '--proc', root.proc, '--sys', root.sys, '5'];
  const without = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, ...base]);
  try {
    const r = await firstMetrics(without.port);
    assert.match(r.body, /^memtop_process_resident_bytes\{pid="200"/m);
    assert.doesNotMatch(r.body, /memtop_process_pss_bytes/);
  } finally {
    without.child.kill('SIGKILL');
  }
  const withPsize = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, '--psize', ...base]);
  try {
    const r = await firstMetrics(withPsize.port);
    assert.match(r.body, /^# TYPE memtop_process_pss_bytes gauge$/m);
    assert.deepEqual(r.body.split('\n').filter((l) => l.startsWith('memtop_process_pss_bytes')),
      [`memtop_process_pss_bytes{pid="200",comm="big"} ${4096 * 40000}`]);
  } finally {
    withPsize.child.kill('SIGKILL');
  }
});

test('--top bounds the exported processes', async (t) => {
  requireBuild();
  const root = FakeRoot.forTest(t);
  const { child, port } = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, '--top', '1', '--proc', root.proc, '--sys', root.sys, '5']);
  try {
    const r = await httpRequest(port, '/metrics');
    assert.deepEqual(processLines(r.body), ['memtop_process_resident_bytes{pid="200",comm="big"} 204800000']);
  } finally {
    child.kill('SIGKILL');
  }
});
