/**
 * The process tree (--tree, e and F5 on the screen): each process under its
 * parent, siblings in the order of the sort chosen, tree lines before the
 * command as `pstree -A` and htop's ASCII mode draw them (plain ASCII, so a
 * console without line-drawing glyphs, LANG=C and a pipe read the same).
 *
 * A listed process brings its ancestors (an idle parent of an active worker
 * is listed too, else the worker would hang at the root). A folded process
 * (- on the screen) stands for its whole subtree: its row holds the
 * subtree's figures folded as the per-user rows fold them (sizes, growth
 * and CPU summed, NPROCS counting the processes), so a worker pool that
 * leaks shows as one growing row, and it sorts among its siblings by them.
 *
 * Cost: only in tree mode, once per rebuild of the rows: a map by pid, the
 * sort, one walk; O(n log n) as the list's sort already is.
 */
import { allColumns, type Column } from '../columns/process.js';
import { foldRows } from '../columns/registry.js';
import type { ProcInterval } from '../model/interval.js';
import { sortProcs } from '../columns/process.js';

export interface ProcTree {
  /** The rows in tree order (a folded process's row is its subtree's sum). */
  rows: ProcInterval[];
  /** The tree lines before each row's command ('' for a root). */
  prefix: Map<ProcInterval, string>;
  /** The longest prefix: the command column widens by it. */
  depthWidth: number;
  /** Pids of folded rows that have children (marked + in the tree lines). */
  folded: Set<number>;
}

/** Columns' worth of the tree lines at most: deeper levels keep their last two steps. */
export const MAX_PREFIX = 20;

/**
 * `listed`: the rows the view lists (filtered, active or all); `all`: every
 * process of the interval, where their ancestors are found; `folded`: pids
 * whose subtree is folded into their row; `atopOrder`: --sort-atop (sortProcs).
 */
export function processTree(
  listed: readonly ProcInterval[], all: readonly ProcInterval[], sort: Column, folded: ReadonlySet<number> = new Set(), atopOrder = false,
): ProcTree {
  const byPid = new Map<number, ProcInterval>();
  for (const p of all) byPid.set(p.pid, p);
  const included = new Map<number, ProcInterval>();
  for (const p of listed) included.set(p.pid, p);
  for (const p of listed) {
    // Up to the first ancestor already there; a cycle of ppids (a damaged --proc) ends at a pid seen.
    let ppid = p.ppid;
    while (ppid !== undefined && ppid > 0 && !included.has(ppid)) {
      const parent = byPid.get(ppid);
      if (!parent) break;
      included.set(ppid, parent);
      ppid = parent.ppid;
    }
  }
  const childrenOf = new Map<number, ProcInterval[]>();
  const isRoot = (p: ProcInterval) => p.ppid === undefined || p.ppid === p.pid || !included.has(p.ppid) || p.exited !== undefined;
  for (const p of included.values()) {
    if (isRoot(p)) continue;
    const list = childrenOf.get(p.ppid!);
    if (list) list.push(p);
    else childrenOf.set(p.ppid!, [p]);
  }
  // A folded process becomes its subtree's sum; its descendants leave the list.
  const shownFolded = new Set<number>();
  const rows: ProcInterval[] = [];
  for (const p of included.values()) {
    if (hasFoldedAncestor(p, included, folded, isRoot)) continue;
    if (folded.has(p.pid) && childrenOf.has(p.pid)) {
      rows.push(foldSubtree(p, childrenOf));
      shownFolded.add(p.pid);
    } else {
      rows.push(p);
    }
  }
  sortProcs(rows, sort, atopOrder);
  const sortedChildren = new Map<number, ProcInterval[]>();
  const roots: ProcInterval[] = [];
  for (const p of rows) {
    if (isRoot(p)) {
      roots.push(p);
      continue;
    }
    const list = sortedChildren.get(p.ppid!);
    if (list) list.push(p);
    else sortedChildren.set(p.ppid!, [p]);
  }
  const out: ProcInterval[] = [];
  const prefix = new Map<ProcInterval, string>();
  let depthWidth = 0;
  const seen = new Set<number>();
  // Iterative walk: a deep chain of processes must not exhaust the stack.
  const stack: { p: ProcInterval; lead: string; last: boolean; root: boolean }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ p: roots[i]!, lead: '', last: true, root: true });
  // Rows no root reaches (a cycle of ppids in a damaged --proc) are listed as roots after the rest.
  let unreached = 0;
  for (;;) {
    if (stack.length === 0) {
      while (unreached < rows.length && seen.has(rows[unreached]!.pid)) unreached++;
      if (unreached === rows.length) break;
      stack.push({ p: rows[unreached]!, lead: '', last: true, root: true });
    }
    const { p, lead, last, root } = stack.pop()!;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    const mark = shownFolded.has(p.pid) ? '+' : '-';
    const own = root ? (mark === '+' ? '+' : '') : lead + (last ? '`' : '|') + mark;
    const shown = own.length > MAX_PREFIX ? '..' + own.slice(own.length - MAX_PREFIX + 2) : own;
    prefix.set(p, shown);
    depthWidth = Math.max(depthWidth, shown.length);
    out.push(p);
    const kids = shownFolded.has(p.pid) ? undefined : sortedChildren.get(p.pid);
    if (!kids) continue;
    const childLead = root ? '' : lead + (last ? '  ' : '| ');
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ p: kids[i]!, lead: childLead, last: i === kids.length - 1, root: false });
  }
  return { rows: out, prefix, depthWidth, folded: shownFolded };
}

function hasFoldedAncestor(
  p: ProcInterval, included: Map<number, ProcInterval>, folded: ReadonlySet<number>, isRoot: (p: ProcInterval) => boolean,
): boolean {
  if (folded.size === 0) return false;
  const seen = new Set<number>();
  let q = p;
  while (!isRoot(q) && !seen.has(q.pid)) {
    seen.add(q.pid);
    const parent = included.get(q.ppid!)!;
    if (folded.has(parent.pid)) return true;
    q = parent;
  }
  return false;
}

/** The process's row with its subtree's figures folded in, as a per-user row folds its processes. */
function foldSubtree(p: ProcInterval, childrenOf: Map<number, ProcInterval[]>): ProcInterval {
  const members: ProcInterval[] = [];
  const seen = new Set<number>();
  const todo = [p];
  while (todo.length > 0) {
    const q = todo.pop()!;
    if (seen.has(q.pid)) continue;
    seen.add(q.pid);
    members.push(q);
    for (const c of childrenOf.get(q.pid) ?? []) todo.push(c);
  }
  const columns = allColumns();
  const into = { ...p } as Record<string, unknown>;
  for (const c of columns) if (c.fold && c.key) delete into[c.key];
  return foldRows(columns, into as unknown as ProcInterval, members);
}

/**
 * The command column of a tree: the tree lines before the command, the
 * column widened by the deepest prefix (the view's fitting then makes room).
 */
export function treeColumn(col: Column, tree: Pick<ProcTree, 'prefix' | 'depthWidth'>): Column {
  const width = col.width + tree.depthWidth;
  const varWidth = col.name === 'COMMAND-LINE';
  return {
    ...col,
    width: varWidth ? col.width : width,
    format: (p) => {
      const text = (tree.prefix.get(p) ?? '') + col.format(p);
      return varWidth ? text : text.length > width ? text.slice(0, width) : text.padEnd(width);
    },
  };
}

/** The columns a tree shows its lines in. */
export const isTreeColumn = (c: { name: string }) => c.name === 'CMD' || c.name === 'COMMAND-LINE';
