/**
 * The registry of cgroup fields (the cgroup view G, -V cgroup, --text,
 * --json and the exposition read it), in the shape of the process registry:
 * name, width, getter, formatter, JSON key. The view lists the groups as a
 * tree in tree order (CGROUP, the default sort), or flat with full paths when
 * sorted on a figure.
 */
import { cFixed, memStr, valStr } from '../format/units.js';
import { UNLIMITED, type CgroupInterval } from '../model/cgroups.js';
import { rateStr } from './process.js';
import { fitByPriority, type Field } from './registry.js';

export type CgroupColour = 'crit' | 'almost' | undefined;

/** A field of the registry's generic shape (registry.ts): name, width, getter, formatter, JSON key. */
export interface CgroupColumn extends Field<CgroupInterval> {
  /** atop's colour for the cell, when it has one. */
  colour?(g: CgroupInterval): CgroupColour;
}

const UNKNOWN = '-';
const pad = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : s.padStart(w));

function size(name: string, json: string, get: (g: CgroupInterval) => number | undefined, width = 6, colour?: CgroupColumn['colour']): CgroupColumn {
  return { name, width, json, get, colour, format: (g) => pad(get(g) === undefined ? UNKNOWN : memStr(get(g)!), width) };
}

/** A limit: bytes, "max" when unlimited; JSON gives the kernel's "max" too. */
function limit(name: string, json: string, get: (g: CgroupInterval) => number | undefined, colour?: CgroupColumn['colour']): CgroupColumn {
  return {
    name, width: Math.max(6, name.length), json, colour,
    // Unlimited sorts above every figure: it is the most room left.
    get: (g) => (get(g) === UNLIMITED ? Number.MAX_VALUE : get(g)),
    toJson: (g) => (get(g) === UNLIMITED ? 'max' : get(g)),
    format: (g) => {
      const v = get(g);
      return pad(v === undefined ? UNKNOWN : v === UNLIMITED ? 'max' : memStr(v), Math.max(6, name.length));
    },
  };
}

/** The tree's indent: two spaces a level below the top, as atop's text output. */
const indent = (g: CgroupInterval) => '  '.repeat(Math.max(0, g.depth - 1));
/** A container's or pod's group by its name (docker:web-1), others by their directory (a systemd unit's is its unit name). */
const nameOf = (g: CgroupInterval) => g.name ?? (g.path === '/' ? '/' : g.path.slice(g.path.lastIndexOf('/') + 1));

/** A path too long for its cell keeps its end (the group's own name) behind "..". */
export function shortPath(path: string, width: number): string {
  return path.length <= width ? path : `..${path.slice(path.length - width + 2)}`;
}

const nearMax = (g: CgroupInterval): CgroupColour => (g.nearOwnMax ? 'crit' : undefined);

export const CGROUP_TREE = 'CGROUP';

const COLUMNS: CgroupColumn[] = [
  {
    // In tree order the name is indented by depth and cut at the cell's end, as atop does;
    // in a sorted (flat) list the cell holds the path. See cgroupCell.
    name: CGROUP_TREE, width: 26, left: true, json: 'path',
    get: (g) => g.path,
    format: (g) => (indent(g) + nameOf(g)).slice(0, 26).padEnd(26),
    colour: (g) => (g.level === 'ok' ? undefined : g.level),
  },
  { name: 'NPROCS', width: 6, json: 'nprocs', get: (g) => g.nprocs, format: (g) => valStr(g.nprocs, 6) },
  size('MEMORY', 'memory', (g) => g.memory, 6, nearMax),
  limit('MEMMAX', 'max', (g) => g.max, nearMax),
  limit('MEMHIGH', 'high', (g) => g.high),
  size('SWAP', 'swap', (g) => g.swap),
  size('ANON', 'anon', (g) => g.anon),
  size('FILE', 'file', (g) => g.file),
  size('CGROW', 'cgrow', (g) => g.cgrow),
  {
    // Windowed growth rate per second (the leak tracker's), as atop's per-second sizes.
    name: 'TRATE', width: 7, json: 'trate', get: (g) => g.trate,
    toJson: (g) => (g.trate === undefined ? undefined : Math.round(g.trate)),
    // Signed as the process column's (memStr of a negative rate is atop's OVFLOW).
    format: (g) => (g.trate === undefined ? pad(UNKNOWN, 7) : rateStr(g.trate, 7)),
  },
  {
    name: 'LEAK', width: 4, json: 'leak', get: (g) => (g.leak === undefined ? undefined : g.leak ? 1 : 0),
    toJson: (g) => g.leak,
    format: (g) => pad(g.leak === undefined ? UNKNOWN : g.leak ? 'LEAK' : '', 4),
    colour: (g) => (g.leak ? 'crit' : undefined),
  },
  {
    name: 'OOMKILL', width: 7, json: 'oomkill', get: (g) => g.oomkill,
    format: (g) => (g.oomkill === undefined ? pad(UNKNOWN, 7) : valStr(g.oomkill, 7)),
    colour: (g) => ((g.oomkill ?? 0) > 0 ? 'crit' : undefined),
  },
  {
    // Stall share of the interval: some/full percent (atop's MEMPS shows full, red from 20%).
    name: 'MEMPS', width: 7, get: (g) => g.psiFull ?? g.psiSome,
    format: (g) => pad(g.psiSome === undefined ? UNKNOWN : `${cFixed(g.psiSome, 0)}/${cFixed(g.psiFull ?? 0, 0)}%`, 7),
    colour: (g) => (g.psiCrit ? 'crit' : undefined),
  },
  {
    // Memory in use as a share of the tightest limit above or on the group, atop's line colours on it.
    name: 'LIMIT', width: 5, json: 'limit_pct', get: (g) => g.limitPct,
    toJson: (g) => (g.limitPct === undefined ? undefined : Math.round(g.limitPct * 100) / 100),
    format: (g) => pad(g.limitPct === undefined ? UNKNOWN : `${cFixed(Math.min(g.limitPct, 999), 0)}%`, 5),
    colour: (g) => (g.level === 'ok' ? undefined : g.level),
  },
];

/** JSON-only fields (not columns): the group's name and the two pressure figures apart. */
export const CGROUP_JSON_EXTRA: { json: string; get(g: CgroupInterval): unknown }[] = [
  { json: 'psi_some', get: (g) => (g.psiSome === undefined ? undefined : Math.round(g.psiSome * 100) / 100) },
  { json: 'psi_full', get: (g) => (g.psiFull === undefined ? undefined : Math.round(g.psiFull * 100) / 100) },
  // The container's or pod's name (docker:web-1, pod:default/nginx), null for other groups.
  { json: 'name', get: (g) => g.name },
];

const BY_NAME = new Map(COLUMNS.map((c) => [c.name, c]));

export function cgroupColumn(name: string): CgroupColumn | undefined {
  return BY_NAME.get(name.toUpperCase());
}

export function cgroupColumns(): readonly CgroupColumn[] {
  return COLUMNS;
}

/** The view's columns and their priorities (lowest dropped first when narrow). */
export const CGROUP_VIEW = [
  { name: 'CGROUP', prio: 10 }, { name: 'NPROCS', prio: 6 }, { name: 'MEMORY', prio: 10 }, { name: 'MEMMAX', prio: 9 },
  { name: 'MEMHIGH', prio: 3 }, { name: 'SWAP', prio: 4 }, { name: 'ANON', prio: 5 }, { name: 'FILE', prio: 5 },
  { name: 'CGROW', prio: 9 }, { name: 'TRATE', prio: 7 }, { name: 'LEAK', prio: 7 }, { name: 'OOMKILL', prio: 8 },
  { name: 'MEMPS', prio: 6 }, { name: 'LIMIT', prio: 9 },
];

/** The columns that fit in `width` (one space between), dropping the lowest priority, leftmost first. */
export function fitCgroupColumns(width: number): CgroupColumn[] {
  return fitByPriority(CGROUP_VIEW.map((c) => ({ prio: c.prio, col: BY_NAME.get(c.name)! })), width);
}

/** A cell: in a flat (sorted) list the CGROUP cell holds the path, shortened to fit. */
export function cgroupCell(col: CgroupColumn, g: CgroupInterval, tree: boolean): string {
  if (col.name === CGROUP_TREE && !tree) return shortPath(g.name ?? g.path, col.width).padEnd(col.width);
  return col.format(g);
}

/**
 * The rows shown: groups up to `depth` levels (the top is level 1), in tree
 * order when sorted on CGROUP, else sorted descending on the column
 * (unknown last, ties in tree order).
 */
export function cgroupRows(groups: readonly CgroupInterval[], sort: CgroupColumn, depth = Infinity): CgroupInterval[] {
  const rows = groups.filter((g) => g.depth <= depth);
  if (sort.name === CGROUP_TREE) return rows;
  const order = new Map(rows.map((g, i) => [g, i]));
  return rows.sort((a, b) => {
    const va = sort.get(a);
    const vb = sort.get(b);
    if (va === vb) return order.get(a)! - order.get(b)!;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (typeof va === 'number' && typeof vb === 'number') return vb - va;
    return String(va) < String(vb) ? -1 : 1;
  });
}

/** One group as a JSON object with the schema's keys, null where unknown. */
export function cgroupJson(g: CgroupInterval): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const value = (c: CgroupColumn) => (c.toJson ? c.toJson(g) : c.get(g)) ?? null;
  for (const c of COLUMNS) if (c.json && c.name !== 'LIMIT') out[c.json] = value(c);
  for (const x of CGROUP_JSON_EXTRA) out[x.json] = x.get(g) ?? null;
  out.limit_pct = value(BY_NAME.get('LIMIT')!);
  return out;
}
