/**
 * Validated settings from the command line, each option parsed into its
 * typed field here. Every check fails with usageError: one line saying what
 * is wrong and what is valid (exit 2).
 */
import { allColumns } from './columns/process.js';
import { CGROUP_VIEW, cgroupColumn } from './columns/cgroup.js';
import { VIEWS, viewColumn, type ViewDef } from './columns/views.js';
import { parseTimeSpec, TIME_FORMAT, type TimeSpec } from './format/timespec.js';
import { usageError } from './messages.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './model/thresholds.js';

export type OutputMode = 'tui' | 'text' | 'json' | 'csv';

export interface Config {
  interval: number;
  /** Number of samples to take, the since-boot one included; undefined = until stopped. */
  samples?: number;
  proc: string;
  sys: string;
  mode: OutputMode;
  /** --csv with a view given (-V, -m): one line per process per sample; else one line per sample of the system figures. */
  csvProcs?: boolean;
  /** --report FILE (with -r): the recording as one self-contained HTML page. */
  report?: string;
  width: number;
  view: ViewDef;
  sort?: string;
  /**
   * --sort-resets: a change of view sorts on the new view's default, as atop
   * does. Off: each view keeps the sort chosen in it (O RGROW in the memory
   * view is still there after a look at another view).
   */
  sortResets: boolean;
  /**
   * --sort-atop: RGROW and TRATE sort as atop's, on the figure alone. Off: what
   * grew ranks above what was born or is too young for its rate (sortProcs).
   */
  sortAtop?: boolean;
  all: boolean;
  /** -a: every process in every view, not only the active ones. */
  allProcs: boolean;
  /** -R (atop's R): PSIZE read and shown, after RSIZE (config.view already shows it). */
  psize?: boolean;
  color: boolean;
  /** --theme: the screen's colours for a dark (default) or a light background. */
  theme?: ThemeName;
  /** The configuration file's colorinfo, coloralmost, colorcritical (atoprc's): palette numbers 0-255. */
  colors?: Partial<Record<'info' | 'almost' | 'crit', number>>;
  /** --tree: processes as a tree, each under its parent. */
  tree?: boolean;
  term?: string;
  thresholds: Thresholds;
  /** -w FILE: record raw samples to FILE instead of drawing. */
  write?: string;
  /** -r FILE|YYYYMMDD|y...|-: replay a recording. */
  read?: string;
  /** --log-dir DIR: daily files memtop_YYYYMMDD (record with -w-less logging, or pick -r dates). */
  logDir?: string;
  /** --keep DAYS: daily files older than this are removed. */
  keep: number;
  /** -b / -e: replay window, [YYYYMMDD]hh:mm[:ss]. */
  begin?: TimeOption;
  end?: TimeOption;
  /** --prometheus [HOST:]PORT */
  prometheus?: ListenAddress;
  /** --top K: processes per ranking exported to Prometheus. */
  top: number;
  /** --detail PID: one process in detail instead of the list. */
  detail?: number;
  /** --stacks PID [--for DURATION] [--sample N]: trace allocation stacks, then exit. */
  stacks?: number;
  traceSeconds?: number;
  traceEvery?: number;
  /** --contain PID [--limit SIZE] and --release PID: containment actions, then exit. */
  contain?: number;
  limit?: string;
  /** --force: --contain and K move a unit's main process too (never pid 1, kernel threads or memtop's own chain). */
  force?: boolean;
  release?: number;
  /** --window: seconds over which growth is judged; undefined = max(10 min, 12 intervals). */
  window?: number;
  /**
   * Lines of the configuration files memtop passed over, as said on stderr
   * at start; the live screen also shows them on its status line.
   */
  configNotes?: string[];
  /** --config FILE: the file read instead of the usual ones (S still saves to the user's file, and says so). */
  configFile?: string;
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** A duration: seconds, or a number with s, m, h or d (90s, 10m, 6h). */
export function parseDuration(what: string, text: string, min: number, max: number): number {
  const m = /^(\d*\.?\d+)\s*([smhd]?)$/i.exec(text.trim());
  const v = m ? Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isFinite(v) || v < min || v > max) {
    throw usageError(`invalid ${what} '${text}': give seconds or a number with s, m, h or d, from ${min} s to ${max / 86400} days, e.g. 90s, 10m, 6h`);
  }
  return v;
}

/** A time as typed (for messages) and as parsed. */
export interface TimeOption {
  text: string;
  spec: TimeSpec;
}

export function parseTimeOption(flag: string, text: string): TimeOption {
  const spec = parseTimeSpec(text);
  if (!spec) throw usageError(`invalid ${flag} time '${text}': give ${TIME_FORMAT}, e.g. 14:30 or 20240131 14:30`);
  return { text, spec };
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** PORT, HOST:PORT or [IPv6]:PORT; the host defaults to 127.0.0.1 (never all interfaces by accident). */
export function parseListen(text: string): ListenAddress {
  const bad = (why: string) =>
    usageError(`invalid --prometheus '${text}': ${why} (give PORT, HOST:PORT or [IPV6]:PORT, e.g. 19464 or 0.0.0.0:19464)`);
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim());
  if (!m) throw bad('not a port or host:port');
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw bad('the port must be from 0 to 65535');
  if (host === '' && text.trim().includes(':')) throw bad('the host before ":" is empty; use 0.0.0.0 for all interfaces');
  return { host: host || '127.0.0.1', port };
}

export function parseInterval(text: string): number {
  const v = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || !Number.isFinite(v) || v < 0.1 || v > 86400) {
    throw usageError(`invalid interval '${text}': give seconds from 0.1 to 86400, e.g. 2 or 0.5`);
  }
  return v;
}

export function parseSamples(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < 1) {
    throw usageError(`invalid number of samples '${text}': give a whole number of at least 1`);
  }
  return v;
}

export function parsePositiveInt(what: string, text: string, min = 1, max = 100000): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max) {
    throw usageError(`invalid ${what} '${text}': give a whole number from ${min} to ${max}`);
  }
  return v;
}

export function parsePercent(what: string, text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v > 100) {
    throw usageError(`invalid ${what} '${text}': give a percentage from 0 (off) to 100`);
  }
  return v;
}

/**
 * A view by its name (any case) or its key as the screen takes it (case
 * matters: G is the cgroup view, g the generic one; L the leak view).
 */
export function viewByName(name: string): ViewDef {
  const views = Object.values(VIEWS) as ViewDef[];
  const view = views.find((v) => v.name === name.toLowerCase()) ?? views.find((v) => v.key === name);
  if (!view) throw usageError(`unknown view '${name}': valid views are ${viewList()}`);
  return view;
}

/** "generic (g), memory (m), ...": every view with its key, for --help, messages and the manual's check. */
export function viewList(): string {
  return (Object.values(VIEWS) as ViewDef[]).map((v) => `${v.name} (${v.key})`).join(', ');
}

/** --sort takes any process column name, case-insensitive; the view must offer it to show it. */
export function checkSortColumn(name: string, view: ViewDef): string {
  if (view.cgroups) {
    const col = cgroupColumn(name);
    if (!col) throw usageError(`unknown cgroup column '${name}': valid columns are ${CGROUP_VIEW.map((c) => c.name).join(' ')}`);
    return col.name;
  }
  const known = allColumns().find((c) => c.name === name.toUpperCase());
  if (!known) {
    const names = allColumns().map((c) => c.name).join(' ');
    throw usageError(`unknown column '${name}': valid columns are ${names}`);
  }
  if (!viewColumn(view, known.name)) {
    const names = view.columns.map((c) => c.name).join(' ');
    throw usageError(`column '${known.name}' is not in the ${view.name} view: valid there are ${names}`);
  }
  return known.name;
}

/** The screen's themes (view/sgr.ts holds their palettes). */
export const THEME_NAMES = ['dark', 'light'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

export function parseTheme(text: string): ThemeName {
  const name = text.trim().toLowerCase();
  if (!(THEME_NAMES as readonly string[]).includes(name)) throw usageError(`unknown theme '${text}': valid themes are ${THEME_NAMES.join(', ')}`);
  return name as ThemeName;
}

/** The basic colours by name, as atoprc names them; their numbers are the terminal palette's. */
export const COLOR_NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

/** A colour by name or as a number of the 256-colour palette. */
export function parseColor(what: string, text: string): number {
  const t = text.trim().toLowerCase();
  const named = (COLOR_NAMES as readonly string[]).indexOf(t);
  if (named >= 0) return named;
  if (/^\d+$/.test(t) && Number(t) <= 255) return Number(t);
  throw usageError(`invalid ${what} '${text}': give one of ${COLOR_NAMES.join(' ')} or a palette number from 0 to 255`);
}

export const defaultThresholds = (): Thresholds => ({ ...DEFAULT_THRESHOLDS });
