/**
 * The cgroup view (G) on the screen: the cgroup registry's columns fitted
 * to the width, the tree (or, sorted, the flat list of paths) in the shared
 * list table, cells coloured as atop colours them.
 */
import { CGROUP_TREE, cgroupCell, cgroupColumn, fitCgroupColumns, type CgroupColumn } from '../columns/cgroup.js';
import type { CgroupInterval } from '../model/cgroups.js';
import type { ListColumn } from '../output/proclist.js';
import { ProcTable } from './procview.js';

/** Key 9: every level (atop's 8 and 9 add processes to the tree; memtop's Enter lists them instead). */
export const ALL_LEVELS = 9;

/** The sort column of the cgroup view for a name; C, M and D's resources mapped where the view has one. */
export function cgroupSortColumn(name: string): CgroupColumn | undefined {
  return cgroupColumn(name.toUpperCase() === 'MEM' ? 'MEMORY' : name);
}

/** The columns at this width; CGROUP holds the tree in tree order, the path when sorted. */
export function cgroupListColumns(width: number, sort: string): (ListColumn<CgroupInterval> & { source: CgroupColumn })[] {
  const tree = sort === CGROUP_TREE;
  return fitCgroupColumns(width).map((c) => ({
    name: c.name, width: c.width, left: c.left, source: c, format: (g: CgroupInterval) => cgroupCell(c, g, tree),
  }));
}

/** Columns kept free for the page indicator (" 1/1", up to "99/99"): its last header stays whole. */
export const INDICATOR_ROOM = 6;

export function cgroupTable(rows: readonly CgroupInterval[], width: number, sort: string): ProcTable<CgroupInterval> {
  const cols = cgroupListColumns(width - INDICATOR_ROOM, sort);
  return new ProcTable(rows, cols, width, 0, (g, j) => cols[j]!.source.colour?.(g), INDICATOR_ROOM);
}

/** The rows of a tree `depth` levels deep (ALL_LEVELS: every level). */
export const levelsShown = (depth: number) => (depth >= ALL_LEVELS ? Infinity : depth);
