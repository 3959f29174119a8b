/** The cgroup list as plain lines (--text -V cgroup, and the screen's G view rows). */
import { CGROUP_TREE, cgroupCell, cgroupColumn, cgroupRows, fitCgroupColumns, type CgroupColumn } from '../columns/cgroup.js';
import type { CgroupInterval } from '../model/cgroups.js';
import type { Interval } from '../model/interval.js';

export function cgroupHeader(cols: CgroupColumn[], width: number): string {
  return cols.map((c) => (c.left ? c.name.padEnd(c.width) : c.name.padStart(c.width))).join(' ').slice(0, width).trimEnd();
}

export function cgroupRow(g: CgroupInterval, cols: CgroupColumn[], width: number, tree: boolean): string {
  return cols.map((c) => cgroupCell(c, g, tree)).join(' ').slice(0, width).trimEnd();
}

/** What the view shows when there are no groups: why, in one line. */
export function noCgroupsLine(iv: Interval): string {
  if (!iv.cgroupsRead) return 'no cgroup counters in this sample: recorded without them (a memtop before the cgroup view)';
  return iv.cgroupVersion === undefined ? 'no memory cgroup hierarchy mounted' : 'no memory cgroups';
}

/** Header and rows of the cgroup view, `depth` levels deep, sorted on `sort` (tree order by default). */
export function cgroupLines(iv: Interval, width: number, sort?: string, maxRows?: number, depth?: number): string[] {
  const col = cgroupColumn(sort ?? CGROUP_TREE) ?? cgroupColumn(CGROUP_TREE)!;
  if (iv.cgroups.length === 0) return [noCgroupsLine(iv)];
  const cols = fitCgroupColumns(width);
  const rows = cgroupRows(iv.cgroups, col, depth);
  const shown = maxRows === undefined ? rows : rows.slice(0, maxRows);
  const tree = col.name === CGROUP_TREE;
  return [cgroupHeader(cols, width), ...shown.map((g) => cgroupRow(g, cols, width, tree))];
}
