import type { Config } from '../config.js';
import { UsageError } from '../config.js';

/** Stub: replaced by the raw log reader (issue: record and replay). */
export async function runReplay(_config: Config): Promise<void> {
  throw new UsageError('-r: replay is not implemented yet');
}
