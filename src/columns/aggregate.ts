/**
 * atop's per-user (u) and per-program (p) views: one row per user or
 * program, the figures of its processes summed, NPROCS counting them. The
 * rows are ProcIntervals, so the one column registry formats and sorts them.
 */
import type { ProcInterval } from '../model/interval.js';

type Summed = 'minflt' | 'majflt' | 'syscpu' | 'usrcpu' | 'cpu' | 'vsize' | 'rsize' | 'vgrow' | 'rgrow' | 'mem' | 'threads';
type SummedIfKnown = 'vstext' | 'vslibs' | 'vdata' | 'vstack' | 'locksz' | 'swapsz' | 'rddsk' | 'wrdsk' | 'wcancl' | 'dsk' | 'trate' | 'tgrow';

const SUMMED: Summed[] = ['minflt', 'majflt', 'syscpu', 'usrcpu', 'cpu', 'vsize', 'rsize', 'vgrow', 'rgrow', 'mem', 'threads'];
const SUMMED_IF_KNOWN: SummedIfKnown[] = [
  'vstext', 'vslibs', 'vdata', 'vstack', 'locksz', 'swapsz', 'rddsk', 'wrdsk', 'wcancl', 'dsk', 'trate', 'tgrow',
];

function emptyRow(p: ProcInterval, by: 'user' | 'program'): ProcInterval {
  return {
    pid: 0, ppid: 0, uid: by === 'user' ? p.uid : undefined,
    user: by === 'user' ? p.user : '', state: '', cmd: by === 'program' ? p.cmd : '', isNew: false,
    threads: 0, nice: 0, priority: 0, processor: 0, minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0,
    vsize: 0, rsize: 0, vgrow: 0, rgrow: 0, mem: 0, nprocs: 0,
  };
}

/** Sums processes per user name or per command name; unknown figures stay unknown only when unknown for all. */
export function aggregateProcs(procs: readonly ProcInterval[], by: 'user' | 'program'): ProcInterval[] {
  const groups = new Map<string, ProcInterval>();
  for (const p of procs) {
    const key = by === 'user' ? p.user : p.cmd;
    let row = groups.get(key);
    if (!row) groups.set(key, (row = emptyRow(p, by)));
    row.nprocs! += 1;
    for (const k of SUMMED) row[k] += p[k];
    if (p.leak) row.leak = true;
    for (const k of SUMMED_IF_KNOWN) {
      const v = p[k];
      if (v !== undefined) row[k] = (row[k] ?? 0) + v;
    }
  }
  return [...groups.values()];
}
