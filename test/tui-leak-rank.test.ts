/**
 * memtop's own sentence on a busy machine, in a pty: `m`, sort on RGROW, the
 * leaker is on top. Real processes: a C leaker at a steady ~5 MiB/s, big
 * short-lived processes (100-300 MiB, three a second, each gone 0.7-1.5 s
 * later: in their first interval their whole size is RGROW, atop's rule), a
 * GC-like sawtooth (climbing 2.5 MiB/s for 4 s, then all freed) and a plateau
 * (a 50 MiB warm-up, then flat). The memory view sorted on RGROW has the
 * leaker first on at least 9 of 10 screens once it has run 30 s, sorted on
 * TRATE on at least 9 of 10 once it has run 75 s; the short-lived processes
 * are still listed, marked new (+), their RGROW their whole size.
 * Every child runs a copy of the leaker named for this test, so a program
 * filter (P) lists this test's children only, whatever else runs on the box.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { namedLeakerBinary, startLeaker, stop } from './helpers/leaker.js';
import { NEW_MARK } from '../src/view/procview.js';
import { PtyScreen, sleep } from './tui-harness.js';

interface Row {
  pid: number;
  mark: string;
  cells: Map<string, string>;
}

/** Memory sizes as the screen prints them (atop's val2memstr), in bytes. */
function bytes(text: string): number {
  const m = /^(-?[\d.]+)([BKMGTP])$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * 1024 ** 'BKMGTP'.indexOf(m[2]!);
}

/** The process rows under the header, each right-aligned column's cell read where its name ends in the header. */
function rows(s: PtyScreen, names: string[]): Row[] {
  const lines = s.lines();
  const head = lines.findIndex((l) => /^\s*PID /.test(l));
  if (head < 0) return [];
  const header = lines[head]!;
  const ends = new Map(names.map((n) => {
    const at = new RegExp(`[ *]${n}(?= |$)`).exec(header);
    return [n, at ? at.index + 1 + n.length : -1];
  }));
  const out: Row[] = [];
  for (let y = head + 1; y < lines.length; y++) {
    const m = /^\s*(\d+)(.)/.exec(lines[y]!);
    if (!m) continue;
    const cells = new Map<string, string>();
    for (const [n, end] of ends) if (end > 0) cells.set(n, lines[y]!.slice(Math.max(0, end - 8), end).trim().split(/\s+/).pop() ?? '');
    out.push({ pid: Number(m[1]), mark: m[2]!, cells });
  }
  return out;
}

test('the memory view sorted on RGROW, then on TRATE, has the leaker on top of a busy box; short-lived processes keep atop\'s figures, marked new',
  { timeout: 240_000 }, async (t) => {
    const name = `rk${process.pid}`.slice(0, 15);
    const binary = namedLeakerBinary(name);
    const children: ChildProcess[] = [];
    const bursts = new Set<number>();
    let burstTimer: NodeJS.Timeout | undefined;
    const s = new PtyScreen(['-m', '--window', '60', '1'], 160, 50);
    try {
      // The background first: the sawtooth, the plateau, the short-lived processes.
      children.push(await startLeaker(['saw', '256', '100', '40'], [], binary));
      children.push(await startLeaker(['plateau', '1024', '100', '50'], [], binary));
      let n = 0;
      burstTimer = setInterval(() => {
        const mib = 100 + 100 * (n % 3);
        const b = spawn(binary, ['burst', String(mib * 1024), String(700 + 400 * (n++ % 2))], { stdio: 'ignore' });
        if (b.pid) bursts.add(b.pid);
        b.on('exit', () => children.splice(children.indexOf(b), 1));
        children.push(b);
      }, 333);
      await s.waitText(/since Boot/, 20_000);
      await s.answer('P', `^${name}$`);
      await s.waitFor(() => /--P/.test(s.lines()[0]!), 'the program filter on', 10_000);
      await s.answer('O', 'RGROW');
      await s.waitFor(() => /\*RGROW/.test(s.find(/^\s*PID /)?.line ?? ''), 'sorted on RGROW', 10_000);

      // ~5 MiB/s, steady.
      const leaker = await startLeaker(['large', '512', '100'], [], binary);
      children.push(leaker);
      const born = Date.now();
      const pid = leaker.pid!;

      /** Ten screens 2 s apart: the pid of the first row of each, and the rows seen. */
      const screens = async (what: string) => {
        const firsts: number[] = [];
        const seen: Row[][] = [];
        const tops: string[] = [];
        for (let i = 0; i < 10; i++) {
          await sleep(2000);
          await s.settled(100, 3000);
          const r = rows(s, ['RSIZE', 'RGROW', 'TRATE']);
          seen.push(r);
          firsts.push(r[0]?.pid ?? -1);
          tops.push(r.slice(0, 3).map((x) => `${x.pid}${x.mark}${x.cells.get(what)}`).join(' '));
        }
        const onTop = firsts.filter((p) => p === pid).length;
        return { onTop, seen, why: `${what}: the leaker ${pid} first on ${onTop} of 10 screens (top rows: ${tops.join(' | ')})\n${s.dump()}` };
      };

      await sleep(Math.max(0, 30_000 - (Date.now() - born)));
      const byRgrow = await screens('RGROW');
      t.diagnostic(`RGROW: the leaker first on ${byRgrow.onTop} of 10 screens`);
      assert.ok(byRgrow.onTop >= 9, byRgrow.why);
      // The short-lived processes are still there, with atop's figures: RGROW their whole size, marked new.
      const shown = byRgrow.seen.flat().filter((r) => bursts.has(r.pid) && r.mark === NEW_MARK);
      const whole = shown.filter((r) => bytes(r.cells.get('RGROW')!) >= 90 * 1024 * 1024 && r.cells.get('RGROW') === r.cells.get('RSIZE'));
      t.diagnostic(`short-lived rows marked new with RGROW = RSIZE >= 90 MiB: ${whole.length} of ${shown.length}`);
      assert.ok(whole.length >= 5, `short-lived processes listed, new, RGROW = RSIZE (${whole.length} of ${shown.length} marked rows)\n${s.dump()}`);

      await s.answer('O', 'TRATE');
      await s.waitFor(() => /\*TRATE/.test(s.find(/^\s*PID /)?.line ?? ''), 'sorted on TRATE', 10_000);
      await sleep(Math.max(0, 75_000 - (Date.now() - born)));
      const byTrate = await screens('TRATE');
      t.diagnostic(`TRATE: the leaker first on ${byTrate.onTop} of 10 screens`);
      assert.ok(byTrate.onTop >= 9, byTrate.why);
      // Young rates (the short-lived processes') are shown, marked, below the leaker's.
      const young = byTrate.seen.flat().filter((r) => bursts.has(r.pid) && r.cells.get('TRATE')?.startsWith('~'));
      assert.ok(young.length > 0, `young TRATEs shown, marked ~\n${s.dump()}`);
    } finally {
      clearInterval(burstTimer);
      await s.close();
      await Promise.all(children.slice().map(stop));
    }
  });
