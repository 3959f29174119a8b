import type { Config } from '../config.js';
import type { Sampler } from '../reader/sampler.js';
import { runStream } from '../run/stream.js';

/** Placeholder until the blessed screen lands: the text output. */
export async function runTui(sampler: Sampler, config: Config): Promise<void> {
  await runStream(sampler, { ...config, mode: 'text' });
}
