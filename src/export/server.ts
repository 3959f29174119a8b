/**
 * The HTTP side of memtop --prometheus: GET /metrics answers with the last
 * published text (run/prometheus.ts samples and publishes).
 *
 * A scrape only writes the last rendered buffer, so any number of scrapes,
 * slow or vanishing clients cannot delay or pile up samples. Bad requests
 * get a status code, never a crash. What a flood can make it hold is
 * bounded: connections (MAX_CONNECTIONS), answers in flight on each
 * (MAX_IN_FLIGHT), bytes queued in all (MAX_QUEUED_BYTES).
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
/**
 * Requests of one connection received but not yet answered and written out
 * at most: a client that pipelines more without reading the answers is
 * closed (a scraper sends one request and reads its answer). Node stops
 * reading a connection whose answers back up, but only after parsing the
 * whole chunk it read: 64 KiB of pipelined requests made some 1800 requests
 * and answers, held until the connection closed, for each such connection.
 */
export const MAX_IN_FLIGHT = 8;

/** How many request heads end in `chunk` (a GET has no body): CRLF CRLF, or LF LF from a lenient client. */
function requestEnds(chunk: Buffer): number {
  let n = 0;
  for (const end of ['\r\n\r\n', '\n\n']) {
    for (let i = chunk.indexOf(end); i >= 0; i = chunk.indexOf(end, i + end.length)) n++;
  }
  return n;
}
/**
 * Bytes queued for writing over all connections at most (beyond what the
 * kernel took): over it, the connection holding the most is closed.
 */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** What the server keeps of a connection. */
interface Conn {
  /** Request heads seen in what it sent. */
  sent: number;
  /** Requests handed to the server whose answers are not yet written out. */
  inFlight: number;
  /** Answers written out (or given up with the connection). */
  answered: number;
  /** The last time it made progress (connected, sent a request while idle, or took an answer), ms. */
  since: number;
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

  const conns = new Map<Socket, Conn>();
  /** Over MAX_QUEUED_BYTES in all: the connections holding the most are closed until it is under. */
  const boundQueued = () => {
    let total = 0;
    for (const s of conns.keys()) total += s.writableLength;
    while (total > MAX_QUEUED_BYTES) {
      let worst: Socket | undefined;
      for (const s of conns.keys()) if (!worst || s.writableLength > worst.writableLength) worst = s;
      if (!worst) break;
      total -= worst.writableLength;
      conns.delete(worst);
      worst.destroy();
    }
  };

  // A connection that has not sent its headers within HEADERS_MS is closed (408), checked every
  // second: node's default check runs every 30 s, which let slow clients hold sockets for ~25 s.
  const server = createServer({
    requestTimeout: 10_000, headersTimeout: HEADERS_MS, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    const socket = req.socket;
    const conn = conns.get(socket);
    // Closed already (below, or by a bound): the rest of what it pipelined in the same chunk is not answered.
    if (!conn || socket.destroyed) {
      res.destroy();
      return;
    }
    if (conn.inFlight === 0) conn.since = Date.now();
    if (++conn.inFlight > MAX_IN_FLIGHT) {
      conns.delete(socket);
      socket.destroy();
      return;
    }
    res.on('close', () => {
      conn.inFlight--;
      conn.answered++;
      conn.since = Date.now();
    });
    res.on('error', () => {}); // a client that vanished mid-answer
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'Internal error\n');
      else res.destroy();
    }
    boundQueued();
  });
  // Idle or stalled connections (a reader that never reads) are closed after this long.
  server.setTimeout(30_000, (socket) => socket.destroy());
  server.maxHeadersCount = 100;
  // At most MAX_CONNECTIONS open, so file descriptors stay bounded; a new connection beyond that
  // closes the one that has gone longest without progress (idle, still sending its headers, or not
  // reading its answers), so no flood of slow, idle or pipelining sockets can keep a scraper out: a
  // scraper's connection is the newest and gets its answer at once.
  server.on('connection', (socket: Socket) => {
    if (conns.size >= MAX_CONNECTIONS) {
      let victim: Socket | undefined;
      let oldest = Infinity;
      for (const [s, c] of conns) {
        if (c.since < oldest) {
          oldest = c.since;
          victim = s;
        }
      }
      if (victim) {
        conns.delete(victim);
        victim.destroy();
      }
    }
    const conn: Conn = { sent: 0, inFlight: 0, answered: 0, since: Date.now() };
    conns.set(socket, conn);
    socket.once('close', () => conns.delete(socket));
    // Counted before node's parser sees a chunk (a 'data' listener makes node read the socket in
    // JavaScript, where this one runs first): a chunk that takes the connection past MAX_IN_FLIGHT
    // is blanked, so the parser fails on its first byte instead of making a request and an answer
    // of each of its requests, and the connection is closed.
    socket.prependListener('data', (chunk: Buffer) => {
      conn.sent += requestEnds(chunk);
      if (conn.sent - conn.answered <= MAX_IN_FLIGHT) return;
      chunk.fill(0);
      conns.delete(socket);
      socket.destroy();
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
