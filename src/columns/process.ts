/**
 * The one registry of process columns: name, header, width, getter and
 * formatter. The TUI, the text output, --sort/O and the JSON field names all
 * come from here; a view is a list of these names with atop-style priorities.
 */
import { cFixed, cpuStr, memStr, valStr } from '../format/units.js';
import type { ProcInterval } from '../model/interval.js';

export type SortValue = number | string | undefined;

/** Per-process files beyond stat and status that a column's figures come from. */
export interface ColumnNeeds {
  io?: boolean;
  cmdline?: boolean;
  /** The memory cgroup tree (the CGROUP process column). */
  cgroups?: boolean;
}

export interface Column {
  /** Upper-case name as typed for --sort and O, and shown as header. */
  name: string;
  width: number;
  /** Left-aligned columns (commands, users) pad on the right. */
  left?: boolean;
  /** Files the sampler must read for this column (set on the feed while it is shown or sorted on). */
  needs?: ColumnNeeds;
  /** Key in the JSON output, when the column is part of the JSON schema. */
  json?: string;
  /** The JSON value when it differs from `get` (units, rounding). */
  toJson?(p: ProcInterval): unknown;
  /** The value sorting uses (descending; undefined sorts last). */
  get(p: ProcInterval): SortValue;
  /** The cell's text, exactly `width` characters. */
  format(p: ProcInterval): string;
}

/** atop prints process sizes with val2memstr from bytes up; unknown as "?". */
const mem = (v: number | undefined, min: 'B' | 'K' = 'B') => (v === undefined ? '?'.padStart(6) : memStr(v, min));

/** Printable single-width characters only: control and wide characters would shift the screen. */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e\u00a0-\u02ff]/g, '?');
}

export const round2 = (v: number) => Math.round(v * 100) / 100;

function cell(text: string, width: number, left = false): string {
  if (text.length > width) return text.slice(0, width);
  return left ? text.padEnd(width) : text.padStart(width);
}

function sizeCol(
  name: string, json: string | undefined, get: (p: ProcInterval) => number | undefined, min: 'B' | 'K' = 'B', needs?: ColumnNeeds,
): Column {
  return { name, width: 6, json, get, needs, format: (p) => mem(get(p), min) };
}

const IO: ColumnNeeds = { io: true };

function countCol(name: string, json: string | undefined, width: number, get: (p: ProcInterval) => number | undefined): Column {
  return {
    name, width, json, get,
    format: (p) => {
      const v = get(p);
      return v === undefined ? '?'.padStart(width) : valStr(v, width);
    },
  };
}

/** CPU time: milliseconds inside, seconds in JSON, atop's val2cpustr on screen. */
function cpuTimeCol(name: string, json: string, get: (p: ProcInterval) => number): Column {
  return { name, width: 6, json, get, toJson: (p) => get(p) / 1000, format: (p) => cell(cpuStr(get(p)), 6) };
}

const COLUMNS: Column[] = [
  countCol('PID', 'pid', 5, (p) => p.pid),
  /** Aggregate views (per user, per program): processes summed into the row. */
  countCol('NPROCS', undefined, 6, (p) => p.nprocs ?? 1),
  countCol('PPID', 'ppid', 5, (p) => p.ppid),
  { name: 'USER', width: 8, left: true, json: 'user', get: (p) => p.user, format: (p) => cell(p.user, 8, true) },
  { name: 'S', width: 1, json: 'state', get: (p) => p.state, format: (p) => cell(p.state, 1) },
  { name: 'ST', width: 2, get: (p) => (p.isNew ? 'N-' : '--'), format: (p) => (p.isNew ? 'N-' : '--') },
  countCol('THR', 'threads', 4, (p) => p.threads),
  countCol('NICE', undefined, 4, (p) => p.nice),
  countCol('CPUNR', undefined, 5, (p) => p.processor),
  countCol('MINFLT', 'minflt', 6, (p) => p.minflt),
  countCol('MAJFLT', 'majflt', 6, (p) => p.majflt),
  cpuTimeCol('SYSCPU', 'syscpu', (p) => p.syscpu),
  cpuTimeCol('USRCPU', 'usrcpu', (p) => p.usrcpu),
  sizeCol('VSTEXT', 'vstext', (p) => p.vstext),
  sizeCol('VSLIBS', 'vslibs', (p) => p.vslibs),
  sizeCol('VDATA', 'vdata', (p) => p.vdata),
  sizeCol('VSTACK', 'vstack', (p) => p.vstack),
  sizeCol('LOCKSZ', 'locksz', (p) => p.locksz, 'K'),
  sizeCol('VSIZE', 'vsize', (p) => p.vsize),
  sizeCol('RSIZE', 'rsize', (p) => p.rsize),
  sizeCol('VGROW', 'vgrow', (p) => p.vgrow),
  sizeCol('RGROW', 'rgrow', (p) => p.rgrow),
  sizeCol('SWAPSZ', 'swapsz', (p) => p.swapsz),
  sizeCol('RDDSK', 'rddsk', (p) => p.rddsk, 'B', IO),
  sizeCol('WRDSK', 'wrdsk', (p) => p.wrdsk, 'B', IO),
  sizeCol('WCANCL', 'wcancl', (p) => p.wcancl, 'B', IO),
  {
    // atop's DSK: the process's share of all processes' disk transfers in the interval.
    name: 'DSK', width: 4, json: 'dsk', needs: IO, get: (p) => p.dsk,
    toJson: (p) => (p.dsk === undefined ? undefined : round2(p.dsk)),
    format: (p) => (p.dsk === undefined ? '?'.padStart(4) : `${cFixed(p.dsk, 0).padStart(3)}%`),
  },
  {
    name: 'MEM', width: 4, json: 'mem', get: (p) => p.mem, toJson: (p) => round2(p.mem),
    format: (p) => `${cFixed(p.mem, 0).padStart(3)}%`,
  },
  {
    name: 'CPU', width: 4, json: 'cpu', get: (p) => p.cpu, toJson: (p) => round2(p.cpu),
    format: (p) => `${cFixed(p.cpu, 0).padStart(3)}%`,
  },
  {
    name: 'CMD', width: 14, left: true, json: 'cmd', get: (p) => p.cmd,
    // atop marks a process that exited in the interval as <name>; memtop lists live processes only.
    format: (p) => cell(printable(p.cmd), 14, true),
  },
  {
    // The process's memory cgroup; a path too long keeps its end (the group's own name).
    name: 'CGROUP', width: 20, left: true, json: 'cgroup', needs: { cgroups: true }, get: (p) => p.cgroup,
    format: (p) => cell(p.cgroup === undefined ? '-' : p.cgroup.length > 20 ? `..${p.cgroup.slice(-18)}` : p.cgroup, 20, true),
  },
  {
    name: 'COMMAND-LINE', width: 14, left: true, json: 'cmdline', needs: { cmdline: true }, get: (p) => p.cmdline ?? p.cmd,
    format: (p) => printable(p.cmdline || `[${p.cmd}]`),
  },
];

const BY_NAME = new Map(COLUMNS.map((c) => [c.name, c]));

export function column(name: string): Column | undefined {
  return BY_NAME.get(name.toUpperCase());
}

export function allColumns(): readonly Column[] {
  return COLUMNS;
}

/** Descending order on a column; unknown values last, ties by pid for a stable screen. */
export function sortProcs(procs: ProcInterval[], col: Column): ProcInterval[] {
  return procs.sort((a, b) => {
    const va = col.get(a);
    const vb = col.get(b);
    if (va === vb) return a.pid - b.pid;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (typeof va === 'number' && typeof vb === 'number') return vb - va;
    return String(va) < String(vb) ? -1 : 1;
  });
}
