/**
 * Reads one process for the detail: status, and smaps once. smaps walks the
 * target's page tables under its mmap lock (milliseconds for a big
 * process), so it is read here only, for the one process shown, once per
 * interval: never in the list's per-sample path. Its sum is the rollup
 * (smaps_rollup would walk the page tables a second time for the same sums).
 */
import { join } from 'node:path';
import type { DetailReading } from '../model/detail.js';
import { parsePidStat, parseStatusMemory, PID_STAT_MAX, PID_STATUS_MAX } from '../procfs/pid.js';
import { parseSmaps, sumMappings } from '../procfs/smaps.js';
import { DAMAGED, DENIED, GONE, lastDamage, readText } from './readfile.js';

/** A mapping's smaps entry is about 1.5 KB and max_map_count 65530 by default: room for 2.5 times that. */
const SMAPS_MAX = 256 << 20;

/** Why smaps cannot be read by this user: ptrace read access is needed (proc(5)). */
export function deniedReason(proc: string, pid: number): string {
  const uid = process.getuid?.();
  return uid === 0
    ? `permission denied reading ${join(proc, String(pid), 'smaps')}`
    : `permission denied: smaps of another user's process needs root or CAP_SYS_PTRACE (memtop runs as uid ${uid})`;
}

export function readDetail(proc: string, pid: number, now = Date.now()): DetailReading {
  const dir = join(proc, String(pid));
  const statText = readText(join(dir, 'stat'), { oneRead: true, max: PID_STAT_MAX });
  const stat = typeof statText === 'string' ? parsePidStat(statText) : undefined;
  const statusText = readText(join(dir, 'status'), { oneRead: true, max: PID_STATUS_MAX });
  const reading: DetailReading = { pid, cmd: stat?.comm ?? '', time: now };
  if (typeof statusText !== 'string') return reading;
  reading.status = parseStatusMemory(statusText);
  const smaps = readText(join(dir, 'smaps'), { max: SMAPS_MAX });
  if (smaps === DENIED) reading.smapsUnreadable = deniedReason(proc, pid);
  else if (smaps === DAMAGED) reading.smapsUnreadable = `${join(dir, 'smaps')} ${lastDamage()}`;
  else if (smaps === GONE) reading.smapsUnreadable = 'the process ended while its smaps was read';
  else {
    reading.mappings = parseSmaps(smaps);
    reading.rollup = sumMappings(reading.mappings);
  }
  return reading;
}
