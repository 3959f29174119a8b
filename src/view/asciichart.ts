/**
 * The trend panel's charts in plain ASCII, where braille cannot be drawn:
 * a locale that is not UTF-8 (LANG=C: blessed would print every braille
 * cell as `?`) or the Linux console, whose fonts have no braille (btop's tty
 * mode, htop's ASCII meters). The same polylines as the braille canvases,
 * at the canvas's resolution of 2x4 dots a cell, each cell then one
 * character: `'` `-` `.` by where in the cell the line passes, `|` where it
 * crosses the cell from top to bottom.
 */
import type { Hue } from './sgr.js';
import type { ChartDraw } from './trendview.js';

export interface AsciiCell {
  ch: string;
  hue?: Hue;
}

const BY_SUBROW = ["'", '-', '-', '.'];

/** The chart's rows of cells (undefined: blank), later lines over earlier ones. */
export function asciiChart(chart: ChartDraw): (AsciiCell | undefined)[][] {
  const grid: (AsciiCell | undefined)[][] = Array.from({ length: chart.rows }, () => new Array(chart.cols).fill(undefined));
  for (const line of chart.lines) {
    // Sub-rows each cell of this line passes through (bit i: dot row i).
    const rows = new Map<number, number>();
    const dot = (x: number, y: number) => {
      const cx = Math.floor(x / 2);
      const cy = Math.floor(y / 4);
      if (cx < 0 || cy < 0 || cx >= chart.cols || cy >= chart.rows) return;
      const key = cy * chart.cols + cx;
      rows.set(key, (rows.get(key) ?? 0) | (1 << Math.min(3, Math.floor(y) % 4)));
    };
    const pts = line.points;
    if (pts.length === 1) dot(pts[0]![0], pts[0]![1]);
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1]!;
      const [x1, y1] = pts[i]!;
      const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
      for (let k = 0; k <= steps; k++) dot(x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps);
    }
    for (const [key, bits] of rows) {
      const subrows = [0, 1, 2, 3].filter((b) => bits & (1 << b));
      const ch = subrows.length >= 3 ? '|' : BY_SUBROW[subrows[Math.floor((subrows.length - 1) / 2)]!]!;
      grid[Math.floor(key / chart.cols)]![key % chart.cols] = { ch, hue: line.hue };
    }
  }
  return grid;
}
