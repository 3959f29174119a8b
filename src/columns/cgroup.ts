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
import { fitByPriority, jsonFields, rowJson, type Field, type Metric } from './registry.js';

export type CgroupColour = 'crit' | 'almost' | undefined;

/** A field of the registry's generic shape (registry.ts): name, width, getter, formatter, JSON key, metric. */
export interface CgroupColumn<Name extends string = string> extends Field<CgroupInterval, Name> {
  /** atop's colour for the cell, when it has one. */
  colour?(g: CgroupInterval): CgroupColour;
}

const UNKNOWN = '-';
const pad = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : s.padStart(w));

function size<N extends string>(
  name: N, json: string, get: (g: CgroupInterval) => number | undefined, extra: Pick<CgroupColumn, 'colour' | 'metric'> = {}, width = 6,
): CgroupColumn<N> {
  return { name, width, json, get, ...extra, format: (g) => pad(get(g) === undefined ? UNKNOWN : memStr(get(g)!), width) };
}

/** Cgroup metrics are labelled `cgroup` (the path below the mount point), after the family prefix memtop_cgroup_. */
const bytes = (name: string, help: string): Metric<CgroupInterval> => ({ name: `${name}_bytes`, help, unit: 'bytes' });

/** Two decimals, as the JSON's percentages. */
const round2 = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 100) / 100);

/** A limit: bytes, "max" when unlimited; JSON gives the kernel's "max" too. */
function limit<N extends string>(
  name: N, json: string, get: (g: CgroupInterval) => number | undefined, extra: Pick<CgroupColumn, 'colour' | 'metric'> = {},
): CgroupColumn<N> {
  return {
    name, width: Math.max(6, name.length), json, ...extra,
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

/** In JSON schema order: the JSON lists a group's fields, and the exposition its families, in this order. */
const COLUMNS = [
  {
    // In tree order the name is indented by depth and cut at the cell's end, as atop does;
    // in a sorted (flat) list the cell holds the path. See cgroupCell.
    name: CGROUP_TREE, width: 26, left: true, json: 'path',
    get: (g) => g.path,
    format: (g) => (indent(g) + nameOf(g)).slice(0, 26).padEnd(26),
    colour: (g) => (g.level === 'ok' ? undefined : g.level),
  },
  { name: 'NPROCS', width: 6, json: 'nprocs', get: (g) => g.nprocs, format: (g) => valStr(g.nprocs, 6) },
  size('MEMORY', 'memory', (g) => g.memory, {
    colour: nearMax, metric: bytes('memory', 'Memory in use by the cgroup and below (MEMORY: memory.current, v1 memory.usage_in_bytes).'),
  }),
  limit('MEMMAX', 'max', (g) => g.max, {
    colour: nearMax,
    // No series for a group without a limit.
    metric: {
      ...bytes('limit', 'The cgroup\'s memory limit (MEMMAX: memory.max, v1 memory.limit_in_bytes), when one is set.'),
      value: (g) => (g.max === UNLIMITED ? undefined : g.max),
    },
  }),
  limit('MEMHIGH', 'high', (g) => g.high),
  size('SWAP', 'swap', (g) => g.swap, { metric: bytes('swap', 'Swap in use by the cgroup (SWAP).') }),
  size('ANON', 'anon', (g) => g.anon, { metric: bytes('anon', 'Anonymous memory of the cgroup (ANON, memory.stat).') }),
  size('FILE', 'file', (g) => g.file, { metric: bytes('file', 'Page cache of the cgroup (FILE, memory.stat).') }),
  size('CGROW', 'cgrow', (g) => g.cgrow, {
    metric: {
      name: 'growth_bytes_per_second', perSecond: true,
      help: 'Growth of the cgroup\'s memory over the last interval, per second (CGROW per second).',
    },
  }),
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
    // The kills in the interval on screen and in JSON; the exposition's counter is the kernel's running count.
    name: 'OOMKILL', width: 7, json: 'oomkill', get: (g) => g.oomkill,
    format: (g) => (g.oomkill === undefined ? pad(UNKNOWN, 7) : valStr(g.oomkill, 7)),
    colour: (g) => ((g.oomkill ?? 0) > 0 ? 'crit' : undefined),
    metric: {
      name: 'oom_kills', total: (g) => g.oomKills,
      help: 'OOM kills in the cgroup and below since it was made (memory.events, v1 memory.oom_control).',
    },
  },
  {
    // Stall share of the interval: some/full percent (atop's MEMPS shows full, red from 20%).
    name: 'MEMPS', width: 7, get: (g) => g.psiFull ?? g.psiSome,
    format: (g) => pad(g.psiSome === undefined ? UNKNOWN : `${cFixed(g.psiSome, 0)}/${cFixed(g.psiFull ?? 0, 0)}%`, 7),
    colour: (g) => (g.psiCrit ? 'crit' : undefined),
  },
  // The two pressure figures apart, in percent of the interval: JSON psi_some and psi_full (not in the view; O or --cgroup-sort can name them).
  {
    name: 'PSISOME', width: 7, json: 'psi_some', get: (g) => g.psiSome, toJson: (g) => round2(g.psiSome),
    format: (g) => pad(g.psiSome === undefined ? UNKNOWN : `${cFixed(g.psiSome, 0)}%`, 7),
  },
  {
    name: 'PSIFULL', width: 7, json: 'psi_full', get: (g) => g.psiFull, toJson: (g) => round2(g.psiFull),
    format: (g) => pad(g.psiFull === undefined ? UNKNOWN : `${cFixed(g.psiFull, 0)}%`, 7),
  },
  {
    // The container's or pod's name (docker:web-1, pod:default/nginx), null for other groups (JSON name; not in the view).
    name: 'CONTAINER', width: 20, left: true, json: 'name', get: (g) => g.name,
    format: (g) => (g.name ?? UNKNOWN).slice(0, 20).padEnd(20),
  },
  {
    // Memory in use as a share of the tightest limit above or on the group, atop's line colours on it.
    name: 'LIMIT', width: 5, json: 'limit_pct', get: (g) => g.limitPct,
    toJson: (g) => (g.limitPct === undefined ? undefined : Math.round(g.limitPct * 100) / 100),
    format: (g) => pad(g.limitPct === undefined ? UNKNOWN : `${cFixed(Math.min(g.limitPct, 999), 0)}%`, 5),
    colour: (g) => (g.level === 'ok' ? undefined : g.level),
  },
] as const satisfies readonly CgroupColumn[];

/** Every cgroup column's name: the view naming anything else does not compile. */
export type CgroupColumnName = (typeof COLUMNS)[number]['name'];

const BY_NAME = new Map<string, CgroupColumn>(COLUMNS.map((c) => [c.name, c]));
const JSON_FIELDS = jsonFields<CgroupInterval>(COLUMNS);

export function cgroupColumn(name: string): CgroupColumn | undefined {
  return BY_NAME.get(name.toUpperCase());
}

export function cgroupColumns(): readonly CgroupColumn[] {
  return COLUMNS;
}

/** The view's columns and their priorities (lowest dropped first when narrow). */
export const CGROUP_VIEW: readonly { name: CgroupColumnName; prio: number }[] = [
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

/** One group as a JSON object with the schema's keys (registry order), null where unknown. */
export function cgroupJson(g: CgroupInterval): Record<string, unknown> {
  return rowJson(JSON_FIELDS, g);
}
