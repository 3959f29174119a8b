/**
 * The live screen's shell: a ScreenState (state.ts: choices, rows, keys,
 * frames) on a blessed screen, driven by a Feed (live sampling on a timer,
 * or a replay stepped with t/T/b/r). This file owns what a test without a
 * terminal cannot have: blessed, the clock, the signals, and drawing at most
 * once per turn of the event loop.
 */
import { appendFileSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Feed } from '../feed.js';
import { everyInterval, onEndSignal, type Clock } from '../run/timer.js';
import { EndedBySignal, type EndSignal } from '../messages.js';
import { TuiScreen } from './screen.js';
import { setPalette } from './sgr.js';
import { ScreenState } from './state.js';
import { loadChartCanvases } from './trendcanvas.js';
import { contain, reapEnded, release } from '../contain/apply.js';
import { inGroup, readFacts, readRecords } from '../contain/facts.js';
import { DetailReader } from '../reader/detail.js';
import { readThreads } from '../reader/threads.js';
import type { ProcessAccess } from './detailpane.js';
import { liveNiceSystem } from './renice.js';
import { defaultConfigFiles, saveSettings } from '../configfile.js';
import { StackTrace } from '../run/stacks.js';
import { SCREEN_TRACE_SECONDS } from './stackspane.js';

/** The detail's reads and containment on the machine memtop watches. */
function processAccess(config: Config): ProcessAccess {
  const reader = new DetailReader(config.proc, config.sys);
  return {
    readDetail: (pid) => reader.read(pid),
    records: readRecords,
    inGroup: (record) => inGroup(config.proc, record),
    facts: (pid) => readFacts(config.proc, config.sys, pid, config.force),
    contain: (plan) => contain(plan, config.proc),
    release: (pid) => release(config.proc, config.sys, pid),
    ended: (pid) => reapEnded(config.proc, config.sys, pid),
    readThreads: (pid) => readThreads(config.proc, pid),
    traceStacks: (pid, onProgress) => new StackTrace({ pid, seconds: SCREEN_TRACE_SECONDS, every: 0, proc: config.proc }, onProgress),
  };
}

export async function runTui(feed: Feed, config: Config, keyboard?: NodeJS.ReadableStream): Promise<void> {
  const tui = new Tui(feed, config, keyboard);
  await tui.run();
  // SIGTERM, SIGHUP (the terminal went away) or a SIGINT from outside: the terminal is given back, then
  // memtop ends by that signal (q and Ctrl-C as a key end it with 0).
  if (tui.endedBy) throw new EndedBySignal(tui.endedBy);
}

class Tui {
  private readonly screen: TuiScreen;
  private readonly state: ScreenState;
  private readonly timingLog = process.env.MEMTOP_RENDER_LOG;
  private clock: Clock | undefined;
  private drawPending = false;
  private quitting = false;
  private finish: () => void = () => {};
  /** The signal that ended the screen, if one did. */
  endedBy: EndSignal | undefined;

  constructor(
    private readonly feed: Feed,
    private readonly config: Config,
    keyboard?: NodeJS.ReadableStream,
  ) {
    this.screen = new TuiScreen(config.term, keyboard);
    const terminal = this.screen.caps();
    setPalette(config.theme, config.colors, terminal.palette);
    this.state = new ScreenState(feed, config, {
      quit: () => this.quit(),
      setInterval: (seconds) => this.clock?.setInterval(seconds),
      // ASCII charts are drawn in the panel's lines: blessed-contrib is not loaded.
      loadCharts: () => (terminal.braille ? loadChartCanvases(this.screen.screen).then((charts) => this.screen.setCharts(charts)) : Promise.resolve()),
      terminal,
      changed: () => this.requestDraw(),
      now: () => Date.now(),
      access: feed.recording ? undefined : processAccess(config),
      // /proc, not --proc: kill and renice act on this machine's pids, so they check this machine's processes.
      nice: feed.recording ? undefined : liveNiceSystem('/proc'),
      saveSettings: (values) => {
        const file = defaultConfigFiles()[1]!;
        saveSettings(file, values);
        return { file, note: config.configFile === undefined ? undefined : `this run read --config ${config.configFile} instead` };
      },
    });
    this.state.resize(this.screen.width, this.screen.height);
    this.screen.onKey((ch, key) => {
      this.state.press(ch, key);
      this.requestDraw();
    });
    this.screen.onResize(() => {
      this.state.resize(this.screen.width, this.screen.height);
      this.draw();
    });
  }

  run(): Promise<void> {
    let fail: (err: unknown) => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      fail = reject;
    });
    const bail = (err: unknown) => {
      // The terminal is given back first; cli.ts then says the one line and exits.
      this.screen.destroy();
      fail(err);
    };
    process.on('uncaughtException', bail);
    process.on('unhandledRejection', bail);
    // Also keeps blessed's own SIGTERM and SIGINT handlers (exit 0 at once) from acting.
    const offSignals = onEndSignal((signal) => {
      this.endedBy ??= signal;
      this.quit();
    });
    void done.finally(offSignals).catch(() => {});
    if (!this.feed.recording) {
      this.clock = everyInterval(this.config.interval, this.config.samples, () => {
        this.state.tick();
        this.requestDraw();
      });
      // After the last of a given number of samples, it stays on screen for one interval.
      void this.clock.done.then(() => {
        if (!this.quitting) setTimeout(() => this.quit(), this.state.interval * 1000).unref();
      });
      // No empty frame first: the first sample is taken at once and its frame is the first drawn
      // (a render of cold code costs a start-up several milliseconds for nothing seen).
    } else {
      this.state.start();
      this.draw();
    }
    return done;
  }

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
    const frame = this.state.frame(this.screen.width, this.screen.height);
    const built = performance.now() - t0;
    const rendered = this.screen.draw(frame);
    if (this.timingLog) appendFileSync(this.timingLog, `${built.toFixed(3)} ${rendered.toFixed(3)}\n`);
  }

  private quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.clock?.stop();
    this.screen.destroy();
    process.stdin.pause();
    this.finish();
  }
}
