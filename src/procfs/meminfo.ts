import { scanKeyNumbers } from './keyvalue.js';

/**
 * /proc/meminfo as a map from key to value. Values with a "kB" suffix are
 * converted to bytes; bare counts (HugePages_Total, ...) are kept as counts.
 * A key absent from the text is absent from the map: old kernels lack
 * MemAvailable (before 3.14), Shmem, SReclaimable, so callers must treat
 * undefined as "unknown", never as zero.
 */
export type MemInfo = Record<string, number>;

export function parseMeminfo(text: string): MemInfo {
  const out: MemInfo = {};
  scanKeyNumbers(text, ':', (key, value, kb) => {
    out[key] = kb ? value * 1024 : value;
  });
  return out;
}
