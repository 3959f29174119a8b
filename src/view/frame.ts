/**
 * What the live screen shows, made from its state (state.ts) at a given
 * size: the header with the flags, the system lines, the trend panel, the
 * status line, the process list's header and visible rows, the help
 * overlay. Reads the state, never changes it; what it builds (the process
 * table, the styled system lines) is kept for the next frame and rebuilt
 * when what it was made of changes.
 */
import { fitColumns, withOnDemand, withSortResource, type ViewDef } from '../columns/views.js';
import { rateStr, suspectsIn, type Column } from '../columns/process.js';
import { printable } from '../format/text.js';
import { durationStr, memStr } from '../format/units.js';
import type { CgroupInterval } from '../model/cgroups.js';
import { verdictAges } from '../model/growth.js';
import { noCgroupsLine } from '../output/cgrouplist.js';
import { cgroupTable } from './cgroupview.js';
import { topTrend } from './trendseries.js';
import type { Interval, ProcInterval } from '../model/interval.js';
import { headerLine } from '../output/header.js';
import type { SysLine } from '../output/sysfield.js';
import type { Filters } from './filters.js';
import { helpOverlay } from './help.js';
import { listRows, PANEL_MIN_HEIGHT, screenLayout } from './layout.js';
import { clampScroll, pageLines, pageOf, ProcTable, type RowMark, type Scroll } from './procview.js';
import { promptLine, type Prompt } from './prompt.js';
import type { Frame } from './screen.js';
import { bold, fit, reverse } from './sgr.js';
import { styledSysLine } from './sysview.js';
import { fitsTerminal, tooSmallLines } from './toosmall.js';
import type { TrendPanel } from './trendpanel.js';
import type { DetailPane } from './detailpane.js';
import type { ThreadPane } from './threadpane.js';
import { isTreeColumn, treeColumn, type ProcTree } from '../output/proctree.js';
import type { DetailHistory } from '../output/detail.js';

/** The state a frame is made of. */
export interface Shown {
  readonly iv: Interval | undefined;
  readonly view: ViewDef;
  readonly sort: string;
  readonly sysLines: readonly SysLine[];
  readonly rows: readonly ProcInterval[];
  /** The cgroup view's rows (tree order or sorted) and the levels shown. */
  readonly cgroupRows: readonly CgroupInterval[];
  readonly cgroupDepth: number;
  readonly scrollPos: Scroll;
  readonly cmdShift: number;
  readonly filters: Filters;
  readonly all: boolean;
  readonly allProcs: boolean;
  readonly color: boolean;
  readonly paused: boolean;
  readonly manual: boolean;
  readonly helpOpen: boolean;
  readonly prompt: Prompt | undefined;
  readonly message: { readonly text: string } | undefined;
  readonly trend: TrendPanel;
  readonly detail: DetailPane | undefined;
  readonly notice: readonly string[] | undefined;
  /** The tree the rows are in, while shown (e, --tree). */
  readonly procTree?: ProcTree;
  readonly threads?: ThreadPane;
  /** The trend charts in ASCII (no braille on this terminal). */
  readonly ascii?: boolean;
}

/** A notice in the overlay's frame: the lines cut to the screen, any key closes it. */
function noticeBox(lines: readonly string[], width: number, height: number): string[] {
  const inner = Math.max(1, width - 4);
  // Long lines wrap at spaces where they can, so the explanation stays readable.
  const body: string[] = [];
  for (const line of lines) {
    let rest = line;
    while (rest.length > inner) {
      const cut = rest.lastIndexOf(' ', inner);
      const at = cut > inner / 2 ? cut : inner;
      body.push(rest.slice(0, at));
      rest = (rest.slice(at).startsWith(' ') ? '    ' : '') + rest.slice(at).trimStart();
    }
    body.push(rest);
  }
  const shown = body.slice(0, Math.max(1, height - 2));
  const w = Math.min(inner, Math.max(...shown.map((l) => l.length)));
  const rule = `+${'-'.repeat(w + 2)}+`;
  return [rule, ...shown.map((l) => `| ${l.padEnd(w)} |`), rule];
}

/**
 * The columns the list shows at this width: the view's, its resource column
 * following C, M and D, the CGROUP column while filtered to a cgroup.
 */
export function shownColumns(view: ViewDef, sort: string, width: number, pidWidth = 5, cgroupFilter = false, tree?: ProcTree): Column[] {
  const shown = withSortResource(view, sort);
  const adjust = tree ? (c: Column) => (isTreeColumn(c) ? treeColumn(c, tree) : c) : undefined;
  return fitColumns(cgroupFilter ? withOnDemand(shown, 'CGROUP') : shown, width, pidWidth, adjust);
}

/** The header's flags, atop's order: f a x z, then memtop's filters and B. */
function flags(s: Shown): string {
  const f = (on: boolean, c: string) => (on ? c : '-');
  const k = s.filters;
  return f(s.all, 'f') + f(s.allProcs, 'a') + f(!s.color, 'x') + f(s.paused, 'z') + f(!!k.user, 'U') + f(!!k.program, 'P') +
    f(!!k.cmdline, '/') + f(!!k.pids, 'I') + f(s.trend.on, 'B');
}

/** The status line: a question, else a message, else what the screen is in, else why the list is empty. */
function statusText(s: Shown, width: number, panelTooShort: boolean): string {
  if (s.prompt) return promptLine(s.prompt, width);
  if (s.message) return bold(fit(s.message.text, width));
  if (panelTooShort) return `the trend panel (B) needs a terminal of ${PANEL_MIN_HEIGHT} rows`;
  if (s.paused) return 'paused: z continues, t takes a sample';
  if (s.manual) return 'interval 0: t takes a sample, i sets an interval';
  // The first interval covers the time since boot: its oom_kill count is no news.
  // The suspect named is the top one of the processes listed (filters apply); per user or program, of all.
  const news = s.iv && !s.iv.sinceBoot && memoryNews(s.iv, s.view, s.view.aggregate || s.view.cgroups ? s.iv.procs : s.rows);
  if (news) return news;
  if (!s.view.cgroups && s.rows.length === 0 && Object.keys(s.filters).length > 0) return 'no process matches the filters (an empty answer to U P / I clears one)';
  if (!s.view.cgroups && s.rows.length === 0 && s.iv) return 'no process was active in this interval: a lists them all';
  if (s.iv?.sinceBoot) return '*** System and Process Activity since Boot ***';
  if (s.view.cgroups && s.iv) {
    if (s.iv.cgroups.length === 0) return noCgroupsLine(s.iv);
    const levels = s.cgroupDepth >= 9 ? 'all levels' : `${s.cgroupDepth} levels`;
    return `memory cgroups (v${s.iv.cgroupVersion}), ${levels} (2-9); Enter: the highlighted group's processes`;
  }
  if (s.filters.cgroup) {
    const text = s.filters.cgroup.text;
    return text.startsWith('/')
      ? `processes of cgroup ${text} and below (G, Enter on /: all)`
      : `processes of the cgroups named ${text} and below (F, empty: all)`;
  }
  return (s.iv && youngHistory(s.iv)) ?? '';
}

/** The list's header and the rows of its page. */
function listLines<Row>(
  table: ProcTable<Row>, s: Shown, pageRows: number, marked?: (row: Row) => RowMark | undefined,
): { procHead: string; rows: string[] } {
  const scroll = clampScroll(s.scrollPos, table.rows.length, pageRows);
  const [page, pages] = pageOf(scroll, table.rows.length, pageRows);
  return { procHead: table.header(s.sort, page, pages), rows: pageLines(table, scroll, pageRows, s.color, marked) };
}

/**
 * What memtop found out about memory, for the status line: an OOM kill
 * (its victim named when the kernel log was read), else the top leak
 * suspect; in the leak view without a suspect, what it watches.
 */
export function memoryNews(iv: Interval, view: ViewDef, procs: readonly ProcInterval[] = iv.procs): string | undefined {
  const victims = iv.exited.filter((e) => e.oom);
  if (victims.length > 0) {
    const named = victims.map((e) => `${e.pid} ${printable(e.cmd)} (${e.rsize === undefined ? '?' : memStr(e.rsize + (e.swapsz ?? 0)).trim()})`).join(', ');
    return `OOM killer killed ${named}`;
  }
  if (iv.pag.oomkill > 0) return `OOM killer killed ${iv.pag.oomkill} process(es): victim not named (the kernel log, /dev/kmsg, needs root)`;
  // A process memtop contained has ended (seen in the cgroup tree: a replay tells it too).
  const ended = iv.exited.filter((e) => e.contained);
  if (ended.length > 0) return `contained process ended: ${ended.map((e) => `${e.pid} ${printable(e.cmd)}`).join(', ')}`;
  // Without a suspect in the interval there is none among the rows either: no walk through thousands of them.
  const top = iv.forecast?.suspects === 0 ? undefined : topTrend(procs, true);
  if (top) {
    const grown = top.growing === undefined ? '' : ` for ${durationStr(top.growing)}`;
    const others = procs.filter((p) => p.leak).length - 1;
    return `leak suspect: ${top.pid} ${printable(top.program ?? top.cmd)} +${rateStr(top.trate, 12).trim()}${grown}` +
      (others > 0 ? ` (+${others} more)` : '') + (view.name === 'leak' ? '' : ' - L: leak view');
  }
  // A leak view filtered to nothing says so (the status line's next check), not "no history yet".
  if (view.name === 'leak' && procs.length > 0) {
    const young = youngHistory(iv);
    const window = young ? ` (${young})` : procs.find((p) => p.trate !== undefined) ? '' : ' (no history yet)';
    return `no leak suspect: resident anonymous + swapped memory of every process is watched for steady growth${window}`;
  }
  return undefined;
}

/** The screen's growth history of the process in the detail: what its flag rests on. */
function detailHistory(s: Shown): DetailHistory | undefined {
  const p = s.iv?.procs.find((q) => q.pid === s.detail!.pid);
  return p && { trate: p.trate, tgrow: p.tgrow, leak: p.leak, growing: p.growing, window: s.iv?.forecast?.window };
}

/**
 * While the history is shorter than a verdict needs (a fresh memtop with no
 * daily log to start from, a replay's first samples): how long until one.
 */
function youngHistory(iv: Interval): string | undefined {
  const age = iv.forecast?.age;
  const window = iv.forecast?.window;
  if (age === undefined || window === undefined) return undefined;
  const { fast, steady } = verdictAges(window, iv.elapsed);
  if (age >= steady) return undefined;
  const wait = (s: number) => `in ${durationStr(Math.ceil(s - age))}`;
  return `history ${durationStr(Math.floor(age))}: leak verdicts possible ${age < fast ? `${wait(fast)} for fast growth (1% of memory a minute), ` : ''}${wait(steady)} for steady growth (a third of --window)`;
}

/**
 * Rows marked in every view: a leak suspect, an OOM victim; per user or program, a row holding a suspect;
 * else a process new in the interval (a row holding one).
 */
const markedRow = (p: ProcInterval): RowMark | undefined =>
  suspectsIn(p) > 0 || p.exited === 'oom' ? 'suspect' : p.isNew || p.recent || (p.born ?? 0) > 0 ? 'new' : undefined;
/** The interval since boot, where every process is new: no row is marked new. */
const markedSinceBoot = (p: ProcInterval): RowMark | undefined => (markedRow(p) === 'suspect' ? 'suspect' : undefined);

export class Frames {
  private tableMemo: { key: string; rows: readonly ProcInterval[]; table: ProcTable } | undefined;
  private cgroupMemo: { key: string; rows: readonly CgroupInterval[]; table: ProcTable<CgroupInterval> } | undefined;
  private sysMemo: { key: string; from: readonly SysLine[]; lines: string[] } | undefined;

  /** The screen for `s` at width x height. */
  frame(s: Shown, width: number, height: number): Frame {
    const empty = { header: '', sys: [], status: '', procHead: '', rows: [] };
    if (!fitsTerminal(width, height)) return { ...empty, tooSmall: tooSmallLines(width, height) };
    const help = s.notice ? noticeBox(s.notice, width, height) : s.helpOpen ? helpOverlay(width, height) : undefined;
    const iv = s.iv;
    if (!iv) return { ...empty, header: reverse(fit('memtop', width)), status: fit(statusText(s, width, false), width), help };
    if (s.threads) {
      return {
        header: reverse(fit(headerLine(iv, width, flags(s)), width)),
        sys: [],
        status: fit(statusText(s, width, false), width),
        procHead: reverse(fit(s.threads.title(), width)),
        rows: s.threads.lines(width, height - 3).map((l) => fit(l, width)),
        help,
      };
    }
    if (s.detail) {
      const title = ` DETAIL of pid ${s.detail.pid}: Esc or Enter back, K contain / release, S stacks`;
      return {
        header: reverse(fit(headerLine(iv, width, flags(s)), width)),
        sys: [],
        status: fit(statusText(s, width, false), width),
        procHead: reverse(fit(title, width)),
        rows: s.detail.lines(width, height - 3, detailHistory(s)).map((l) => fit(l, width)),
        help,
      };
    }
    const layout = screenLayout(height, s.sysLines, s.trend.ready);
    const panel = layout.panelRows > 0 ? s.trend.view(iv, width, layout.panelRows, s.color, s.ascii) : undefined;
    const pageRows = listRows(layout, height);
    const list = s.view.cgroups ? listLines(this.cgroupTable(s, width), s, pageRows) : listLines(this.table(s, width), s, pageRows, iv.sinceBoot ? markedSinceBoot : markedRow);
    return {
      header: reverse(fit(headerLine(iv, width, flags(s)), width)),
      sys: this.styledSys(s, layout.sys, width),
      status: fit(statusText(s, width, layout.panelTooShort), width),
      ...list,
      panel,
      help,
    };
  }

  private cgroupTable(s: Shown, width: number): ProcTable<CgroupInterval> {
    const key = `${s.sort}|${width}`;
    const memo = this.cgroupMemo;
    if (memo?.key === key && memo.rows === s.cgroupRows) return memo.table;
    const table = cgroupTable(s.cgroupRows, width, s.sort);
    this.cgroupMemo = { key, rows: s.cgroupRows, table };
    return table;
  }

  private table(s: Shown, width: number): ProcTable {
    const pidWidth = s.iv?.pidWidth;
    const filtered = !!s.filters.cgroup;
    const key = `${s.view.name}|${s.sort}|${width}|${s.cmdShift}|${pidWidth}|${filtered}|${!!s.procTree}`;
    const memo = this.tableMemo;
    if (memo?.key === key && memo.rows === s.rows) return memo.table;
    const table = new ProcTable(s.rows, shownColumns(s.view, s.sort, width, pidWidth, filtered, s.procTree), width, s.cmdShift);
    this.tableMemo = { key, rows: s.rows, table };
    return table;
  }

  private styledSys(s: Shown, lines: readonly SysLine[], width: number): string[] {
    const key = `${width}|${s.color}|${lines.length}`;
    const memo = this.sysMemo;
    if (memo?.key === key && memo.from === s.sysLines) return memo.lines;
    const styled = lines.map((l) => styledSysLine(l, width, s.color));
    this.sysMemo = { key, from: s.sysLines, lines: styled };
    return styled;
  }
}
