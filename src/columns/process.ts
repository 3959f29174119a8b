/**
 * The one registry of process columns: name, header, width, getter and
 * formatter, and what the other outputs derive from the same entry (the
 * per-user/per-program fold, the JSON key, the Prometheus metric). The TUI,
 * the text output, --sort/O, --json, the aggregate views and the exposition
 * all come from here; a view is a list of these names with atop-style
 * priorities. How to add a column: see registry.ts.
 */
import { cFixed, cpuStr, durationStr, memStr, valStr } from '../format/units.js';
import { printable } from '../format/text.js';
import type { ProcInterval } from '../model/interval.js';
import type { SampleNeeds } from '../sample.js';
import { keyed, type Field, type Fold, type Metric, type SortValue } from './registry.js';

export type { SortValue } from './registry.js';


export interface Column<Name extends string = string> extends Field<ProcInterval, Name> {
  /** Files the sampler must read for this column (set on the feed while it is shown or sorted on). */
  needs?: SampleNeeds;
}

/** atop prints process sizes with val2memstr from bytes up; unknown as "?". */
const mem = (v: number | undefined, min: 'B' | 'K' = 'B') => (v === undefined ? '?'.padStart(6) : memStr(v, min));

export const round2 = (v: number) => Math.round(v * 100) / 100;

function cell(text: string, width: number, left = false): string {
  if (text.length > width) return text.slice(0, width);
  return left ? text.padEnd(width) : text.padStart(width);
}

type NumKey = { [K in keyof ProcInterval]-?: ProcInterval[K] extends number | undefined ? K : never }[keyof ProcInterval];

/** What a column adds to its name, width and value: fold, JSON key, metric, needs. */
interface Extra {
  fold?: Fold;
  json?: string;
  metric?: Metric<ProcInterval>;
  needs?: SampleNeeds;
  jsonWhen?(p: ProcInterval): boolean;
  toJson?(p: ProcInterval): unknown;
  /** When the value is not the key's property as it is (NPROCS of a single process is 1). */
  get?(p: ProcInterval): SortValue;
  rank?(p: ProcInterval): SortValue;
}

/** A size in bytes (K: never below KiB), printed as atop's val2memstr. */
function sizeCol<N extends string>(name: N, key: NumKey, extra: Extra = {}, min: 'B' | 'K' = 'B'): Column<N> {
  const { get } = keyed<ProcInterval, NumKey>(key);
  return { name, width: 6, key, get, format: (p) => mem(get(p) as number | undefined, min), ...extra };
}

/** A count in `width` characters, as atop's val2valstr. */
function countCol<N extends string>(name: N, key: NumKey, width: number, extra: Extra = {}): Column<N> {
  const get = extra.get ?? keyed<ProcInterval, NumKey>(key).get;
  return {
    name, width, key, ...extra, get,
    format: (p) => {
      const v = get(p) as number | undefined;
      return v === undefined ? '?'.padStart(width) : valStr(v, width);
    },
  };
}

/** CPU time: milliseconds inside, seconds in JSON, atop's val2cpustr on screen. */
function cpuTimeCol<N extends string>(name: N, key: 'syscpu' | 'usrcpu'): Column<N> {
  const get = (p: ProcInterval) => p[key];
  return {
    name, width: 6, key, get, fold: 'sumKnown', json: key,
    toJson: (p) => {
      const ms = get(p);
      return ms === undefined ? undefined : ms / 1000;
    },
    format: (p) => {
      const ms = get(p);
      return cell(ms === undefined ? '?' : cpuStr(ms), 6);
    },
  };
}

/** A percentage: two decimals in JSON, whole percents on screen. */
function percentCol<N extends string>(name: N, key: 'mem' | 'cpu' | 'dsk', extra: Extra = {}): Column<N> {
  const get = (p: ProcInterval) => p[key];
  return {
    name, width: 4, key, get, fold: 'sumKnown', json: key, ...extra,
    toJson: (p) => {
      const v = get(p);
      return v === undefined ? undefined : round2(v);
    },
    format: (p) => {
      const v = get(p);
      return v === undefined ? '?'.padStart(4) : `${cFixed(v, 0).padStart(3)}%`;
    },
  };
}

const IO: SampleNeeds = { io: true };
/** The io columns are in a process's JSON only when its io was read (the disk view or a DSK sort). */
const ioRead = (p: ProcInterval) => p.rddsk !== undefined;
const ioExtra = (json: string): Extra => ({ fold: 'sumKnown', json, needs: IO, jsonWhen: ioRead });

/** Process metrics are labelled pid and comm; sizes are gauges, growth a rate over the interval, faults counters. */
const bytes = (name: string, help: string): Metric => ({ name: `${name}_bytes`, help, unit: 'bytes' });
const perSecond = (name: string, help: string): Metric => ({ name: `${name}_per_second`, help, perSecond: true });
/** A count the kernel keeps a running total of: exported as that counter, so rate() works across scrapes. */
const total = (name: string, help: string, get: (p: ProcInterval) => number | undefined): Metric<ProcInterval> => ({ name, help, total: get });

const status = (p: ProcInterval) => (p.isNew ? 'N' : '-') + (p.exited === 'oom' ? 'K' : p.exited ? 'E' : '-');

/** A growth rate per second, signed: "2.0M/s", "-512K/s"; unknown (too little history) as "?". */
export function rateStr(bytesPerSec: number | undefined, width: number): string {
  if (bytesPerSec === undefined) return '?'.padStart(width);
  const text = memStr(Math.abs(bytesPerSec), 'B', 1).trim();
  return cell(bytesPerSec < 0 && text !== '0B/s' ? `-${text}` : text, width);
}

/** Leak suspects in a row: the count folded into a per-user/per-program row, else 1 for a suspect process. */
export function suspectsIn(p: ProcInterval): number {
  return p.suspects ?? (p.leak ? 1 : 0);
}

/**
 * The RGROW and TRATE sorts rank what grew, not what was born: first every
 * established process that grew (RGROW in the interval, TRATE over the
 * window), then the processes younger than their evidence, each group by its
 * figure, then the established ones that did not grow. Younger than its
 * evidence: for RGROW a recent process (new in the interval, whose RGROW is
 * its whole size as atop's, or born in the interval before: what it grew
 * is mostly its start); for TRATE a young rate (history
 * shorter than a third of --window, no verdict: the rate known so far).
 * The figures stay atop's; only the order is memtop's (`--sort-atop`:
 * atop's). A per-user or per-program row ranks by its established
 * processes' growth, else by its recent (young) ones'.
 */
const TIER = 2 ** 50;
function ranked(grew: number, young: number | undefined): number {
  if (grew > 0) return 2 * TIER + grew;
  return young !== undefined ? TIER + young : grew;
}

function rgrowRank(p: ProcInterval): SortValue {
  if (p.rgrow === undefined) return undefined;
  if (p.nprocs === undefined) return p.isNew || p.recent ? ranked(0, p.rgrow) : ranked(p.rgrow, undefined);
  const born = p.born ? p.bornGrow ?? 0 : undefined;
  return ranked(p.rgrow - (born ?? 0), born);
}

function trateRank(p: ProcInterval): SortValue {
  if (p.trate === undefined) return undefined;
  if (p.nprocs === undefined) return p.young ? ranked(0, p.trate) : ranked(p.trate, undefined);
  return ranked(p.trate - (p.youngRate ?? 0), p.youngRate);
}

/** Put before a young TRATE (the rate known so far): `~2.0M/s`. */
export const YOUNG_MARK = '~';

/** TRATE's cell: signed, a young rate marked (its `/s` dropped when the mark leaves no room). */
function trateStr(p: ProcInterval, width: number): string {
  const text = rateStr(p.trate, width).trim();
  if (!p.young || p.trate === undefined) return text.padStart(width);
  const marked = YOUNG_MARK + text;
  return (marked.length <= width ? marked : marked.replace(/\/s$/, '')).padStart(width);
}

/** Rounded to whole bytes in JSON; unknown stays null. */
const wholeBytes = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));

/**
 * In JSON schema order: the JSON lists its fields in this order, and the
 * screen-only columns sit where they read best in `--sort`'s list.
 */
const COLUMNS = [
  countCol('PID', 'pid', 5, { json: 'pid' }),
  /** Aggregate views (per user, per program): processes summed into the row. */
  countCol('NPROCS', 'nprocs', 6, { get: (p) => p.nprocs ?? 1, fold: 'sum' }),
  countCol('PPID', 'ppid', 5, { json: 'ppid' }),
  { name: 'USER', width: 8, left: true, json: 'user', get: (p) => p.user, format: (p) => cell(p.user, 8, true) },
  { name: 'S', width: 1, json: 'state', get: (p) => p.state, format: (p) => cell(p.state, 1) },
  // atop's ST: N for new, E for exited in the interval; memtop's K for killed by the OOM killer.
  // In JSON `new`: born in the interval (its RGROW is its whole size, as atop's).
  { name: 'ST', width: 2, json: 'new', toJson: (p) => p.isNew, get: (p) => status(p), format: (p) => status(p) },
  {
    name: 'CMD', width: 14, left: true, json: 'cmd', get: (p) => p.cmd,
    // As atop, a process that exited in the interval is <name>; an OOM victim says so after it.
    // A process memtop contained (K, --contain) is marked [C] after its name. Both marks survive a long
    // name: the name is cut so the mark fits the 14 characters (a 15-character comm left ` OOM` off).
    format: (p) => cell(
      p.exited === 'oom' ? `<${printable(p.cmd).slice(0, 8)}> OOM`
        : p.exited ? printable(`<${p.cmd}>`) : p.contained ? `${printable(p.cmd).slice(0, 10)} [C]` : printable(p.cmd),
      14, true),
  },
  {
    // The program: an interpreter's script or main module (node billing/index.js: billing/index.js), else
    // the command name. The leak view shows it instead of CMD; JSON `program`, null for no interpreter.
    name: 'PROGRAM', width: 20, left: true, json: 'program', get: (p) => p.program ?? p.cmd,
    toJson: (p) => p.program,
    format: (p) => {
      const name = printable(p.program ?? p.cmd);
      return cell(p.exited === 'oom' ? `<${name.slice(0, 14)}> OOM` : p.exited ? `<${name}>` : name, 20, true);
    },
  },
  {
    // The process's memory cgroup (its path in JSON, when the tree was read): on the screen its container's or pod's
    // name, else its systemd unit, else the path; a path too long keeps its end (the group's own name).
    name: 'CGROUP', width: 20, left: true, key: 'cgroup', json: 'cgroup', needs: { cgroups: true }, get: (p) => p.cgroup,
    jsonWhen: (p) => p.cgroup !== undefined,
    format: (p) => {
      const shown = p.cgroupName ?? p.cgroup;
      return cell(shown === undefined ? '-' : shown.length > 20 ? `..${shown.slice(-18)}` : shown, 20, true);
    },
  },
  {
    // Not in the JSON: the command line is read only while a view shows it.
    name: 'COMMAND-LINE', width: 14, left: true, needs: { cmdline: true }, get: (p) => p.cmdline ?? p.cmd,
    format: (p) => printable(p.cmdline || `[${p.cmd}]`),
  },
  countCol('MINFLT', 'minflt', 6, {
    fold: 'sumKnown', json: 'minflt', metric: total('minor_faults', 'Minor page faults since the process started (MINFLT is its change over the interval).', (p) => p.minfltTotal),
  }),
  countCol('MAJFLT', 'majflt', 6, {
    fold: 'sumKnown', json: 'majflt', metric: total('major_faults', 'Major page faults since the process started (MAJFLT is its change over the interval).', (p) => p.majfltTotal),
  }),
  sizeCol('VSTEXT', 'vstext', { fold: 'sumKnown', json: 'vstext' }),
  sizeCol('VSLIBS', 'vslibs', { fold: 'sumKnown', json: 'vslibs' }),
  sizeCol('VDATA', 'vdata', { fold: 'sumKnown', json: 'vdata' }),
  sizeCol('VSTACK', 'vstack', { fold: 'sumKnown', json: 'vstack' }),
  sizeCol('LOCKSZ', 'locksz', { fold: 'sumKnown', json: 'locksz' }, 'K'),
  sizeCol('VSIZE', 'vsize', { fold: 'sumKnown', json: 'vsize', metric: bytes('virtual', 'Virtual memory (VSIZE).') }),
  sizeCol('RSIZE', 'rsize', { fold: 'sumKnown', json: 'rsize', metric: bytes('resident', 'Resident memory (RSIZE).') }),
  // atop's PSIZE (R, -R): read only while shown or sorted on; in JSON only when read, as the io columns.
  // Exported only with --psize (the exporter reads it for every process then), as no series otherwise.
  sizeCol('PSIZE', 'psize', {
    fold: 'sumKnown', json: 'psize', needs: { pss: true }, jsonWhen: (p) => p.psize !== undefined,
    metric: bytes('pss', 'Proportional set size: resident memory with shared pages divided among their users (PSIZE, Pss of smaps_rollup); only with --psize.'),
  }),
  sizeCol('VGROW', 'vgrow', {
    fold: 'sumKnown', json: 'vgrow',
    metric: perSecond('vgrow_bytes', 'Growth of virtual memory over the last interval (VGROW per second).'),
  }),
  sizeCol('RGROW', 'rgrow', {
    fold: 'sumKnown', json: 'rgrow', rank: rgrowRank,
    metric: perSecond('rgrow_bytes', 'Growth of resident memory over the last interval (RGROW per second).'),
  }),
  sizeCol('SWAPSZ', 'swapsz', { fold: 'sumKnown', json: 'swapsz', metric: bytes('swap', 'Memory swapped out (SWAPSZ, VmSwap).') }),
  {
    // Growth over --window of resident anonymous + swapped memory, fitted robustly (src/model/growth.ts).
    name: 'TRATE', width: 7, key: 'trate', get: (p) => p.trate, rank: trateRank, fold: 'sumKnown', json: 'trate',
    toJson: (p) => wholeBytes(p.trate), format: (p) => trateStr(p, 7),
    metric: {
      name: 'memory_trend_bytes_per_second',
      help: 'Growth of resident anonymous + swapped memory over the window (--window), fitted robustly (TRATE).',
    },
  },
  sizeCol('TGROW', 'tgrow', { fold: 'sumKnown', json: 'tgrow', toJson: (p) => wholeBytes(p.tgrow) }),
  {
    // A leak suspect: steady growth over the window, confirmed; blank otherwise, so the suspect stands out.
    // A row of the per-user or per-program view counts its suspects (blank for none); JSON and Prometheus
    // have no such rows, their `leak` stays the process's verdict. Sorting puts the rows holding suspects
    // first (more suspects first), by rate, then everything else by rate.
    name: 'LEAK', width: 4, key: 'suspects', fold: 'sum', foldOf: suspectsIn, json: 'leak',
    get: (p) => {
      const n = suspectsIn(p);
      return n > 0 ? n * 2 ** 60 + (p.trate ?? 0) : p.trate;
    },
    // After the suspects, the rest as the TRATE sort ranks them (a young rate after established growth).
    rank: (p) => {
      const n = suspectsIn(p);
      return n > 0 ? n * 2 ** 60 + (p.trate ?? 0) : trateRank(p);
    },
    toJson: (p) => p.leak === true,
    format: (p) => (p.suspects === undefined ? (p.leak ? 'LEAK' : '    ') : p.suspects > 0 ? valStr(p.suspects, 4) : '    '),
  },
  {
    // Suspects: how long the growth the verdict rests on has lasted.
    name: 'GROWN', width: 6, key: 'growing', get: (p) => p.growing,
    format: (p) => cell(p.growing === undefined ? '-' : durationStr(p.growing), 6),
  },
  {
    // Suspects: when the memory and swap left would be used up at this process's rate (soonest sorts first).
    name: 'FILLIN', width: 6, get: (p) => (p.fillin === undefined ? undefined : -p.fillin),
    format: (p) => cell(p.fillin === undefined ? '-' : durationStr(p.fillin), 6),
  },
  percentCol('MEM', 'mem'),
  cpuTimeCol('SYSCPU', 'syscpu'),
  cpuTimeCol('USRCPU', 'usrcpu'),
  percentCol('CPU', 'cpu'),
  countCol('THR', 'threads', 4, { fold: 'sumKnown', json: 'threads' }),
  countCol('NICE', 'nice', 4),
  countCol('CPUNR', 'processor', 5),
  sizeCol('RDDSK', 'rddsk', ioExtra('rddsk')),
  sizeCol('WRDSK', 'wrdsk', ioExtra('wrdsk')),
  sizeCol('WCANCL', 'wcancl', ioExtra('wcancl')),
  // atop's DSK: the process's share of all processes' disk transfers in the interval.
  percentCol('DSK', 'dsk', { ...ioExtra('dsk'), fold: 'sumKnown' }),
] as const satisfies readonly Column[];

/** Every process column's name: a view naming anything else does not compile. */
export type ProcColumnName = (typeof COLUMNS)[number]['name'];

const BY_NAME = new Map<string, Column>(COLUMNS.map((c) => [c.name, c]));

/** Case-insensitive lookup of a name typed by the user (--sort, O). */
export function column(name: string): Column | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** The column of a name known at compile time. */
export function columnOf(name: ProcColumnName): Column {
  return BY_NAME.get(name)!;
}

export function allColumns(): readonly Column[] {
  return COLUMNS;
}

/**
 * Descending order on a column (its rank where it has one, unless `atopOrder`);
 * unknown values last, ties by pid for a stable screen.
 */
export function sortProcs(procs: ProcInterval[], col: Column, atopOrder = false): ProcInterval[] {
  const value = (!atopOrder && col.rank) || col.get;
  // Each row's value is read once, not twice per comparison: a getter is one closure shared by every
  // column of its kind (keyed()), a slow lookup when called ~40000 times for 2000 rows every refresh.
  // The positions are sorted (stably, as the rows were) and the rows put in that order in place.
  const n = procs.length;
  const values: SortValue[] = new Array(n);
  const pids: number[] = new Array(n);
  const order: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = procs[i]!;
    values[i] = value(p);
    pids[i] = p.pid;
    order[i] = i;
  }
  order.sort((i, j) => {
    const va = values[i];
    const vb = values[j];
    if (va === vb) return pids[i]! - pids[j]!;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (typeof va === 'number' && typeof vb === 'number') return vb - va;
    return String(va) < String(vb) ? -1 : 1;
  });
  const rows = procs.slice();
  for (let i = 0; i < n; i++) procs[i] = rows[order[i]!]!;
  return procs;
}
