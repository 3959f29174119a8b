/**
 * Non-interactive outputs: --text and --json on stdout. A live feed is
 * sampled every interval (the first sample covers the time since boot); a
 * replay feed is printed sample after sample to its end.
 */
import { viewNeeds } from '../columns/views.js';
import type { Config } from '../config.js';
import type { Interval } from '../model/interval.js';
import { CsvOutput } from '../output/csv.js';
import { intervalJsonLine } from '../output/json.js';
import { renderText } from '../output/text.js';
import type { Feed } from '../feed.js';
import type { EndSignal } from '../messages.js';
import { checkStdoutOpen, StdoutSink } from './stdout.js';
import { everyInterval, onEndSignal, runUntilSignal } from './timer.js';

export function formatInterval(iv: Interval, config: Config): string {
  if (config.mode === 'json') return intervalJsonLine(iv) + '\n';
  return renderText(iv, {
    width: config.width, view: config.view, sort: config.sort, all: config.all, allProcs: config.allProcs, sortAtop: config.sortAtop, tree: config.tree,
  }) + '\n';
}

/** A replay yields to the event loop at least this often (ms), so that SIGINT, SIGTERM and SIGHUP end it at once. */
const REPLAY_SLICE_MS = 50;

export async function runStream(feed: Feed, config: Config): Promise<void> {
  checkStdoutOpen();
  const csv = config.mode === 'csv' ? new CsvOutput(config.csvProcs ? { view: config.view, sort: config.sort, allProcs: config.allProcs } : {}) : undefined;
  const format = (iv: Interval) => (csv ? csv.lines(iv) : formatInterval(iv, config));
  const needs = viewNeeds(config.view, config.sort ?? config.view.defaultSort, config.width);
  // The JSON output always carries the cgroups array.
  feed.needs = config.mode === 'json' ? { ...needs, cgroups: true } : needs;
  if (feed.recording) {
    const out = new StdoutSink();
    let stopped: EndSignal | undefined;
    let wake!: () => void;
    const signalled = new Promise<void>((resolve) => (wake = resolve));
    const off = onEndSignal((signal) => {
      stopped ??= signal;
      wake();
    });
    try {
      let slice = Date.now();
      for (let iv = feed.next(); iv && !stopped && !out.failure; iv = feed.next()) {
        // A reader that stopped reading must not keep memtop from a signal.
        if (!out.write(format(iv))) await Promise.race([out.drain(), signalled]);
        else if (Date.now() - slice > REPLAY_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = Date.now();
        }
      }
    } finally {
      off();
    }
    if (stopped) await out.endOnSignal(stopped);
    await out.flush();
    return;
  }
  const out = new StdoutSink(() => clock.stop());
  const clock = everyInterval(config.interval, config.samples, () => {
    const iv = feed.next();
    if (iv) out.write(format(iv));
  });
  const signal = await runUntilSignal(clock);
  if (signal) await out.endOnSignal(signal);
  await out.flush();
}
