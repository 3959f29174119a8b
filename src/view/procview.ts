/**
 * The process list on the screen: columns fitted and spaced as atop's
 * screen mode, the sort column marked in the header, the page indicator at
 * the right, and only the visible page's rows formatted (each row once per
 * table: scrolling reuses them).
 */
import type { ProcInterval } from '../model/interval.js';
import { headerRow, procRow, screenGaps, type ListColumn } from '../output/proclist.js';
import { bold, fit, highlight, paint, RESET, type Paint } from './sgr.js';

/** Put before the sort column's name in the header. */
export const SORT_MARK = '*';

/** A cell's colour, when the row kind colours cells (the cgroup view, as atop's). */
export type CellPaint<Row> = (row: Row, col: number) => Paint | undefined;

/** A list on the screen: processes, or any row kind whose columns format it (the cgroup view). */
export class ProcTable<Row = ProcInterval> {
  readonly gaps: number[];
  private readonly lines: (string | undefined)[] = [];

  /**
   * `shift`: characters of the command line scrolled out at the left (the
   * command line view). `cellPaint`: colours cells; the columns must then fit
   * the width, as fitted columns do. `room`: columns kept free at the right
   * for the page indicator (the cgroup view, whose last header would be
   * overwritten by it).
   */
  constructor(
    readonly rows: readonly Row[],
    readonly cols: readonly ListColumn<Row>[],
    readonly width: number,
    readonly shift = 0,
    private readonly cellPaint?: CellPaint<Row>,
    room = 0,
  ) {
    this.gaps = screenGaps(cols, width - room);
  }

  /** Row i, exactly the width of the screen (coloured cells with colours on). */
  line(i: number, colorOn = true): string {
    if (this.cellPaint) return this.paintedLine(i, colorOn);
    let text = this.lines[i];
    if (text === undefined) this.lines[i] = text = fit(procRow(this.rows[i]!, this.cols, this.width, this.gaps, this.shift), this.width);
    return text;
  }

  private paintedLine(i: number, colorOn: boolean): string {
    const row = this.rows[i]!;
    let out = '';
    let used = 0;
    this.cols.forEach((c, j) => {
      const gap = j < this.cols.length - 1 ? ' '.repeat(this.gaps[j] ?? 1) : '';
      const text = c.format(row);
      used += text.length + gap.length;
      out += paint(text, this.cellPaint!(row, j), colorOn) + gap;
    });
    return out + ' '.repeat(Math.max(0, this.width - used));
  }

  /** Where column i's header name starts and ends on the line. */
  private nameSpan(i: number): [number, number] {
    let start = 0;
    for (let j = 0; j < i; j++) start += this.cols[j]!.width + this.gaps[j]!;
    const c = this.cols[i]!;
    const len = Math.min(c.name.length, this.width - start);
    return c.left ? [start, start + len] : [start + Math.max(0, c.width - c.name.length), start + c.width];
  }

  /**
   * The header in reverse video, the sort column's name cut out of the bar
   * in bold with SORT_MARK before it, "page/pages" at the right end
   * (overwriting the last header characters when short of room, as atop).
   */
  header(sort: string, page: number, pages: number): string {
    const plain = fit(headerRow(this.cols, this.width, this.gaps, this.shift), this.width);
    const indicator = `${page}/${pages}`;
    const text = plain.slice(0, Math.max(0, this.width - indicator.length)) + indicator.slice(0, this.width);
    const open = '\x1b[7m';
    const i = this.cols.findIndex((c) => c.name === sort);
    if (i < 0) return open + text + RESET;
    const [from, to] = this.nameSpan(i);
    if (from >= to || to > text.length - indicator.length) return open + text + RESET;
    const markAt = from > 0 && text[from - 1] === ' ' ? from - 1 : from;
    const before = text.slice(0, markAt);
    const name = (markAt < from ? SORT_MARK : '') + text.slice(from, to);
    return open + before + RESET + bold(name) + open + text.slice(to) + RESET;
  }
}

export interface Scroll {
  /** Index of the highlighted row. */
  selected: number;
  /** Index of the first row shown. */
  top: number;
}

/** Keeps the highlight within the rows and on the page. */
export function clampScroll(s: Scroll, total: number, pageRows: number): Scroll {
  const rows = Math.max(1, pageRows);
  const selected = Math.max(0, Math.min(s.selected, total - 1));
  let top = Math.max(0, Math.min(s.top, total - rows));
  if (selected < top) top = selected;
  if (selected >= top + rows) top = selected - rows + 1;
  return { selected, top: Math.max(0, top) };
}

/** "page/pages" of the indicator: the last page once the end of the list shows. */
export function pageOf(s: Scroll, total: number, pageRows: number): [number, number] {
  const rows = Math.max(1, pageRows);
  const pages = Math.max(1, Math.ceil(total / rows));
  const page = s.top + rows >= total ? pages : Math.floor(s.top / rows) + 1;
  return [page, pages];
}

/**
 * Put on a marked row (a leak suspect, an OOM victim; in the per-user and
 * per-program views a row holding a suspect) in the blank right after its
 * first cell: `31234! 20.5M ...`. Not in column 0, where a PID with as many
 * digits as its column (any 5-digit pid under pid_max 32768, 7 under
 * 4194304) leaves no room; not a gutter, which would shift atop's columns;
 * not in the command field, which is cut at 14 characters, absent from the
 * per-user view and scrolled in the command-line view; not at the row's end,
 * far from the PID on a wide screen. The blank after the first cell is
 * always there (atop's spacing puts at least one space between columns), is
 * one screen column for every row, so the marks line up like a gutter, and
 * sits next to the PID a user types for k or I. Without colours it is what
 * marks the row besides bold.
 */
export const LEAK_MARK = '!';

/**
 * Put in the same blank on the row of a process born in the interval (in the
 * per-user and per-program views, a row holding one and no suspect): its
 * RGROW is its whole size, as atop's, and the RGROW sort ranks it after the
 * established processes that grew. Not coloured: a new process is news, not
 * a fault. A new process is never a suspect (its first size is no growth).
 */
export const NEW_MARK = '+';

/** How a row is marked: a suspect or an OOM victim (red, LEAK_MARK), or new in the interval (NEW_MARK). */
export type RowMark = 'suspect' | 'new';

/** The row with `mark` in the blank after its first cell (after a PID wider than its column too). */
export function markedLine(line: string, mark = LEAK_MARK): string {
  const start = line.search(/\S/);
  const at = start < 0 ? -1 : line.indexOf(' ', start);
  return at < 0 ? line : line.slice(0, at) + mark + line.slice(at + 1);
}

/**
 * The visible rows, the highlighted one marked; rows `marked` says are
 * suspects in red (bold without colours) with LEAK_MARK after the first
 * cell, new ones with NEW_MARK there.
 */
export function pageLines<Row>(
  table: ProcTable<Row>, s: Scroll, pageRows: number, colorOn: boolean, marked?: (row: Row) => RowMark | undefined,
): string[] {
  const out: string[] = [];
  const end = Math.min(table.rows.length, s.top + pageRows);
  for (let i = s.top; i < end; i++) {
    let line = table.line(i, colorOn);
    const mark = marked?.(table.rows[i]!);
    if (mark === 'suspect') line = paint(markedLine(line), 'crit', colorOn);
    else if (mark === 'new') line = markedLine(line, NEW_MARK);
    out.push(i === s.selected ? highlight(line, colorOn) : line);
  }
  return out;
}
