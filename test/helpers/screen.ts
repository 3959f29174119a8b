/**
 * The live screen without a terminal, as below's FakeView: a ScreenState fed
 * by a real feed (a fake /proc sampled live, or recorded samples replayed),
 * keys pressed as blessed reports them, the frame read as text. The shell's
 * part (clock, charts, quit) is recorded for the test to check.
 */
import { VIEWS } from '../../src/columns/views.js';
import { DEFAULT_THRESHOLDS } from '../../src/model/thresholds.js';
import { Sampler } from '../../src/reader/sampler.js';
import type { Feed } from '../../src/feed.js';
import { LiveFeed, ReplayFeed } from '../../src/run/feeds.js';
import type { Sample } from '../../src/sample.js';
import type { Frame } from '../../src/view/framedata.js';
import type { KeyEvent } from '../../src/view/keyevent.js';
import { ScreenState, type ScreenSettings } from '../../src/view/state.js';
import type { ProcessAccess } from '../../src/view/detailpane.js';
import { makeFakeProc, writeFakeProc, type ScreenMoment } from '../tui-fakeproc.js';

const SGR = /\x1b\[[\d;]*m/g;
export const plainText = (s: string) => s.replace(SGR, '');

/** How blessed names the keys that are not characters. */
const NAMED = new Set(['escape', 'backspace', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'tab']);

export class FakeScreen {
  readonly state: ScreenState;
  /** The shell's side, as the state asked for it. */
  quits = 0;
  intervals: number[] = [];
  changes = 0;
  /** The wall clock the state reads (messages age by it). */
  now = Date.UTC(2024, 2, 5, 10, 0, 0);
  /** What B's chart loading does: resolve (the panel shows) unless set to a rejected promise. */
  charts: () => Promise<void> = () => Promise.resolve();

  constructor(feed: Feed, settings: Partial<ScreenSettings> = {}, size: [number, number] = [80, 24], access?: ProcessAccess) {
    this.state = new ScreenState(
      feed,
      { view: VIEWS.generic, all: false, allProcs: false, color: true, interval: 10, sortResets: false, ...settings },
      {
        quit: () => this.quits++,
        setInterval: (s) => this.intervals.push(s),
        loadCharts: () => this.charts(),
        changed: () => this.changes++,
        now: () => this.now,
        access,
      },
    );
    this.state.resize(size[0], size[1]);
  }

  /** Keys by the table's names: a character, or 'enter', 'escape', 'up', 'C-c', ... */
  press(...keys: string[]): this {
    for (const k of keys) {
      if (k === 'enter') {
        // blessed: 'return' for the carriage return, then 'enter'.
        this.state.press('\r', { name: 'return', full: 'return' });
        this.state.press('\r', { name: 'enter', full: 'enter' });
      } else if (k === 'C-c') {
        this.state.press('\x03', { name: 'c', ctrl: true, full: 'C-c' });
      } else if (NAMED.has(k)) {
        this.state.press(undefined, { name: k, full: k });
      } else {
        const key: KeyEvent = { name: k.toLowerCase(), full: k === k.toLowerCase() ? k : `S-${k.toLowerCase()}` };
        this.state.press(k, key);
      }
    }
    return this;
  }

  /** Characters typed one by one (into a question). */
  type(text: string): this {
    return this.press(...text);
  }

  /** A key that asks a question, the answer typed, then Enter. */
  answer(key: string, text: string): this {
    return this.press(key).type(text).press('enter');
  }

  frame(): Frame {
    return this.state.frame(this.state.width, this.state.height);
  }

  /** The screen's lines top to bottom as plain text (the help overlay not laid over). */
  lines(): string[] {
    const f = this.frame();
    if (f.tooSmall) return f.tooSmall;
    return [f.header, ...f.sys, ...(f.panel?.lines ?? []), f.status, f.procHead, ...f.rows].map(plainText);
  }

  header(): string {
    return plainText(this.frame().header);
  }

  status(): string {
    return plainText(this.frame().status).trimEnd();
  }

  procHead(): string {
    return plainText(this.frame().procHead);
  }

  rows(): string[] {
    return this.frame().rows.map(plainText);
  }

  /** The last word of each process row (the command or user). */
  cmds(): string[] {
    return this.rows().map((r) => r.trim().split(/\s+/).pop()!);
  }

  /** The first word of the highlighted row, undefined when none is. */
  highlighted(): string | undefined {
    const row = this.frame().rows.find((r) => r.startsWith('\x1b[37;44m') || r.startsWith('\x1b[7m'));
    return row === undefined ? undefined : plainText(row).trim().split(/\s+/)[0];
  }
}

/** A live feed on a fake /proc the test rewrites between samples; remove() when done. */
export function fakeLive(moment: ScreenMoment): { feed: LiveFeed; dir: string; write(m: ScreenMoment): void; remove(): void } {
  const fake = makeFakeProc(moment);
  // The sampler's notes go where cli.ts sends them for the screen: to the feed.
  const notes: string[] = [];
  const sampler = new Sampler({ proc: fake.dir, sys: `${fake.dir}/nosys`, onNote: (n) => notes.push(n) });
  const feed = new LiveFeed(sampler, DEFAULT_THRESHOLDS, { notes });
  return { feed, dir: fake.dir, write: (m) => writeFakeProc(fake.dir, m), remove: fake.remove };
}

/** A replay of samples held in memory (the first starts the run), within positions first..last. */
export function fakeReplay(samples: Sample[], window?: { first: number; last: number }): ReplayFeed {
  const store = { length: samples.length, get: (i: number) => samples[i], startsRun: (i: number) => i === 0, timeOf: (i: number) => samples[i]!.time };
  return new ReplayFeed(store, DEFAULT_THRESHOLDS, window);
}
