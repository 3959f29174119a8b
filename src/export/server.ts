/**
 * memtop --prometheus [HOST:]PORT: no screen, a sample every interval, and
 * GET /metrics serving the text rendered from the latest interval.
 *
 * Sampling runs on its own timer; a scrape only writes the last rendered
 * buffer, so any number of scrapes, slow or vanishing clients cannot delay
 * or pile up samples. Bad requests get a status code, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Config } from '../config.js';
import { UsageError } from '../config.js';
import type { Sampler } from '../reader/sampler.js';
import { LiveFeed } from '../run/feed.js';
import { everyInterval, runUntilSignal } from '../run/timer.js';
import type { Sample } from '../sample.js';
import { CONTENT_TYPES, negotiateFormat, renderExposition, type ExpositionFormat } from './exposition.js';
import { messageOf, say } from '../messages.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** PORT, HOST:PORT or [IPv6]:PORT; the host defaults to 127.0.0.1 (never all interfaces by accident). */
export function parseListen(text: string): ListenAddress {
  const bad = (why: string) =>
    new UsageError(`invalid --prometheus '${text}': ${why} (give PORT, HOST:PORT or [IPV6]:PORT, e.g. 9464 or 0.0.0.0:9464)`);
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim());
  if (!m) throw bad('not a port or host:port');
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw bad('the port must be from 0 to 65535');
  if (host === '' && text.trim().includes(':')) throw bad('the host before ":" is empty; use 0.0.0.0 for all interfaces');
  return { host: host || '127.0.0.1', port };
}

/** What a scrape gets: the rendered texts of one interval, gzipped on first demand. */
interface Rendered {
  body: Record<ExpositionFormat, Buffer>;
  gzip: Partial<Record<ExpositionFormat, Buffer>>;
}

export interface MetricsServer {
  server: Server;
  /** Replaces what scrapes get from now on. */
  publish(texts: Record<ExpositionFormat, string>): void;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  if (typeof ae !== 'string') return false;
  return ae.split(',').some((coding) => {
    const [name = '', ...params] = coding.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return name === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The HTTP side alone (no sampling), so tests can drive it with any text. */
export function createMetricsServer(): MetricsServer {
  let current: Rendered | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      send(res, 404, 'Not found: memtop serves /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed: use GET\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (!current) {
      send(res, 503, 'No sample yet\n', { 'Retry-After': '1' });
      return;
    }
    const format = negotiateFormat(req.headers.accept);
    let body = current.body[format];
    const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[format], Vary: 'Accept, Accept-Encoding' };
    if (acceptsGzip(req)) {
      body = current.gzip[format] ??= gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
    res.on('error', () => {}); // a client that vanished mid-answer
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'Internal error\n');
      else res.destroy();
    }
  });
  // Idle or stalled connections (a reader that never reads) are closed after this long.
  server.setTimeout(30_000, (socket) => socket.destroy());
  server.maxHeadersCount = 100;
  // Beyond this many open connections new ones are refused: file descriptors stay bounded.
  server.maxConnections = 512;
  // Malformed requests: node's default answer (400, 431 for oversized headers, 408 on timeout) and close.
  return {
    server,
    publish(texts) {
      current = {
        body: { prometheus: Buffer.from(texts.prometheus, 'utf8'), openmetrics: Buffer.from(texts.openmetrics, 'utf8') },
        gzip: {},
      };
    },
  };
}

function listenError(err: NodeJS.ErrnoException, addr: ListenAddress): string {
  const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot serve metrics on ${where}: the port is already in use (choose another with --prometheus)`;
    case 'EACCES':
      return `cannot serve metrics on ${where}: permission denied (ports below 1024 need root; choose another)`;
    case 'EADDRNOTAVAIL':
      return `cannot serve metrics on ${where}: no such address on this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot serve metrics on ${where}: unknown host '${addr.host}'`;
    default:
      return `cannot serve metrics on ${where}: ${err.message}`;
  }
}

export async function runPrometheus(sampler: Sampler, config: Config): Promise<void> {
  const addr = parseListen(config.prometheus ?? '');
  const metrics = createMetricsServer();
  const { server } = metrics;
  await new Promise<void>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      say(listenError(err, addr));
      process.exit(1);
    });
    server.listen(addr.port, addr.host, () => resolve());
  });
  server.on('error', (err: NodeJS.ErrnoException) => say(`metrics server: ${err.message}`));
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : addr.port;
  const shownHost = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  say(`serving metrics on http://${shownHost}:${port}/metrics every ${config.interval} s`);

  let latest: Sample | undefined;
  const feed = new LiveFeed(sampler, config.thresholds, (s) => (latest = s), { window: config.window });
  let failed = false;
  const tick = () => {
    const started = process.hrtime.bigint();
    try {
      const iv = feed.next();
      const sampleSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!latest) return;
      const opts = { top: config.top, sampleSeconds };
      metrics.publish({
        prometheus: renderExposition(iv, latest, { ...opts, format: 'prometheus' }),
        openmetrics: renderExposition(iv, latest, { ...opts, format: 'openmetrics' }),
      });
      failed = false;
    } catch (err) {
      // Keep serving the last good text; say so once per run of failures.
      if (!failed) say(`sampling failed: ${messageOf(err)}`);
      failed = true;
    }
  };
  const clock = everyInterval(config.interval, config.samples, tick);
  await runUntilSignal(clock);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
