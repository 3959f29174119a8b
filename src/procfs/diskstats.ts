/** /proc/diskstats: one line per block device. */
import { isKernelCount } from './number.js';

export interface DiskCounters {
  major: number;
  minor: number;
  name: string;
  reads: number;
  readSectors: number;
  writes: number;
  writeSectors: number;
  inflight: number;
  /** Milliseconds the device had I/O in flight (io_ticks). */
  ioMs: number;
  /** Weighted milliseconds (time in queue summed over requests). */
  weightedMs: number;
  /** -1 on kernels before 4.18, which have no discard columns. */
  discards: number;
  discardSectors: number;
}

/**
 * Accepts the 14-field layout (kernel < 4.18), 18 fields (discards, 4.18+)
 * and 20 fields (flushes, 5.5+). Lines of the 2.6.25-era partition format
 * (7 fields: reads, read sectors, writes, write sectors) keep their counts
 * with zero times. Lines that are none of these are skipped, and so are
 * lines with a counter no kernel prints (negative, beyond 2^64): the device
 * is unknown rather than shown with a made-up figure.
 */
export function parseDiskstats(text: string): DiskCounters[] {
  const out: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const n = (i: number) => Number(f[i]) || 0;
    const major = Number(f[0]);
    const minor = Number(f[1]);
    if (!Number.isInteger(major) || !Number.isInteger(minor)) continue;
    const name = f[2]!;
    if (!f.slice(3).every((v) => isKernelCount(Number(v)))) continue;
    if (f.length === 7) {
      out.push({
        major, minor, name,
        reads: n(3), readSectors: n(4), writes: n(5), writeSectors: n(6),
        inflight: 0, ioMs: 0, weightedMs: 0, discards: -1, discardSectors: 0,
      });
      continue;
    }
    if (f.length < 14) continue;
    out.push({
      major, minor, name,
      reads: n(3),
      readSectors: n(5),
      writes: n(7),
      writeSectors: n(9),
      inflight: n(11),
      ioMs: n(12),
      weightedMs: n(13),
      discards: f.length >= 18 ? n(14) : -1,
      discardSectors: f.length >= 18 ? n(16) : 0,
    });
  }
  return out;
}

export type DiskClass = 'lvm' | 'mdd' | 'dsk';

/** atop's device table (photosyst.c isdisk_name): which names are whole disks. */
const DSK_PATTERNS: RegExp[] = [
  /^sd[a-z]+$/,
  /^vd[a-z]+$/,
  /^nvme\d+n\d+$/,
  /^nvme\d+c\d+n\d+$/,
  /^nbd\d+$/,
  /^hd[a-z]$/,
  /^xvd[a-z]+\d*$/,
  /^mmcblk\d+$/,
  /^dasd[a-z]+$/,
  /^rbd\d+(p\d+)?$/,
  /^emcpower[a-z]+$/,
  /^fio[a-z]+$/,
  /^cciss\/c\d+d\d+$/,
  /^rd\/c\d+d\d+$/,
];

/**
 * Classifies a device name as atop does: dm-N is LVM, mdN is MDD, whole
 * disks are DSK; partitions, loop, ram, zram and anything unknown give null.
 */
export function classifyDisk(name: string): DiskClass | null {
  if (/^dm-\d+$/.test(name)) return 'lvm';
  if (/^md\d+$/.test(name)) return 'mdd';
  for (const re of DSK_PATTERNS) if (re.test(name)) return 'dsk';
  return null;
}
