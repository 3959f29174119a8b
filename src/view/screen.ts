/**
 * The blessed screen: boxes stacked (header, system lines, the trend panel
 * when on, status line, process header, process rows) plus the help overlay
 * and the too-small notice. Boxes get new content only when their text
 * changed; blessed then writes only the cells that differ. The trend
 * panel's charts are canvases laid over its box (trendcanvas.ts).
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type blessed from 'blessed';
import { brailleDrawable, terminalName } from './terminal.js';
import type { TerminalCaps } from './state.js';
import type { ChartCanvases } from './trendcanvas.js';
import type { PanelView } from './trendview.js';

export interface Frame {
  header: string;
  sys: string[];
  status: string;
  procHead: string;
  rows: string[];
  /** The trend panel (B), under the system lines. */
  panel?: PanelView;
  /** The help overlay, when open. */
  help?: string[];
  /** Shown alone when the terminal is too small to draw. */
  tooSmall?: string[];
}

/** A key press as blessed reports it: the key table and the prompt read these fields. */
export interface KeyEvent {
  name?: string;
  full?: string;
  ctrl?: boolean;
  meta?: boolean;
}

type Box = blessed.Widgets.BoxElement;
/** blessed's setContent(text, noClear), whose second argument @types/blessed does not declare. */
type NoClearContent = { setContent(text: string, noClear: boolean): void };

/**
 * The two widgets the screen uses, loaded alone: blessed's index loads all
 * 34 of its widgets, about 12 ms of a start-up (docs/BENCHMARKS.md, part 4).
 */
const require = createRequire(import.meta.url);
const newScreen = require('blessed/lib/widgets/screen') as typeof blessed.screen;
const newBox = require('blessed/lib/widgets/box') as typeof blessed.box;
compileCapabilitiesOnUse(require('blessed/lib/tput') as TputClass);

interface TputClass {
  prototype: { _compile(this: { options: { stringify?: boolean } }, info: unknown, key: string, str: unknown): unknown };
}

/**
 * blessed's Tput turns every string capability of the terminal's terminfo
 * entry (about 400 for xterm-256color) into a JavaScript function with
 * `new Function` when the screen is made; memtop's screen calls perhaps 20
 * of them. Each is compiled at its first call instead: 10-13 ms less of a
 * start-up (a full Tput 17-22 ms, reading the entry alone 7). blessed is
 * pinned (0.1.81, unchanged since 2015), and test/tui-*.test.ts draw through
 * this path.
 */
function compileCapabilitiesOnUse(Tput: TputClass): void {
  const compile = Tput.prototype._compile;
  if ((compile as { lazy?: boolean }).lazy) return;
  const lazy = function (this: { options: { stringify?: boolean } }, info: unknown, key: string, str: unknown): unknown {
    // Booleans, numbers, empty strings and files (init_file) come back as they are; `stringify` returns strings.
    if (typeof str !== 'string' || !str || key === 'init_file' || key === 'reset_file' || this.options.stringify) {
      return compile.call(this, info, key, str);
    }
    let fn: ((params: unknown) => unknown) | undefined;
    const tput = this;
    return function (this: unknown, params: unknown): unknown {
      fn ??= compile.call(tput, info, key, str) as (params: unknown) => unknown;
      return fn.call(this, params);
    };
  };
  (lazy as { lazy?: boolean }).lazy = true;
  Tput.prototype._compile = lazy;
}

/**
 * blessed asks a tmux it runs under for its version (a `tmux -V` child,
 * run synchronously while the screen is made) only to choose how to pass
 * all-motion mouse tracking through, which memtop does not turn on: the
 * screen is made with TMUX hidden, then told it runs under tmux.
 */
function screenQuietly(options: blessed.Widgets.IScreenOptions): blessed.Widgets.Screen {
  const tmux = process.env.TMUX;
  delete process.env.TMUX;
  try {
    const screen = newScreen(options);
    (screen.program as unknown as { tmux: boolean }).tmux = !!tmux;
    return screen;
  } finally {
    if (tmux !== undefined) process.env.TMUX = tmux;
  }
}

export class TuiScreen {
  readonly screen: blessed.Widgets.Screen;
  private readonly header: Box;
  private readonly sys: Box;
  private readonly panel: Box;
  private charts: ChartCanvases | undefined;
  private readonly status: Box;
  private readonly procHead: Box;
  private readonly rows: Box;
  private readonly help: Box;
  private readonly small: Box;
  private readonly shown = new Map<Box, string>();
  private destroyed = false;

  /** `input`: where keys come from when stdin is not the keyboard (a recording piped in). */
  constructor(term: string | undefined, input?: NodeJS.ReadableStream) {
    const terminal = terminalName(process.env.TERM, term);
    this.screen = screenQuietly({
      ...(terminal ? { terminal } : {}),
      // @types/blessed declares input a Writable; blessed reads the keys from it.
      ...(input ? { input: input as unknown as Writable } : {}),
      smartCSR: true,
      fullUnicode: false,
      warnings: false,
      autoPadding: false,
      title: 'memtop',
    });
    const box = (top: number, height: number): Box =>
      newBox({ parent: this.screen, top, left: 0, width: '100%', height, wrap: false, tags: false });
    this.header = box(0, 1);
    this.sys = box(1, 1);
    this.panel = box(1, 1);
    this.status = box(2, 1);
    this.procHead = box(3, 1);
    this.rows = box(4, 1);
    this.help = newBox({
      parent: this.screen, top: 0, left: 0, width: 1, height: 1, wrap: false, tags: false, hidden: true,
    });
    this.small = newBox({ parent: this.screen, top: 0, left: 0, width: '100%', height: '100%', wrap: false, tags: false, hidden: true });
    this.screen.program.hideCursor();
  }

  /** What the terminal can show: colours by its terminfo entry, braille by the locale and the terminal. */
  caps(): TerminalCaps {
    const tput = (this.screen.program as unknown as { tput: unknown }).tput as { colors: number; unicode: boolean; terminal?: string };
    const name = process.env.TERM;
    return { colors: tput.colors >= 8, palette: tput.colors, braille: !!tput.unicode && brailleDrawable(process.env), name };
  }

  get width(): number {
    return Number(this.screen.width);
  }

  get height(): number {
    return Number(this.screen.height);
  }

  onKey(handler: (ch: string | undefined, key: KeyEvent) => void): void {
    this.screen.on('keypress', (ch: string | undefined, key: KeyEvent) => handler(ch, key ?? {}));
  }

  onResize(handler: () => void): void {
    this.screen.on('resize', handler);
  }

  /** The trend panel's canvases, once blessed-contrib is loaded. */
  setCharts(charts: ChartCanvases): void {
    this.charts = charts;
  }

  private setText(box: Box, lines: string[]): void {
    const text = lines.join('\n');
    if (this.shown.get(box) !== text) {
      this.shown.set(box, text);
      // No clearing of the box's cells first (blessed's default): its render paints every cell of
      // it, and a move, resize or hide clears the old place already. Cleared cells would all be
      // painted again and count as changed, so blessed would compare every line of the box.
      (box as unknown as NoClearContent).setContent(text, true);
    }
    box.show();
  }

  private put(box: Box, top: number, lines: string[]): void {
    if (lines.length === 0) {
      box.hide();
      return;
    }
    if (box.top !== top) box.top = top;
    if (box.height !== lines.length) box.height = lines.length;
    this.setText(box, lines);
  }

  /** Puts the frame on the terminal; returns the milliseconds blessed took. */
  draw(frame: Frame): number {
    if (this.destroyed) return 0;
    const t0 = performance.now();
    const main = [this.header, this.sys, this.panel, this.status, this.procHead, this.rows];
    if (frame.tooSmall !== undefined) {
      for (const b of main) b.hide();
      this.charts?.hide();
      this.help.hide();
      this.put(this.small, 0, frame.tooSmall);
    } else {
      this.small.hide();
      let top = 0;
      this.put(this.header, top, [frame.header]);
      this.put(this.sys, (top += 1), frame.sys);
      top += frame.sys.length;
      // ASCII charts (no braille here) are in the panel's lines: no canvases to wait for.
      const panel = frame.panel && (this.charts || frame.panel.charts.length === 0) ? frame.panel : undefined;
      this.put(this.panel, top, panel?.lines ?? []);
      if (panel && this.charts) this.charts.show(panel.charts, top);
      else this.charts?.hide();
      this.put(this.status, (top += panel?.lines.length ?? 0), [frame.status]);
      this.put(this.procHead, (top += 1), [frame.procHead]);
      this.put(this.rows, (top += 1), frame.rows);
      if (frame.help) {
        const w = Math.max(1, ...frame.help.map((l) => l.length));
        this.help.width = w;
        this.help.height = frame.help.length;
        this.help.left = Math.max(0, Math.floor((this.width - w) / 2));
        this.help.top = Math.max(0, Math.floor((this.height - frame.help.length) / 2));
        this.setText(this.help, frame.help);
        this.help.setFront();
      } else {
        this.help.hide();
      }
    }
    this.screen.render();
    return performance.now() - t0;
  }

  /** Leaves the alternate screen, shows the cursor, gives the terminal back. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.screen.destroy();
  }
}
