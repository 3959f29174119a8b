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
import { CONTENT_TYPES, negotiateFormat, type ExpositionFormat } from './exposition.js';

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
