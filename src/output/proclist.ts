/** The process list as plain lines: header and rows, from the column registry. */
import type { Column } from '../columns/process.js';
import { sortProcs } from '../columns/process.js';
import { aggregateProcs } from '../columns/aggregate.js';
import { fitColumns, listsAllProcs, withOnDemand, type ViewDef } from '../columns/views.js';
import type { ExitedProc, ProcInterval } from '../model/interval.js';
import { isActive } from '../model/process.js';
import { isTreeColumn, processTree, treeColumn } from './proctree.js';

/** Spaces after each column but the last: one each, or `gaps` (the screen's spread). */
function joinCells(cells: string[], gaps?: number[]): string {
  if (!gaps) return cells.join(' ');
  let line = '';
  for (let i = 0; i < cells.length; i++) line += i < cells.length - 1 ? cells[i] + ' '.repeat(gaps[i] ?? 1) : cells[i];
  return line;
}

/** What a list's header and rows need of a column, whatever the row (a process, a cgroup). */
export interface ListColumn<Row> {
  name: string;
  width: number;
  left?: boolean;
  format(r: Row): string;
}

/** Columns whose width follows the terminal (the full command line). */
export const isVarWidth = (c: { name: string }) => c.name === 'COMMAND-LINE';

/** `shift`: characters of a last column of variable width scrolled out at the left (shown as +N). */
export function headerRow(cols: readonly Omit<ListColumn<never>, 'format'>[], width: number, gaps?: number[], shift = 0): string {
  const cells = cols.map((c, i) => {
    const last = i === cols.length - 1;
    const name = last && shift > 0 && isVarWidth(c) ? `${c.name} +${shift}` : c.name;
    return c.left ? (last ? name : name.padEnd(c.width)) : name.padStart(c.width);
  });
  return joinCells(cells, gaps).slice(0, width);
}

export function procRow<Row = ProcInterval>(p: Row, cols: readonly ListColumn<Row>[], width: number, gaps?: number[], shift = 0): string {
  const cells = cols.map((c) => c.format(p));
  const last = cols.length - 1;
  if (shift > 0 && last >= 0 && isVarWidth(cols[last]!)) cells[last] = cells[last]!.slice(shift);
  return joinCells(cells, gaps).slice(0, width).trimEnd();
}

/**
 * atop's getspacings() in screen mode: the width left over is spread over the
 * gaps between columns, each gap the integer part of a running sum (so
 * 80 columns, 65 used by 10 columns, give 1 2 2 1 2 2 1 2 2). With a column
 * of variable width every gap is one space and that column takes the rest.
 */
export function screenGaps(cols: readonly { name: string; width: number }[], width: number): number[] {
  const n = cols.length;
  if (n < 2 || cols.some(isVarWidth)) return new Array<number>(Math.max(0, n - 1)).fill(1);
  const used = cols.reduce((sum, c) => sum + c.width, 0);
  const over = (width - used) / (n - 1);
  const gaps: number[] = [];
  let todo = over;
  for (let j = 0; j < n - 1; j++) {
    const gap = Math.max(1, Math.trunc(todo));
    gaps.push(gap);
    todo += over - gap;
  }
  return gaps;
}

/**
 * The rows a view lists: the processes (every one, or the active ones: see
 * listsAllProcs), or one summed row per user or program of those.
 */
export function viewRows(
  procs: readonly ProcInterval[], view: ViewDef, sort: string, allProcs: boolean, exited: readonly ProcInterval[] = [],
): ProcInterval[] {
  const listed = listsAllProcs(view, sort, allProcs) ? procs : procs.filter(isActive);
  // Exited processes are listed as atop lists them (exitedRow), in the views of processes.
  return view.aggregate ? aggregateProcs(listed, view.aggregate) : listed.concat(exited);
}

/** A process that exited in the interval as a row, as atop lists it: its last sizes, nothing done in the interval. */
export function exitedRow(e: ExitedProc): ProcInterval {
  return {
    pid: e.pid, ppid: 0, user: '', state: 'E', cmd: e.cmd, isNew: false, threads: 0, nice: 0, priority: 0, processor: 0,
    minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0, vsize: 0, rsize: e.rsize, vgrow: 0, rgrow: 0, swapsz: e.swapsz,
    mem: 0, trate: e.trate, young: e.young, leak: false, exited: e.oom ? 'oom' : 'exit',
  };
}

export interface ProcListLayout {
  cols: Column[];
  rows: ProcInterval[];
}

/** Fits the view to the width and sorts its rows on `sort`. */
export function layoutProcs(
  procs: ProcInterval[], view: ViewDef, width: number, sort: Column,
  opts: { pidWidth?: number; allProcs?: boolean; exited?: readonly ExitedProc[]; sortAtop?: boolean; tree?: boolean } = {},
): ProcListLayout {
  const listed = viewRows(procs, view, sort.name, !!opts.allProcs, opts.exited?.map(exitedRow));
  // The per-user and per-program rows have no parents: a tree only of processes.
  if (opts.tree && !view.aggregate) {
    const tree = processTree(listed, procs, sort, undefined, opts.sortAtop);
    const cols = fitColumns(withOnDemand(view, sort.name), width, opts.pidWidth ?? 5, (c) => (isTreeColumn(c) ? treeColumn(c, tree) : c));
    return { cols, rows: tree.rows };
  }
  return {
    cols: fitColumns(withOnDemand(view, sort.name), width, opts.pidWidth ?? 5),
    rows: sortProcs(listed, sort, opts.sortAtop),
  };
}
