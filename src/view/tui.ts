/**
 * The live screen: atop's header, system lines and process list in a
 * blessed screen, driven by a Feed (live sampling on a timer, or a replay
 * stepped with t/T/b/r). What is shown is computed by the model; this file
 * keeps the user's choices (view, sort, filters, toggles, scroll), builds
 * the lines once per sample and redraws on samples, keys and resizes.
 */
import { appendFileSync } from 'node:fs';
import { column, sortProcs, type Column } from '../columns/process.js';
import { fitColumns, RESOURCE_COLUMNS, viewColumn, viewNeeds, withSortResource, type ViewDef } from '../columns/views.js';
import { parseInterval, type Config } from '../config.js';
import type { Interval, ProcInterval } from '../model/interval.js';
import { headerLine } from '../output/header.js';
import { isVarWidth, viewRows } from '../output/proclist.js';
import type { SysLine } from '../output/sysfield.js';
import { systemLines } from '../output/syslines.js';
import type { Feed } from '../feed.js';
import { parseReplayTime, TIME_FORMAT } from '../format/timespec.js';
import { everyInterval, type Clock } from '../run/timer.js';
import { applyFilters, filterQuestion, setFilter, type FilterKind, type Filters } from './filters.js';
import { helpOverlay } from './help.js';
import { dispatchKey, keyId, type Actions, type ScrollMove } from './keys.js';
import { parsePid, parseSignal, sendSignal, signalName } from './kill.js';
import { FIXED_ROWS, PANEL_MIN_HEIGHT, screenLayout } from './layout.js';
import { clampScroll, pageLines, pageOf, ProcTable, type Scroll } from './procview.js';
import { promptKey, promptLine, type Prompt } from './prompt.js';
import { TuiScreen, type Frame, type KeyEvent } from './screen.js';
import { bold, fit, reverse } from './sgr.js';
import { styledSysLine } from './sysview.js';
import { fitsTerminal, tooSmallLines } from './toosmall.js';
import { TrendPanel } from './trendpanel.js';
import { messageOf, say } from '../messages.js';

/** A message stays until the next key, or a sample this many ms after it appeared. */
const MESSAGE_MS = 4000;

export async function runTui(feed: Feed, config: Config, keyboard?: NodeJS.ReadableStream): Promise<void> {
  await new Tui(feed, config, keyboard).run();
}

/** Characters the command line moves per Left or Right. */
const SHIFT_STEP = 8;

class Tui implements Actions {
  private readonly screen: TuiScreen;
  private readonly timingLog = process.env.MEMTOP_RENDER_LOG;
  private iv: Interval | undefined;
  private view: ViewDef;
  private sort: string;
  private readonly filters: Filters = {};
  private all: boolean;
  private allProcs: boolean;
  private color: boolean;
  private paused = false;
  /** Interval 0: samples only on t. */
  private manual = false;
  private interval: number;
  private readonly samples: number | undefined;
  private clock: Clock | undefined;
  private scrollPos: Scroll = { selected: 0, top: 0 };
  /** Characters of the command line scrolled out at the left (Left and Right, command line view). */
  private cmdShift = 0;
  /** The row the highlight follows once the user moved it (a pid, user or program). */
  private follow: string | undefined;
  private pageRows = 1;
  private helpOpen = false;
  private message: { text: string; at: number } | undefined;
  private prompt: Prompt | undefined;
  private quitting = false;
  private finish: () => void = () => {};
  // Built once per sample (or per change of view, sort, filter, width, colours).
  private sysLines: SysLine[] = [];
  private sysStyled: { key: string; lines: string[] } | undefined;
  private rows: ProcInterval[] = [];
  private table: ProcTable | undefined;
  private drawPending = false;
  private readonly trend: TrendPanel;
  private panelTooShort = false;

  constructor(
    private readonly feed: Feed,
    config: Config,
    keyboard?: NodeJS.ReadableStream,
  ) {
    this.view = config.view;
    this.sort = config.sort ?? config.view.defaultSort;
    this.all = config.all;
    this.allProcs = config.allProcs;
    this.color = config.color;
    this.interval = config.interval;
    this.samples = config.samples;
    this.screen = new TuiScreen(config.term, keyboard);
    this.screen.onKey((ch, key) => this.onKey(ch, key));
    this.trend = new TrendPanel({
      recent: feed.recording?.recent.bind(feed.recording),
      say: (text) => this.say(text),
      loaded: (charts) => {
        this.screen.setCharts(charts);
        this.requestDraw();
      },
    });
    this.screen.onResize(() => {
      this.sysStyled = undefined;
      this.table = undefined;
      this.draw();
    });
    this.updateNeeds();
  }

  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const bail = (err: unknown) => {
      // One line, never a stack trace; the terminal is given back first.
      this.screen.destroy();
      say(`internal error: ${messageOf(err)}`);
      process.exit(1);
    };
    process.on('uncaughtException', bail);
    process.on('unhandledRejection', bail);
    process.once('SIGHUP', () => this.quit());
    if (!this.feed.recording) {
      this.clock = everyInterval(this.interval, this.samples, () => {
        if (!this.paused && !this.manual) this.take(() => this.feed.next());
      });
      // After the last of a given number of samples, it stays on screen for one interval.
      void this.clock.done.then(() => {
        if (!this.quitting) setTimeout(() => this.quit(), this.interval * 1000).unref();
      });
    } else {
      this.take(() => this.feed.next(), 'the recording holds no samples');
    }
    this.draw();
    return done;
  }

  // ---- samples ---------------------------------------------------------

  /**
   * Shows the interval `get` returns; `none` is said when it returns
   * nothing. `jump`: a replay moved other than one step forward.
   */
  private take(get: () => Interval | undefined, none?: string, jump = false): void {
    let iv: Interval | undefined;
    try {
      iv = get();
    } catch (err) {
      this.say(`no sample: ${messageOf(err)}`);
      return;
    }
    if (!iv) {
      if (none) this.say(none);
      return;
    }
    this.iv = iv;
    this.trend.keep(iv, jump);
    if (this.message && Date.now() - this.message.at > MESSAGE_MS) this.message = undefined;
    this.rebuildSys();
    this.rebuildRows();
    this.requestDraw();
  }

  private rebuildSys(): void {
    this.sysLines = this.iv ? systemLines(this.iv, { all: this.all }) : [];
    this.sysStyled = undefined;
  }

  private rowKey(p: ProcInterval | undefined): string | undefined {
    if (!p) return undefined;
    return this.view.aggregate === 'user' ? p.user : this.view.aggregate === 'program' ? p.cmd : String(p.pid);
  }

  private rebuildRows(): void {
    const procs = this.iv ? applyFilters(this.iv.procs, this.filters) : [];
    this.rows = sortProcs(viewRows(procs, this.view, this.sort, this.allProcs), column(this.sort)!);
    this.table = undefined;
    if (this.follow !== undefined) {
      const i = this.rows.findIndex((p) => this.rowKey(p) === this.follow);
      if (i >= 0) this.scrollPos = { ...this.scrollPos, selected: i };
    }
  }

  /** The view as shown: its resource column follows C, M and D. */
  private shownView(): ViewDef {
    return withSortResource(this.view, this.sort);
  }

  private shownColumns(width: number): Column[] {
    return fitColumns(this.shownView(), width, this.iv?.pidWidth ?? 5);
  }

  /**
   * /proc/PID/io and cmdline are read only while a column or filter needs
   * them. When a key makes them needed, a sample is taken at once rather
   * than showing '?' until the next interval.
   */
  private updateNeeds(): void {
    if (this.feed.recording) return;
    const before = this.feed.needs;
    const shown = viewNeeds(this.view, this.sort, this.screen.width);
    const needs = { io: shown.io, cmdline: shown.cmdline || !!this.filters.cmdline, cgroups: shown.cgroups };
    this.feed.needs = needs;
    const gained = (needs.io && !before.io) || (needs.cmdline && !before.cmdline) || (needs.cgroups && !before.cgroups);
    if (gained && this.iv && !this.paused) this.take(() => this.feed.next());
  }

  // ---- drawing ---------------------------------------------------------

  private requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    setImmediate(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    if (this.quitting) return;
    const t0 = performance.now();
    const frame = this.frame();
    const built = performance.now() - t0;
    const rendered = this.screen.draw(frame);
    if (this.timingLog) appendFileSync(this.timingLog, `${built.toFixed(3)} ${rendered.toFixed(3)}\n`);
  }

  private flags(): string {
    const f = (on: boolean, c: string) => (on ? c : '-');
    const k = this.filters;
    return f(this.all, 'f') + f(this.allProcs, 'a') + f(!this.color, 'x') + f(this.paused, 'z') + f(!!k.user, 'U') + f(!!k.program, 'P') +
      f(!!k.cmdline, '/') + f(!!k.pids, 'I') + f(this.trend.on, 'B');
  }

  private statusText(width: number): string {
    if (this.prompt) return promptLine(this.prompt, width);
    if (this.message) return bold(fit(this.message.text, width));
    if (this.panelTooShort) return `the trend panel (B) needs a terminal of ${PANEL_MIN_HEIGHT} rows`;
    if (this.paused) return 'paused: z continues, t takes a sample';
    if (this.manual) return 'interval 0: t takes a sample, i sets an interval';
    if (this.rows.length === 0 && Object.keys(this.filters).length > 0) return 'no process matches the filters (an empty answer to U P / I clears one)';
    if (this.rows.length === 0 && this.iv) return 'no process was active in this interval: a lists them all';
    if (this.iv?.sinceBoot) return '*** System and Process Activity since Boot ***';
    return '';
  }

  private styledSys(lines: SysLine[], width: number): string[] {
    const key = `${width}|${this.color}|${lines.length}`;
    if (this.sysStyled?.key !== key) this.sysStyled = { key, lines: lines.map((l) => styledSysLine(l, width, this.color)) };
    return this.sysStyled.lines;
  }

  private frame(): Frame {
    const width = this.screen.width;
    const height = this.screen.height;
    const empty = { header: '', sys: [], status: '', procHead: '', rows: [] };
    if (!fitsTerminal(width, height)) return { ...empty, tooSmall: tooSmallLines(width, height) };
    const help = this.helpOpen ? helpOverlay(width, height) : undefined;
    const iv = this.iv;
    if (!iv) return { ...empty, header: reverse(fit('memtop', width)), status: fit(this.statusText(width), width), help };
    const layout = screenLayout(height, this.sysLines, this.trend.ready);
    const sys = layout.sys;
    this.panelTooShort = layout.panelTooShort;
    // The panel plots the process the user moved the highlight to, if any.
    const followed = !this.view.aggregate && this.follow !== undefined ? Number(this.follow) : undefined;
    const panel = layout.panelRows > 0 ? this.trend.view(iv, followed, width, layout.panelRows, this.color) : undefined;
    this.pageRows = height - FIXED_ROWS - sys.length - layout.panelRows;
    if (!this.table || this.table.width !== width) this.table = new ProcTable(this.rows, this.shownColumns(width), width, this.cmdShift);
    this.scrollPos = clampScroll(this.scrollPos, this.rows.length, this.pageRows);
    const [page, pages] = pageOf(this.scrollPos, this.rows.length, this.pageRows);
    return {
      header: reverse(fit(headerLine(iv, width, this.flags()), width)),
      sys: this.styledSys(sys, width),
      status: fit(this.statusText(width), width),
      procHead: this.table.header(this.sort, page, pages),
      rows: pageLines(this.table, this.scrollPos, this.pageRows, this.color),
      panel,
      help,
    };
  }

  // ---- keys --------------------------------------------------------------

  private onKey(ch: string | undefined, key: KeyEvent): void {
    if (key.full === 'C-c') return this.quit();
    if (this.prompt) {
      const asked = this.prompt;
      const result = promptKey(asked, ch, key);
      if (result !== 'typing' && this.prompt === asked) this.prompt = undefined;
      this.requestDraw();
      return;
    }
    const id = keyId(ch, key);
    if (id === 'return' || id === 'enter' || id === undefined) return;
    if (this.helpOpen) {
      this.helpOpen = false;
      this.requestDraw();
      return;
    }
    this.message = undefined;
    if (!dispatchKey(id, this) && id.length === 1) this.say(`unknown key '${id}': h or ? lists the keys`);
    this.requestDraw();
  }

  private say(text: string): void {
    this.message = { text, at: Date.now() };
    this.requestDraw();
  }

  private ask(question: string, answer: (value: string) => void, opts: { value?: string; single?: boolean } = {}): void {
    this.prompt = { question, value: opts.value ?? '', single: opts.single, answer };
    this.requestDraw();
  }

  // ---- actions (keys.ts) -------------------------------------------------

  setView(view: ViewDef): void {
    this.view = view;
    this.cmdShift = 0;
    this.sort = view.defaultSort;
    this.resetScroll();
  }

  sortOn(name: string): void {
    this.sort = name;
    this.resetScroll();
  }

  /** After a change of view, sort or filter: top of the list, the feed reading what the view needs. */
  private resetScroll(): void {
    this.scrollPos = { selected: 0, top: 0 };
    this.follow = undefined;
    this.updateNeeds();
    this.rebuildRows();
  }

  askSortColumn(): void {
    this.ask('Column to sort on: ', (text) => {
      const name = text.trim();
      if (name === '') return;
      const col = viewColumn(this.view, name) ?? (RESOURCE_COLUMNS.includes(name.toUpperCase()) ? column(name) : undefined);
      if (!col) {
        const names = this.view.columns.map((c) => c.name).join(' ');
        this.say(`no column '${name}' in the ${this.view.title} view; its columns: ${names}`);
        return;
      }
      this.sortOn(col.name);
    });
  }

  moveSort(step: -1 | 1): void {
    const cols = this.shownColumns(this.screen.width);
    const i = cols.findIndex((c) => c.name === this.sort);
    const next = i < 0 ? (step > 0 ? 0 : cols.length - 1) : Math.max(0, Math.min(cols.length - 1, i + step));
    this.sortOn(cols[next]!.name);
  }

  togglePause(): void {
    if (this.feed.recording) return this.say('replaying: no timer to pause (t and T step through the samples)');
    this.paused = !this.paused;
  }

  askInterval(): void {
    if (this.feed.recording) return this.say('replaying: no interval (t and T step through the samples)');
    this.ask(`Interval in seconds (now ${this.manual ? 0 : this.interval}; 0: only t samples): `, (text) => {
      const t = text.trim();
      if (t === '') return;
      if (Number(t) === 0 && /^[0.]+$/.test(t)) {
        this.manual = true;
        return;
      }
      try {
        this.interval = parseInterval(t);
      } catch (err) {
        this.say(messageOf(err));
        return;
      }
      this.manual = false;
      this.clock?.setInterval(this.interval);
    });
  }

  nextSample(): void {
    this.take(() => this.feed.next(), 'end of the recording (T goes back, r rewinds)');
  }

  prevSample(): void {
    const recording = this.feed.recording;
    if (!recording) return this.say('T steps back only when replaying a recording (memtop -r FILE)');
    this.take(() => recording.prev(), 'this is the first sample', true);
  }

  askBranch(): void {
    const recording = this.feed.recording;
    if (!recording) return this.say('b branches only when replaying a recording (memtop -r FILE)');
    this.ask(`Branch to time ${TIME_FORMAT}: `, (text) => {
      if (text.trim() === '') return;
      const time = parseReplayTime(text, this.iv?.time ?? Date.now());
      if (time === undefined) return this.say(`not a time: '${text.trim()}' (give ${TIME_FORMAT})`);
      this.take(() => recording.branch(time), `no sample at or after ${text.trim()}`, true);
    });
  }

  rewind(): void {
    this.take(() => this.feed.rewind(), 'the recording holds no samples', true);
  }

  askFilter(kind: FilterKind): void {
    this.ask(filterQuestion(this.filters, kind), (text) => {
      const refused = setFilter(this.filters, kind, text);
      if (refused) return this.say(refused);
      this.resetScroll();
    });
  }

  askKill(): void {
    if (this.feed.recording) return this.say('k kills processes of the live system only');
    const highlighted = this.view.aggregate ? undefined : this.rows[this.scrollPos.selected]?.pid;
    const def = highlighted === undefined ? '' : ` [${highlighted}]`;
    this.ask(`PID to kill${def}: `, (text) => {
      const pid = parsePid(text.trim() || String(highlighted ?? ''));
      if (typeof pid === 'string') return this.say(pid);
      const cmd = this.iv?.procs.find((p) => p.pid === pid)?.cmd;
      const who = cmd === undefined ? `${pid}` : `${pid} (${cmd})`;
      this.ask(`Signal for ${who} [TERM]: `, (sigText) => {
        const sig = parseSignal(sigText);
        if (typeof sig === 'string') return this.say(sig);
        this.ask(`Send ${signalName(sig)} to ${who}? (y/n) `, (yes) => {
          this.say(/^y/i.test(yes) ? sendSignal(pid, sig) : 'kill cancelled');
        }, { single: true });
      });
    });
  }

  scroll(move: ScrollMove): void {
    const page = Math.max(1, this.pageRows);
    let { selected, top } = this.scrollPos;
    switch (move) {
      case 'up': selected--; break;
      case 'down': selected++; break;
      case 'pageup': selected -= page; top -= page; break;
      case 'pagedown': selected += page; top += page; break;
      case 'home': selected = 0; top = 0; break;
      case 'end': selected = this.rows.length - 1; break;
    }
    this.scrollPos = clampScroll({ selected, top }, this.rows.length, page);
    // Home gives the top of the list back to the sort order; other moves hold on to the row.
    this.follow = move === 'home' ? undefined : this.rowKey(this.rows[this.scrollPos.selected]);
  }

  toggleAll(): void {
    this.all = !this.all;
    this.rebuildSys();
  }

  shiftCommand(step: -1 | 1): void {
    const cmdCol = this.shownColumns(this.screen.width).find(isVarWidth);
    if (!cmdCol) {
      this.say('Left and Right scroll the command line: c shows it');
      return;
    }
    // As far as the longest command line listed needs, eight characters a step.
    const longest = Math.max(0, ...this.rows.map((p) => cmdCol.format(p).length));
    const next = Math.max(0, Math.min(this.cmdShift + step * SHIFT_STEP, Math.max(0, longest - SHIFT_STEP)));
    if (next === this.cmdShift) return;
    this.cmdShift = next;
    this.table = undefined;
  }

  toggleAllProcs(): void {
    this.allProcs = !this.allProcs;
    this.rebuildRows();
  }

  toggleColor(): void {
    this.color = !this.color;
    this.sysStyled = undefined;
  }

  toggleTrend(): void {
    this.trend.toggle(this.screen.screen);
  }

  toggleHelp(): void {
    this.helpOpen = !this.helpOpen;
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.clock?.stop();
    this.screen.destroy();
    process.stdin.pause();
    this.finish();
  }
}
