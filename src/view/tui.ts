import type { Config } from '../config.js';
import type { Feed } from '../run/feed.js';
import { runStream } from '../run/stream.js';

/** Placeholder until the blessed screen lands: the text output. */
export async function runTui(feed: Feed, config: Config): Promise<void> {
  await runStream(feed, { ...config, mode: 'text' });
}
