/**
 * atop's per-user (u) and per-program (p) views: one row per user or
 * program, its processes' figures folded as each column's `fold` says
 * (summed, mostly), NPROCS counting them. The rows are ProcIntervals, so the
 * one column registry formats and sorts them.
 */
import type { ProcInterval } from '../model/interval.js';
import { allColumns } from './process.js';
import { foldRows } from './registry.js';

/** The row before folding: who it is, and the columns that do not fold at zero. */
function blankRow(p: ProcInterval, by: 'user' | 'program'): ProcInterval {
  return {
    pid: 0, ppid: 0, uid: by === 'user' ? p.uid : undefined,
    user: by === 'user' ? p.user : '', state: '', cmd: by === 'program' ? p.cmd : '', isNew: false,
    nice: 0, priority: 0, processor: 0,
  } as ProcInterval;
}

/** Folds processes per user name or per command name; unknown figures stay unknown only when unknown for all. */
export function aggregateProcs(procs: readonly ProcInterval[], by: 'user' | 'program'): ProcInterval[] {
  const groups = new Map<string, ProcInterval[]>();
  for (const p of procs) {
    const key = by === 'user' ? p.user : p.cmd;
    const members = groups.get(key);
    if (members) members.push(p);
    else groups.set(key, [p]);
  }
  const columns = allColumns();
  return [...groups.values()].map((members) => newcomers(foldRows(columns, blankRow(members[0]!, by), members), members));
}

/**
 * What of a row is new (RGROW of the processes born in the interval) or
 * young (TRATE of the processes too young for a windowed rate): the RGROW and
 * TRATE sorts rank a row by the rest first (see rgrowRank in process.ts).
 */
function newcomers(row: ProcInterval, members: readonly ProcInterval[]): ProcInterval {
  for (const p of members) {
    if (p.isNew || p.recent) {
      row.born = (row.born ?? 0) + 1;
      row.bornGrow = (row.bornGrow ?? 0) + (p.rgrow ?? 0);
    }
    if (p.young && p.trate !== undefined) row.youngRate = (row.youngRate ?? 0) + p.trate;
  }
  return row;
}
