/**
 * memtop --prometheus [HOST:]PORT: no screen, a sample every interval, and
 * GET /metrics serving the text rendered from the latest interval.
 *
 * Sampling runs on its own timer and publishes to the server; a scrape
 * never takes a sample.
 */
import type { Config, ListenAddress } from '../config.js';
import { OomVictims, renderExposition } from '../export/exposition.js';
import { createMetricsServer } from '../export/server.js';
import type { Sampler } from '../reader/sampler.js';
import type { Sample } from '../sample.js';
import { LiveFeed } from './feeds.js';
import { everyInterval, runUntilSignal } from './timer.js';
import { EndedBySignal, MemtopError, messageOf, say } from '../messages.js';

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
  const addr = config.prometheus!;
  const metrics = createMetricsServer();
  const { server } = metrics;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new MemtopError(listenError(err, addr))));
    server.listen(addr.port, addr.host, () => resolve());
  });
  server.on('error', (err: NodeJS.ErrnoException) => say(`metrics server: ${err.message}`));
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : addr.port;
  const shownHost = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  say(`serving metrics on http://${shownHost}:${port}/metrics every ${config.interval} s`);

  let latest: Sample | undefined;
  const feed = new LiveFeed(sampler, config.thresholds, (s) => (latest = s), { window: config.window });
  // The exposition ranks memory cgroups too; PSIZE (a page-table walk per process) only with --psize.
  feed.needs = { cgroups: true, pss: !!config.psize };
  let failed = false;
  const oomVictims = new OomVictims();
  const tick = () => {
    const started = process.hrtime.bigint();
    try {
      const iv = feed.next();
      const sampleSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!latest) return;
      oomVictims.add(iv);
      const opts = { top: config.top, sampleSeconds, oomVictims: oomVictims.byCommand };
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
  const signal = await runUntilSignal(clock);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  if (signal) throw new EndedBySignal(signal);
}
