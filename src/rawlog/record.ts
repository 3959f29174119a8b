import type { Config } from '../config.js';
import { UsageError } from '../config.js';
import type { Sampler } from '../reader/sampler.js';

/** Stub: replaced by the raw log writer (issue: record and replay). */
export async function runRecord(_sampler: Sampler, _config: Config): Promise<void> {
  throw new UsageError('-w/--log-dir: recording is not implemented yet');
}
