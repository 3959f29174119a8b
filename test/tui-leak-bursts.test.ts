/**
 * The leak hunt on the screen of a busy machine, in a pty: a real leaker
 * beside a GC-like sawtooth and a big short-lived process started every
 * second (200 MiB each, gone 0.7 s later: in its first interval its whole
 * size is growth, atop's rule). The status line names the leaker, the L
 * view has it on its first row, marked, and sorted on TRATE it is on top;
 * no short-lived process and no sawtooth is ever a suspect on any screen.
 * All of them run a copy of the leaker named for this test, so a program
 * filter (P) lists this test's children only, whatever else runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { namedLeakerBinary, startLeaker, stop } from './helpers/leaker.js';
import { LEAK_MARK } from '../src/view/procview.js';
import { KEY, PtyScreen, RED } from './tui-harness.js';

interface Row {
  y: number;
  pid: number;
  marked: boolean;
  line: string;
}

/** The process rows under the list's header: pid, and whether the row carries the mark. */
function rows(s: PtyScreen): Row[] {
  const lines = s.lines();
  const head = lines.findIndex((l) => /^\s*PID /.test(l));
  if (head < 0) return [];
  const out: Row[] = [];
  for (let y = head + 1; y < lines.length; y++) {
    const m = /^\s*(\d+)(.)/.exec(lines[y]!);
    if (m) out.push({ y, pid: Number(m[1]), marked: m[2] === LEAK_MARK, line: lines[y]! });
  }
  return out;
}

test('among big short-lived processes and a sawtooth, the leaker is named, first in L and on top of TRATE; they never are suspects',
  { timeout: 150_000 }, async () => {
    const name = `lk${process.pid}`.slice(0, 15);
    const binary = namedLeakerBinary(name);
    const children: ChildProcess[] = [];
    const bursts = new Set<number>();
    let burstTimer: NodeJS.Timeout | undefined;
    const s = new PtyScreen(['-m', '--window', '30', '1'], 150, 50);
    // What every screen looked at showed of the short-lived processes and the sawtooth.
    const seenBursts = new Set<number>();
    const wrong = new Set<string>();
    let saw: ChildProcess | undefined;
    /** Looks at the screen as it is: notes any short-lived process or the sawtooth shown as a suspect. */
    const watch = () => {
      const status = s.find(/leak suspect: /)?.line;
      for (const pid of [...bursts, saw?.pid]) {
        if (status && pid !== undefined && new RegExp(`leak suspect: ${pid} `).test(status)) wrong.add(`named: ${status}`);
      }
      for (const r of rows(s)) {
        const other = bursts.has(r.pid) || r.pid === saw?.pid;
        if (!other) continue;
        if (bursts.has(r.pid)) seenBursts.add(r.pid);
        if (r.marked || /\bLEAK\b/.test(r.line) || s.cell(r.line.indexOf(String(r.pid)), r.y).fg === RED) {
          wrong.add(`marked: ${r.line.trimEnd()}`);
        }
      }
    };
    const until = (check: () => boolean, what: string, ms: number) =>
      s.waitFor(() => {
        watch();
        return check();
      }, what, ms);
    try {
      // ~5 MiB/s: above 1% of this machine's memory per minute, and above 2 MiB/s.
      const leaker = await startLeaker(['large', '512', '100'], [], binary);
      // Climbs 10 MiB/s for 4 s, then falls back to nothing, again and again.
      saw = await startLeaker(['saw', '1024', '100', '40'], [], binary);
      children.push(leaker, saw);
      burstTimer = setInterval(() => {
        const b = spawn(binary, ['burst', String(200 * 1024), '700'], { stdio: 'ignore' });
        if (b.pid) bursts.add(b.pid);
        children.push(b);
      }, 1000);
      const pid = leaker.pid!;
      await s.waitText(/since Boot/, 15_000);
      await s.answer('P', `^${name}$`);
      await until(() => /--P/.test(s.lines()[0]!), 'the program filter on', 10_000);

      // Named on the status line: pid, command, rate.
      await until(() => new RegExp(`leak suspect: ${pid} ${name} \\+[\\d.]+M/s`).test(s.find(/leak suspect: /)?.line ?? ''),
        'the leaker named on the status line', 60_000);

      s.send('L');
      await until(() => /\*LEAK/.test(s.find(/^\s*PID /)?.line ?? ''), 'the leak view', 10_000);
      await until(() => rows(s)[0]?.pid === pid, 'the leaker on the first row of the leak view', 10_000);
      await s.settled();
      const first = rows(s)[0]!;
      assert.equal(first.pid, pid, s.dump());
      assert.ok(first.marked, `marked after its pid:\n${s.dump()}`);
      assert.match(first.line, /M\/s/);
      assert.equal(s.cell(first.line.indexOf(String(pid)), first.y).fg, RED, 'in red');

      // The memory view sorted on TRATE (O): the leaker on top, as new 200 MiB processes come and go.
      s.send('m');
      await s.answer('O', 'TRATE');
      await until(() => /\*TRATE/.test(s.find(/^\s*PID /)?.line ?? ''), 'sorted on TRATE', 10_000);
      await until(() => rows(s)[0]?.pid === pid, 'the leaker on top of TRATE', 10_000);
      // A few more intervals of bursts on this screen, the leaker staying on top.
      for (let i = 0; i < 4; i++) {
        const at = bursts.size;
        await until(() => bursts.size > at + 1, 'two more bursts', 10_000);
        await s.settled();
        watch();
        assert.equal(rows(s)[0]?.pid, pid, `the leaker still on top:\n${s.dump()}`);
      }
      s.send(KEY.escape);

      assert.deepEqual([...wrong], [], 'no short-lived process nor the sawtooth shown as a suspect');
      assert.ok(seenBursts.size >= 5, `short-lived processes were on the screen (${seenBursts.size} of ${bursts.size})`);
    } finally {
      clearInterval(burstTimer);
      await s.close();
      await Promise.all(children.map(stop));
    }
  });
