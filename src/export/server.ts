import type { Config } from '../config.js';
import { UsageError } from '../config.js';
import type { Sampler } from '../reader/sampler.js';

/** Stub: replaced by the Prometheus endpoint (issue: fleets). */
export async function runPrometheus(_sampler: Sampler, _config: Config): Promise<void> {
  throw new UsageError('--prometheus is not implemented yet');
}
