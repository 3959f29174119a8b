/**
 * The trend panel as text and chart outlines, for a given size: titles,
 * y-axis labels and the memory legend as styled lines, and where each
 * braille canvas goes with the polylines it draws. Pure; trendcanvas.ts puts
 * the canvases on the screen.
 *
 * Side by side from SIDE_BY_SIDE columns (memory left, the process right),
 * stacked below that. The legend lists the series in the order their lines
 * end, top to bottom, with the latest value and the change over the panel's
 * span, so it reads without colours too.
 */
import { printable } from '../format/text.js';
import { elapsedStr, memStr } from '../format/units.js';
import type { Level } from '../model/thresholds.js';
import { levelPaint, paint, type Hue, type Paint } from './sgr.js';
import type { TrendPoint } from './trend.js';
import { asciiChart } from './asciichart.js';
import {
  lastAndChange, memorySeries, polylines, PROCESS_HUE, processSeries, SWAP_HUE, yOf, type Point, type Series, type Target, type Values,
} from './trendseries.js';

export const SIDE_BY_SIDE = 64;
/** A memStr and a space. */
const Y_LABEL = 7;
/** Legend: " cache 697.7M", and " -655.8M" when the canvas keeps WIDE_CANVAS columns. */
const LEGEND_SHORT = 13;
const LEGEND_FULL = 21;
const WIDE_CANVAS = 16;

export interface ChartDraw {
  /** Columns and rows from the panel's top left corner. */
  left: number;
  top: number;
  cols: number;
  rows: number;
  /** Undefined hue: the terminal's default colour (colours off). */
  lines: { hue?: Hue; points: Point[] }[];
}

export interface PanelView {
  lines: string[];
  charts: ChartDraw[];
}

export interface TrendInput {
  points: readonly TrendPoint[];
  target: Target | undefined;
  /** The MEM and SWP lines' levels: the worst colours the memory title. */
  levels: Level[];
}

interface Part {
  col: number;
  text: string;
  paint?: Paint;
}

interface Area {
  left: number;
  cols: number;
  titleRow: number;
  top: number;
  rows: number;
}

/** `ascii`: the charts drawn into the lines as ASCII (asciichart.ts), no braille canvases. */
export function trendView(input: TrendInput, width: number, rows: number, colorOn: boolean, ascii = false): PanelView {
  const lineParts: Part[][] = Array.from({ length: rows }, () => []);
  const charts: ChartDraw[] = [];
  const [mem, proc] = areas(width, rows);
  const put = (row: number, part: Part) => lineParts[row]?.push(part);

  const memSeries = memorySeries(input.points);
  put(mem.titleRow, { col: mem.left, text: 'memory', paint: levelPaint(worst(input.levels)) });
  put(mem.titleRow, { col: mem.left + 6, text: fitText(spanText(input.points), mem.cols - 6) });
  const memMax = Math.max(1, ...input.points.map((p) => p.tot), ...memSeries.flatMap((s) => known(s.values)));
  charts.push(chart(mem, memSeries, memMax, legendWidth(mem.cols), colorOn, put));

  const values = input.target ? processSeries(input.points, input.target.pid) : [];
  const swapped = input.target ? processSeries(input.points, input.target.pid, 'swap') : [];
  put(proc.titleRow, { col: proc.left, text: processTitle(input.target, values, swapped, proc.cols) });
  const series: Series[] = [{ name: 'RSIZE', hue: PROCESS_HUE, values }];
  if (known(swapped).some((v) => v > 0)) series.push({ name: 'SWAP', hue: SWAP_HUE, values: swapped });
  // Scaled to the data, not from zero: a 1.2 GiB growth of a 20 GiB process must fill the chart, not a sliver.
  const all = series.flatMap((s) => known(s.values));
  const [lo, hi] = dataRange(all);
  charts.push(chart(proc, series, hi, 0, colorOn, put, lo));

  if (ascii) for (const c of charts) putAscii(c, put);
  return { lines: lineParts.map((parts) => compose(parts, width, colorOn)), charts: ascii ? [] : charts };
}

/** The chart's ASCII cells as parts of the panel's lines: one part per run of cells of one hue. */
function putAscii(chart: ChartDraw, put: (row: number, part: Part) => void): void {
  asciiChart(chart).forEach((cells, r) => {
    let start = -1;
    let text = '';
    let hue: Hue | undefined;
    const flush = () => {
      if (start >= 0) put(chart.top + r, { col: chart.left + start, text, paint: hue });
      start = -1;
      text = '';
    };
    cells.forEach((cell, x) => {
      if (!cell || (start >= 0 && cell.hue !== hue)) flush();
      if (!cell) return;
      if (start < 0) {
        start = x;
        hue = cell.hue;
      }
      text += cell.ch;
    });
    flush();
  });
}

/** The memory chart's area and the process chart's. */
function areas(width: number, rows: number): [Area, Area] {
  if (width >= SIDE_BY_SIDE) {
    const left = Math.floor(width * 0.62);
    const chartRows = rows - 1;
    return [
      { left: 0, cols: left, titleRow: 0, top: 1, rows: chartRows },
      { left: left + 2, cols: width - left - 2, titleRow: 0, top: 1, rows: chartRows },
    ];
  }
  // Stacked: the memory chart keeps a row per legend entry (4), the process chart the rest.
  const procRows = Math.max(2, Math.floor((rows - 2) / 3));
  const memRows = Math.max(1, rows - 2 - procRows);
  return [
    { left: 0, cols: width, titleRow: 0, top: 1, rows: memRows },
    { left: 0, cols: width, titleRow: memRows + 1, top: memRows + 2, rows: Math.max(1, rows - memRows - 2) },
  ];
}

function legendWidth(cols: number): number {
  return cols - Y_LABEL - LEGEND_FULL >= WIDE_CANVAS ? LEGEND_FULL : LEGEND_SHORT;
}

/** Y labels and legend as parts, the canvas as a ChartDraw. */
function chart(
  area: Area, series: Series[], max: number, legend: number, colorOn: boolean, put: (row: number, part: Part) => void, min = 0,
): ChartDraw {
  const cols = Math.max(1, area.cols - Y_LABEL - legend);
  const wpx = cols * 2;
  const hpx = area.rows * 4;
  const label = (value: number, text: string) => put(area.top + Math.floor(yOf(value, hpx, max, min) / 4), { col: area.left, text });
  if (series.some((s) => known(s.values).length > 0)) {
    label(max, memStr(max));
    if (area.rows >= 5) label((max + min) / 2, memStr((max + min) / 2));
    if (area.rows >= 2) label(min, min > 0 ? memStr(min) : '0'.padStart(Y_LABEL - 1));
  }
  if (legend > 0) {
    const byLast = series
      .map((s) => ({ s, lc: lastAndChange(s.values) }))
      .sort((a, b) => (b.lc?.last ?? -Infinity) - (a.lc?.last ?? -Infinity));
    byLast.slice(0, area.rows).forEach(({ s, lc }, i) => {
      const left = area.left + Y_LABEL + cols + 1;
      put(area.top + i, { col: left, text: s.name.padEnd(5), paint: s.hue });
      const value = lc ? ` ${memStr(lc.last)}` + (legend === LEGEND_FULL ? ` ${signed(lc.change).padStart(7)}` : '') : ' ?';
      put(area.top + i, { col: left + 5, text: value });
    });
  }
  return {
    left: area.left + Y_LABEL,
    top: area.top,
    cols,
    rows: area.rows,
    lines: series.flatMap((s) =>
      polylines(s.values, wpx, hpx, max, min).map((points) => ({ hue: colorOn ? s.hue : undefined, points })),
    ),
  };
}

/**
 * The process chart's range: from below the lowest value to above the
 * highest by a tenth of their spread (at least 1% of the highest), so the
 * change fills the chart; from 0 when the values come near it.
 */
export function dataRange(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const top = Math.max(...values);
  const bottom = Math.min(...values);
  const pad = Math.max((top - bottom) / 10, top / 100, 1);
  const lo = bottom - pad;
  return [lo < pad * 3 ? 0 : lo, top + pad];
}

function processTitle(target: Target | undefined, values: Values, swapped: Values, cols: number): string {
  if (!target) return fitText('RSIZE: no process', cols);
  const lc = lastAndChange(values);
  const sw = lastAndChange(swapped);
  // What fits, most telling first: an exited process says so before its figures.
  const why = `(${target.why})`;
  const parts = [`RSIZE ${target.pid} ${printable(target.cmd)}`];
  if (target.why === 'exited') parts.push(why);
  if (lc) parts.push(memStr(lc.last).trim(), signed(lc.change));
  else parts.push('(no history)');
  if (sw && sw.last > 0) parts.push(`SWAP ${memStr(sw.last).trim()} ${signed(sw.change)}`);
  if (target.why !== 'exited') parts.push(why);
  let text = '';
  for (const p of parts) {
    const next = text ? `${text} ${p}` : p;
    if (next.length > cols) break;
    text = next;
  }
  return text || fitText(parts[0]!, cols);
}

function spanText(points: readonly TrendPoint[]): string {
  if (points.length < 2) return points.length === 1 ? ', 1 sample' : ', no samples yet';
  return ` over ${elapsedStr((points[points.length - 1]!.time - points[0]!.time) / 1000)}`;
}

const worst = (levels: Level[]): Level => (levels.includes('crit') ? 'crit' : levels.includes('almost') ? 'almost' : 'ok');

const signed = (bytes: number) => (bytes < 0 ? '-' : '+') + memStr(Math.abs(bytes)).trim();

const known = (values: Values) => values.filter((v): v is number => v !== undefined && Number.isFinite(v));

const fitText = (text: string, cols: number) => text.slice(0, Math.max(0, cols));

/** One line of the panel: parts at their columns, spaces between, cut to `width`. */
function compose(parts: Part[], width: number, colorOn: boolean): string {
  let out = '';
  let used = 0;
  for (const part of [...parts].sort((a, b) => a.col - b.col)) {
    if (part.col < used || part.col >= width) continue;
    out += ' '.repeat(part.col - used);
    const text = part.text.slice(0, width - part.col);
    out += paint(text, part.paint, colorOn);
    used = part.col + text.length;
  }
  return out + ' '.repeat(Math.max(0, width - used));
}
