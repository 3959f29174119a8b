/**
 * Non-interactive outputs: --text and --json on stdout. A live feed is
 * sampled every interval (the first sample covers the time since boot); a
 * replay feed is printed sample after sample to its end.
 */
import { viewNeeds } from '../columns/views.js';
import type { Config } from '../config.js';
import type { Interval } from '../model/interval.js';
import { intervalJsonLine } from '../output/json.js';
import { renderText } from '../output/text.js';
import type { Feed } from '../feed.js';
import { everyInterval, runUntilSignal } from './timer.js';

export function formatInterval(iv: Interval, config: Config): string {
  if (config.mode === 'json') return intervalJsonLine(iv) + '\n';
  return renderText(iv, { width: config.width, view: config.view, sort: config.sort, all: config.all, allProcs: config.allProcs }) + '\n';
}

export async function runStream(feed: Feed, config: Config): Promise<void> {
  // A closed pipe (memtop --json | head -1) ends memtop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const needs = viewNeeds(config.view, config.sort ?? config.view.defaultSort, config.width);
  // The JSON output always carries the cgroups array.
  feed.needs = config.mode === 'json' ? { ...needs, cgroups: true } : needs;
  if (feed.recording) {
    for (let iv = feed.next(); iv; iv = feed.next()) {
      if (!process.stdout.write(formatInterval(iv, config))) {
        await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
    }
    return;
  }
  const clock = everyInterval(config.interval, config.samples, () => {
    const iv = feed.next();
    if (iv) process.stdout.write(formatInterval(iv, config));
  });
  await runUntilSignal(clock);
}
