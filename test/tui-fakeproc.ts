/**
 * A fake /proc for the screen tests, written with the shared tree helpers:
 * the case study's machine with MEM critical (red) and PAG almost critical
 * (cyan), lekker among six upload processes. Command lines and io files are
 * added so the c and d views and the / filter have something to show.
 */
import { rmSync } from 'node:fs';
import { fakeProcFiles, makeTree, type FakeMoment, type FakeProc } from './helpers/trees.js';

export interface ScreenProc extends FakeProc {
  cmdline?: string;
}

export interface ScreenMoment extends FakeMoment {
  procs: ScreenProc[];
}

const MiB = 256; // pages

export const CASE_STUDY: ScreenMoment = {
  uptime: 1000,
  cpu: [18000, 6000, 176000, 100],
  // MEM used (tot - free - cache - buff - slrec + shmem) is 92% of tot: critical.
  memKb: {
    MemTotal: 4_000_000, MemFree: 100_000, MemAvailable: 250_000, Cached: 150_000, Buffers: 30_000,
    SReclaimable: 20_000, Shmem: 10_000, SwapTotal: 8_000_000, SwapFree: 7_800_000,
  },
  // 2000 pages swapped out in 1000 s: 2 per second, almost critical.
  vmstat: { pswpin: 500, pswpout: 2000, pgscan_kswapd: 30712 },
  procs: [
    { pid: 31048, comm: 'lekker', rss: 172 * MiB, vsize: 176 * MiB, minflt: 40020, cmdline: './lekker --grow' },
    { pid: 30457, comm: 'upload', rss: 256 * MiB, vsize: 260 * MiB, cmdline: 'upload -n 1' },
    { pid: 30926, comm: 'upload', rss: 256 * MiB + 25, vsize: 260 * MiB, cmdline: 'upload -n 2' },
    { pid: 30925, comm: 'upload', rss: 256 * MiB - 25, vsize: 260 * MiB, cmdline: 'upload -n 3' },
    { pid: 29272, comm: 'chrome', rss: 103 * MiB, vsize: 1024 * MiB, utime: 900, stime: 100, cmdline: 'chrome --type=renderer' },
    { pid: 4680, comm: 'firefox', rss: 68 * MiB, vsize: 640 * MiB, uid: 4242, cmdline: 'firefox' },
    { pid: 3343, comm: 'atop', rss: 38 * MiB, vsize: 50 * MiB, cmdline: 'atop 20' },
    { pid: 1530, comm: 'Xorg', rss: 28 * MiB, vsize: 157 * MiB, utime: 5000, stime: 3000, cmdline: '/usr/bin/Xorg :0' },
    { pid: 1, comm: 'systemd', rss: 9 * MiB, vsize: 166 * MiB, cmdline: '/sbin/init' },
  ],
};

/** The moment with lekker `mib` MiB bigger, `seconds` later. */
export function lekkerGrown(mib: number, seconds: number): ScreenMoment {
  return {
    ...CASE_STUDY,
    uptime: CASE_STUDY.uptime + seconds,
    procs: CASE_STUDY.procs.map((p) => (p.comm === 'lekker' ? { ...p, rss: p.rss! + mib * MiB, vsize: p.vsize! + mib * MiB } : p)),
  };
}

/** Writes (or rewrites) the moment into `dir`. */
export function writeFakeProc(dir: string, m: ScreenMoment): void {
  const extra: Record<string, string> = {};
  for (const p of m.procs) {
    extra[`${p.pid}/cmdline`] = (p.cmdline ?? p.comm ?? '').split(' ').join('\0') + '\0';
    extra[`${p.pid}/io`] = `read_bytes: ${p.pid * 512}\nwrite_bytes: 0\ncancelled_write_bytes: 0\n`;
  }
  makeTree({ ...fakeProcFiles(m), ...extra }, dir);
}

export function makeFakeProc(m: ScreenMoment = CASE_STUDY): { dir: string; remove(): void } {
  const dir = makeTree({});
  writeFakeProc(dir, m);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
