/**
 * Process views: which columns each view offers and their priorities. When
 * the terminal is too narrow, the lowest priority columns are dropped first
 * (as atop does), and the survivors keep their order.
 */
import { column, columnOf, type Column, type ProcColumnName } from './process.js';
import type { SampleNeeds } from '../sample.js';
import { fitByPriority, parseSpec, type UnknownIn } from './registry.js';

export type ViewName = 'generic' | 'memory' | 'disk' | 'command' | 'user' | 'program' | 'leak' | 'cgroup';

export interface ViewDef {
  name: ViewName;
  key: string;
  title: string;
  columns: ViewColumn[];
  /** Column sorted on when the user has not chosen one. */
  defaultSort: ProcColumnName;
  /** One row per user or per program, the processes' figures summed (atop's u and p). */
  aggregate?: 'user' | 'program';
  /** Lists every process, not only the active ones (atop's memory view). */
  listsAll?: boolean;
  /** Lists the memory cgroups (src/columns/cgroup.ts), not processes: atop's G. */
  cgroups?: boolean;
  /**
   * Columns the view offers but shows only when sorted on (--sort, O) or asked
   * for (a cgroup filter shows CGROUP): each costs reads the default screen
   * should not pay. Appended last when shown.
   */
  onDemand?: ViewColumn[];
}

export interface ViewColumn {
  name: ProcColumnName;
  prio: number;
  /** An on-demand column shown after this one (as atop's PSIZE after RSIZE), else last. */
  after?: ProcColumnName;
}

/** atop's PSIZE, shown after RSIZE when R or -R asks for it (or sorted on). */
const PSIZE: ViewColumn = { name: 'PSIZE', prio: 8, after: 'RSIZE' };

/** A spec naming only registry columns; otherwise a type whose text names the stranger (a compile error). */
type KnownSpec<S extends string> = [UnknownIn<S, ProcColumnName>] extends [never]
  ? S
  : `unknown column in view: ${UnknownIn<S, ProcColumnName>}`;

/** 'PID:10 CPU:9': columns with their priorities; a name the registry lacks does not compile. */
export function viewSpec<S extends string>(s: KnownSpec<S>): ViewColumn[] {
  return parseSpec<ProcColumnName>(s);
}

/**
 * The memory view's priorities differ from atop 2.8/2.13 on purpose: at 80
 * columns memtop keeps MINFLT, MAJFLT and VSTEXT (the case study's screen:
 * PID MINFLT MAJFLT VSTEXT VSIZE RSIZE VGROW RGROW MEM CMD), where atop 2.8
 * shows VSTACK and PSIZE instead.
 */
export const VIEWS: Record<ViewName, ViewDef> = {
  generic: {
    name: 'generic', key: 'g', title: 'generic',
    columns: viewSpec('PID:10 SYSCPU:9 USRCPU:9 VGROW:4 RGROW:5 USER:3 ST:2 THR:4 S:5 CPUNR:2 CPU:10 CMD:10'),
    onDemand: [...viewSpec('CGROUP:8'), PSIZE],
    defaultSort: 'CPU',
  },
  memory: {
    name: 'memory', key: 'm', title: 'memory', listsAll: true,
    columns: viewSpec(
      'PID:10 MINFLT:6 MAJFLT:6 VSTEXT:5 VSLIBS:3 VDATA:3 VSTACK:3 LOCKSZ:2 VSIZE:6 RSIZE:7 VGROW:7 RGROW:8 SWAPSZ:4 TRATE:4 TGROW:2 LEAK:3 USER:1 MEM:9 CMD:10',
    ),
    onDemand: [...viewSpec('CGROUP:8'), PSIZE],
    defaultSort: 'RSIZE',
  },
  disk: {
    name: 'disk', key: 'd', title: 'disk',
    columns: viewSpec('PID:10 RDDSK:9 WRDSK:9 WCANCL:8 USER:3 DSK:9 CMD:10'),
    defaultSort: 'DSK',
  },
  command: {
    name: 'command', key: 'c', title: 'command line',
    columns: viewSpec('PID:10 USER:3 CPU:9 MEM:9 RSIZE:6 COMMAND-LINE:10'),
    defaultSort: 'CPU',
  },
  user: {
    name: 'user', key: 'u', title: 'per user',
    columns: viewSpec('NPROCS:10 SYSCPU:7 USRCPU:7 VSIZE:5 RSIZE:8 VGROW:6 RGROW:8 SWAPSZ:4 LOCKSZ:2 TRATE:3 LEAK:3 CPU:9 MEM:9 USER:10'),
    onDemand: [PSIZE],
    defaultSort: 'RSIZE',
    aggregate: 'user',
  },
  program: {
    name: 'program', key: 'p', title: 'per program',
    columns: viewSpec('NPROCS:10 SYSCPU:7 USRCPU:7 VSIZE:5 RSIZE:8 VGROW:6 RGROW:8 SWAPSZ:4 LOCKSZ:2 TRATE:3 LEAK:3 CPU:9 MEM:9 CMD:10'),
    onDemand: [PSIZE],
    defaultSort: 'RSIZE',
    aggregate: 'program',
  },
  leak: {
    // The suspects first, ranked by TRATE (LEAK sorts them so), then every process by TRATE.
    name: 'leak', key: 'L', title: 'leak', listsAll: true,
    columns: viewSpec('PID:10 TRATE:9 TGROW:8 RSIZE:7 SWAPSZ:7 GROWN:6 FILLIN:6 RGROW:3 USER:2 LEAK:9 PROGRAM:10'),
    defaultSort: 'LEAK',
  },
  cgroup: {
    // Its columns are the cgroup registry's (CGROUP_VIEW in cgroup.ts); sorted on CGROUP it is a tree.
    name: 'cgroup', key: 'G', title: 'cgroup', cgroups: true, columns: [], defaultSort: 'CGROUP',
  },
};

/**
 * The per-process files beyond stat and status that showing `view` sorted on
 * `sort` needs, from its columns' own needs (the disk view reads io, the
 * command view cmdline; sorting on DSK reads io in any view). The cgroup
 * tree is read for the cgroup view, and for the CGROUP process column only
 * when it fits in `width` (or is sorted on): it costs a read per group.
 */
export function viewNeeds(view: ViewDef, sort: string, width?: number): SampleNeeds {
  const shownView = withSortResource(view, sort);
  const cols = [...shownView.columns.map((c) => column(c.name)), column(sort)];
  const fitted = width === undefined ? cols : [...fitColumns(shownView, width), column(sort)];
  return {
    io: cols.some((c) => !!c?.needs?.io),
    cmdline: cols.some((c) => !!c?.needs?.cmdline),
    pss: cols.some((c) => !!c?.needs?.pss),
    cgroups: !!view.cgroups || fitted.some((c) => !!c?.needs?.cgroups),
  };
}

/**
 * Whether a view lists every process or only the active ones: as atop, only
 * the active ones, except in the memory view, when sorted on MEM, or when
 * the user asked for all (`a`, `-a`).
 */
export function listsAllProcs(view: ViewDef, sort: string, allProcs: boolean): boolean {
  return allProcs || !!view.listsAll || sort.toUpperCase() === 'MEM';
}

/** What atop's C, M and D sort on: CPU, MEM and DSK percentages; views show one before their last column. */
export const RESOURCE_COLUMNS: readonly string[] = ['CPU', 'MEM', 'DSK'] satisfies ProcColumnName[];

/**
 * The view as shown while sorting on `sort`: like atop's SORTITEM column, a
 * view's resource column (CPU, MEM or DSK) shows the resource sorted on
 * when the view has no column of its own for it.
 */
export function withSortResource(view: ViewDef, sort: string): ViewDef {
  const onDemand = view.onDemand?.find((c) => c.name === sort);
  if (onDemand) return withOnDemand(view, sort);
  if (!RESOURCE_COLUMNS.includes(sort) || view.columns.some((c) => c.name === sort)) return view;
  const i = view.columns.findIndex((c) => RESOURCE_COLUMNS.includes(c.name));
  if (i < 0) return view;
  const columns = view.columns.slice();
  columns[i] = { name: sort as ProcColumnName, prio: columns[i]!.prio };
  return { ...view, columns };
}

/** The view with its on-demand column `name` shown (last, at its priority); the view itself when it has none such. */
export function withOnDemand(view: ViewDef, name: string): ViewDef {
  const col = view.onDemand?.find((c) => c.name === name);
  if (!col || view.columns.some((c) => c.name === name)) return view;
  const at = col.after === undefined ? -1 : view.columns.findIndex((c) => c.name === col.after);
  const columns = at < 0 ? [...view.columns, col] : [...view.columns.slice(0, at + 1), col, ...view.columns.slice(at + 1)];
  return { ...view, columns };
}

/** The view with PSIZE shown (R, -R) where it offers it, or without it: as the registry defines the view. */
export function withPsize(view: ViewDef, on: boolean): ViewDef {
  return on ? withOnDemand(VIEWS[view.name], 'PSIZE') : VIEWS[view.name];
}

/**
 * The columns of `view` that fit in `width` characters (one space between
 * columns), the survivors in their order; `adjust` changes a column before
 * the fitting (the tree's command column is wider).
 */
export function fitColumns(view: ViewDef, width: number, pidWidth = 5, adjust?: (col: Column) => Column): Column[] {
  const cols = view.columns.map((c) => {
    const col = columnOf(c.name);
    const sized = col.name === 'PID' || col.name === 'PPID' ? withWidth(col, pidWidth) : col;
    return { prio: c.prio, col: adjust ? adjust(sized) : sized };
  });
  return fitByPriority(cols, width);
}

/** A copy of a numeric column printed in another width (PID follows pid_max). */
function withWidth(col: Column, width: number): Column {
  if (col.width === width) return col;
  return { ...col, width, format: (p) => String(col.get(p) ?? '?').padStart(width) };
}

/** Case-insensitive lookup of a column offered by a view (for O and --sort). */
export function viewColumn(view: ViewDef, name: string): Column | undefined {
  const upper = name.toUpperCase();
  return view.columns.some((c) => c.name === upper) || view.onDemand?.some((c) => c.name === upper) ? column(upper) : undefined;
}
