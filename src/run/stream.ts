/** Non-interactive outputs: --text and --json, sample after sample on stdout. */
import type { Config } from '../config.js';
import { intervalJsonLine } from '../output/json.js';
import { renderText } from '../output/text.js';
import type { Sampler } from '../reader/sampler.js';
import { runLoop } from './loop.js';

export async function runStream(sampler: Sampler, config: Config): Promise<void> {
  // A closed pipe (memtop --json | head -1) ends memtop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const loop = runLoop(
    sampler,
    {
      interval: config.interval,
      samples: config.samples,
      thresholds: config.thresholds,
      needs: () => config.view.needs,
    },
    (iv) => {
      if (config.mode === 'json') process.stdout.write(intervalJsonLine(iv) + '\n');
      else process.stdout.write(renderText(iv, { width: config.width, view: config.view, sort: config.sort, all: config.all }) + '\n');
    },
  );
  const stop = () => loop.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await loop.done;
}
