/**
 * The HTTP side of memtop --prometheus: GET /metrics answers with the last
 * published text (run/prometheus.ts samples and publishes).
 *
 * A scrape only writes the last rendered buffer, so any number of scrapes,
 * slow or vanishing clients cannot delay or pile up samples. Bad requests
 * get a status code, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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

/** A client has this long to send its request headers. */
const HEADERS_MS = 3_000;
/** Connections kept open at most. */
export const MAX_CONNECTIONS = 256;

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

  // A connection that has not sent its headers within HEADERS_MS is closed (408), checked every
  // second: node's default check runs every 30 s, which let slow clients hold sockets for ~25 s.
  const server = createServer({
    requestTimeout: 10_000, headersTimeout: HEADERS_MS, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    const socket = req.socket;
    busy.add(socket);
    res.on('close', () => busy.delete(socket));
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
  // At most MAX_CONNECTIONS open, so file descriptors stay bounded; a new connection beyond that
  // closes the oldest one that is not being answered (idle, or still sending its headers), so a
  // flood of slow or idle sockets cannot keep a scraper out.
  const open = new Set<Socket>();
  const busy = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= MAX_CONNECTIONS) {
      let victim: Socket | undefined;
      for (const s of open) {
        if (!busy.has(s)) {
          victim = s;
          break;
        }
      }
      (victim ?? socket).destroy();
      if (!victim) return;
      open.delete(victim);
    }
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      busy.delete(socket);
    });
  });
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
