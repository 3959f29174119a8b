/** The process list as plain lines: header and rows, from the column registry. */
import type { Column } from '../columns/process.js';
import { sortProcs } from '../columns/process.js';
import { fitColumns, type ViewDef } from '../columns/views.js';
import type { ProcInterval } from '../model/interval.js';

export function headerRow(cols: Column[], width: number): string {
  const cells = cols.map((c, i) => {
    const last = i === cols.length - 1;
    const name = c.name;
    return c.left ? (last ? name : name.padEnd(c.width)) : name.padStart(c.width);
  });
  return cells.join(' ').slice(0, width);
}

export function procRow(p: ProcInterval, cols: Column[], width: number): string {
  return cols.map((c) => c.format(p)).join(' ').slice(0, width).trimEnd();
}

export interface ProcListLayout {
  cols: Column[];
  rows: ProcInterval[];
}

/** Fits the view to the width and sorts the processes on `sort`. */
export function layoutProcs(procs: ProcInterval[], view: ViewDef, width: number, sort: Column, pidWidth = 5): ProcListLayout {
  return { cols: fitColumns(view, width, pidWidth), rows: sortProcs(procs.slice(), sort) };
}
