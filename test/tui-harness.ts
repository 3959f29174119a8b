/**
 * End-to-end harness for the live screen: memtop runs in a real pty
 * (@lydell/node-pty) and its output is read through a headless xterm, so
 * tests see the cells a user sees: text, colours, attributes. Always close()
 * in `finally`: a failed assertion must not leave memtop running.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pty from '@lydell/node-pty';
import type { IPty } from '@lydell/node-pty';
import xterm from '@xterm/headless';

import { CLI, ROOT } from './helpers/cli.js';

export const KEY = {
  enter: '\r',
  escape: '\x1b',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  home: '\x1b[1~',
  end: '\x1b[4~',
  ctrlC: '\x03',
};

/** xterm's palette numbers of the colours memtop uses. */
export const RED = 1;
export const GREEN = 2;
export const CYAN = 6;

export interface Cell {
  char: string;
  /** Palette index, or -1 for the default colour. */
  fg: number;
  bold: boolean;
  blink: boolean;
  inverse: boolean;
}

export class PtyScreen {
  readonly term: InstanceType<typeof xterm.Terminal>;
  private readonly proc: IPty;
  /** Everything memtop wrote, for checks on escape sequences. */
  raw = '';
  exitCode: number | undefined;
  /** The signal that ended memtop, if one did (0 when none). */
  exitSignal: number | undefined;
  readonly exited: Promise<number>;
  private closed = false;

  constructor(args: string[], cols: number, rows: number, opts: { cmd?: string; env?: Record<string, string> } = {}) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'TMUX') env[k] = v;
    // Containment records of the screen's own unless a test sets them: another test's --contain (in
    // /run/memtop) would otherwise put its news on this screen's status line.
    const state = process.env.MEMTOP_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'memtop-state-'));
    Object.assign(env, { TERM: 'xterm-256color', LANG: 'C.UTF-8', MEMTOP_STATE_DIR: state }, opts.env);
    this.proc = pty.spawn(opts.cmd ?? process.execPath, opts.cmd ? args : [CLI, ...args], {
      // node-pty sets TERM from `name`: a test's TERM (vt100, linux) must be the name too.
      name: env.TERM ?? 'xterm-256color', cols, rows, cwd: ROOT, env,
    });
    this.proc.onData((d) => {
      this.raw += d;
      this.term.write(d);
    });
    this.exited = new Promise((resolve) => {
      this.proc.onExit(({ exitCode, signal }) => {
        this.exitCode = exitCode;
        this.exitSignal = signal;
        this.closed = true;
        resolve(exitCode);
      });
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  send(keys: string): void {
    this.proc.write(keys);
  }

  /** Types the characters one at a time, as a user would. */
  async type(text: string, gapMs = 15): Promise<void> {
    for (const ch of text) {
      this.send(ch);
      await sleep(gapMs);
    }
  }

  /** A key that asks a question, the answer typed, then Enter. */
  async answer(key: string, text: string): Promise<void> {
    this.send(key);
    await this.type(text);
    this.send(KEY.enter);
  }

  resize(cols: number, rows: number): void {
    this.proc.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  dump(): string {
    return this.lines().map((l, i) => `${String(i).padStart(2)}|${l}`).join('\n');
  }

  /** The first line matching, and its index. */
  find(re: RegExp): { y: number; line: string } | undefined {
    const lines = this.lines();
    const y = lines.findIndex((l) => re.test(l));
    return y < 0 ? undefined : { y, line: lines[y]! };
  }

  cell(x: number, y: number): Cell {
    const buf = this.term.buffer.active;
    const c = buf.getLine(buf.viewportY + y)?.getCell(x);
    if (!c) return { char: '', fg: -1, bold: false, blink: false, inverse: false };
    return {
      char: c.getChars(), fg: c.isFgPalette() ? c.getFgColor() : -1, bold: !!c.isBold(), blink: !!c.isBlink(), inverse: !!c.isInverse(),
    };
  }

  /** Polls until `check` holds; fails with the screen shown. */
  async waitFor(check: (s: PtyScreen) => boolean, what: string, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      await new Promise<void>((resolve) => this.term.write('', resolve));
      try {
        if (check(this)) return;
      } catch {
        // not there yet
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${this.dump()}`);
      if (this.closed && this.exitCode !== undefined) throw new Error(`memtop exited (${this.exitCode}) while waiting for ${what}; screen:\n${this.dump()}`);
      await sleep(40);
    }
  }

  /**
   * Waits until memtop has written nothing for `quietMs`: a whole frame
   * arrives in more than one read of the pty, and a check made between two
   * of them sees the top of the new frame over the rest of the old one.
   */
  async settled(quietMs = 150, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    let seen = this.raw.length;
    let since = Date.now();
    while (Date.now() < end) {
      await sleep(25);
      if (this.raw.length !== seen) {
        seen = this.raw.length;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) {
        break;
      }
    }
    await new Promise<void>((resolve) => this.term.write('', resolve));
  }

  waitText(re: RegExp, ms?: number): Promise<void> {
    return this.waitFor((s) => s.find(re) !== undefined, String(re), ms);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([this.exited, sleep(2000)]);
    this.term.dispose();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
