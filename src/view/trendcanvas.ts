/**
 * The trend panel's charts on the screen: one blessed-contrib braille canvas
 * per chart, drawn with the polylines trendview.ts computed. blessed-contrib
 * costs 60-90 ms to load, so it is imported on the first B only.
 *
 * contrib's own line chart keeps three rows of every chart for x labels and
 * prints the y axis as plain numbers; the panel draws on contrib's canvas
 * itself to use every row and label sizes as atop does (trendview.ts).
 */
import { createRequire } from 'node:module';
import type blessed from 'blessed';
import type { Widgets } from 'blessed-contrib';
import type { ChartDraw } from './trendview.js';
import { hueColour } from './sgr.js';

/** contrib's names of the basic colours; a palette colour beyond them is given by number (SGR 38;5). */
const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const strokeOf = (colour: number): string | number => BASIC[colour] ?? colour;

/** The parts of contrib's canvas context (a 2D-canvas lookalike) the panel uses. */
interface DrawContext {
  strokeStyle: string | number;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/** contrib 4.11.0's internals the panel relies on (the version is pinned). */
interface CanvasInternals {
  /** The braille grid: clear() empties it at once (clearRect fills triangles pixel by pixel, ~0.3 ms). */
  ctx?: DrawContext & { _canvas: { clear(): void; frame(): string } };
  /** blessed's Box render, which contrib's canvas render calls after re-reading the whole canvas. */
  _render(): unknown;
}

type Canvas = Widgets.CanvasElement & CanvasInternals;
type MakeCanvas = (options: Widgets.CanvasOptions) => Widgets.CanvasElement;

export interface ChartCanvases {
  /** Shows the charts with the panel's top at screen row `top`. */
  show(charts: ChartDraw[], top: number): void;
  hide(): void;
}

/**
 * Loads blessed-contrib and returns the panel's canvases on `screen`. It is a
 * CommonJS package, required rather than imported: memtop's bundle runs from
 * V8's code cache (src/codecache.cts), where import() has no loader on Node 20.
 */
export async function loadChartCanvases(screen: blessed.Widgets.Screen): Promise<ChartCanvases> {
  const contrib = createRequire(import.meta.url)('blessed-contrib') as typeof import('blessed-contrib');
  return new Canvases(contrib.canvas, screen);
}

class Canvases implements ChartCanvases {
  private readonly shown: { canvas: Canvas; geometry: string; drawn?: ChartDraw['lines'] }[] = [];

  constructor(
    private readonly make: MakeCanvas,
    private readonly screen: blessed.Widgets.Screen,
  ) {}

  show(charts: ChartDraw[], top: number): void {
    charts.forEach((chart, i) => {
      const geometry = `${chart.left} ${chart.cols} ${chart.rows}`;
      let slot = this.shown[i];
      if (!slot || slot.geometry !== geometry) {
        // contrib sizes a canvas once, when it is attached: a new size needs a new canvas.
        slot?.canvas.destroy();
        slot = this.shown[i] = { canvas: this.create(chart, top), geometry };
      }
      const canvas = slot.canvas;
      if (canvas.top !== top + chart.top) canvas.top = top + chart.top;
      if (slot.drawn !== chart.lines) {
        draw(canvas, chart);
        slot.drawn = chart.lines;
      }
      canvas.show();
    });
    for (const slot of this.shown.slice(charts.length)) slot.canvas.hide();
  }

  hide(): void {
    for (const slot of this.shown) slot.canvas.hide();
  }

  private create(chart: ChartDraw, top: number): Canvas {
    const canvas = this.make({ top: top + chart.top, left: chart.left, width: chart.cols, height: chart.rows, wrap: false }) as Canvas;
    // Every cell a braille character (contrib keeps 6 columns spare for a border otherwise).
    canvas.calcSize = () => {
      canvas.canvasSize = { width: chart.cols * 2, height: chart.rows * 4 };
    };
    // contrib turns the whole canvas into the box's content on every screen render, which blessed then
    // parses again; the panel does it only after drawing (draw() below) and renders the box as it is.
    canvas.render = () => canvas._render() as ReturnType<Canvas['render']>;
    // The context is made on attach: append before drawing.
    this.screen.append(canvas);
    return canvas;
  }
}

function draw(canvas: Canvas, chart: ChartDraw): void {
  const ctx = canvas.ctx;
  if (!ctx) return;
  ctx._canvas.clear();
  for (const line of chart.lines) {
    ctx.strokeStyle = line.hue ? strokeOf(hueColour(line.hue)) : 'normal';
    ctx.beginPath();
    line.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.stroke();
  }
  canvas.setContent(ctx._canvas.frame());
}
