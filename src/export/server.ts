/**
 * The HTTP side of memtop --prometheus: GET /metrics answers with the last
 * published text (run/prometheus.ts samples and publishes).
 *
 * A scrape only writes the last rendered buffer, so any number of scrapes,
 * slow or vanishing clients cannot delay or pile up samples. Bad requests
 * get a status code, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { UsageError } from '../config.js';
import { CONTENT_TYPES, negotiateFormat, type ExpositionFormat } from './exposition.js';

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
