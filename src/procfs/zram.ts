import { kernelCount } from './number.js';

/**
 * /sys/block/zramN/mm_stat: one line of numbers (Documentation/admin-guide/
 * blockdev/zram.rst). 4.7 gave seven (orig_data_size compr_data_size
 * mem_used_total mem_limit mem_used_max same_pages pages_compacted), 5.x
 * added huge_pages, 6.x huge_pages_since; memtop uses the first three, in
 * bytes. A line whose first three are not kernel counts is no mm_stat.
 */
export interface ZramMmStat {
  /** Uncompressed size of the data stored. */
  origData: number;
  /** Compressed size of that data. */
  comprData: number;
  /** Memory the device takes for it, allocator overhead included. */
  memUsed: number;
}

export function parseZramMmStat(text: string): ZramMmStat | undefined {
  const f = text.trim().split(/\s+/);
  const origData = kernelCount(f[0]);
  const comprData = kernelCount(f[1]);
  const memUsed = kernelCount(f[2]);
  if (origData === undefined || comprData === undefined || memUsed === undefined) return undefined;
  return { origData, comprData, memUsed };
}
