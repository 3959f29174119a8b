/**
 * The live screen end to end, in a real pty read through a headless xterm,
 * on a fake /proc that tells the case study's story: MEM critical (red),
 * PAG almost critical (cyan), lekker growing under six upload processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CASE_STUDY, lekkerGrown, makeFakeProc, writeFakeProc, type ScreenMoment } from './tui-fakeproc.js';
import { CYAN, KEY, PtyScreen, RED, sleep } from './tui-harness.js';

const LONG = '600'; // interval: no timer tick during a test

/** Runs memtop on a fresh fake /proc; always cleans up. */
async function withScreen(
  args: string[], size: [number, number], body: (s: PtyScreen, proc: { dir: string }) => Promise<void>, sys: ScreenMoment = CASE_STUDY,
): Promise<void> {
  const fake = makeFakeProc(sys);
  const s = new PtyScreen(['--proc', fake.dir, ...args], size[0], size[1]);
  try {
    await s.waitText(/since Boot/);
    await s.settled();
    await body(s, fake);
  } finally {
    await s.close();
    fake.remove();
  }
}

/** The process rows under the process header. */
function procRows(s: PtyScreen): string[] {
  const head = s.find(/^\s*(PID|NPROCS) /);
  assert.ok(head, 'process header on screen');
  return s.lines().slice(head.y + 1).filter((l) => l.trim() !== '');
}

const firstCmd = (s: PtyScreen) => procRows(s)[0]?.trim().split(/\s+/).pop();

function labelCell(s: PtyScreen, label: string, field?: string) {
  const row = s.find(new RegExp(`^${label} `));
  assert.ok(row, `${label} line on screen`);
  const x = field === undefined ? 0 : row.line.indexOf(field);
  assert.ok(x >= 0, `${field} on the ${label} line`);
  return s.cell(x, row.y);
}

for (const size of [[80, 24], [200, 50]] as [number, number][]) {
  const at = `${size[0]}x${size[1]}`;

  test(`colours where the model says critical, its label blinking; x turns them into bold (${at})`, { timeout: 30000 }, async () => {
    await withScreen(['-m', LONG], size, async (s) => {
      assert.equal(labelCell(s, 'MEM').fg, RED, 'MEM label red');
      assert.equal(labelCell(s, 'MEM', 'tot').fg, RED, 'MEM tot red');
      assert.equal(labelCell(s, 'MEM', 'free').fg, RED, 'MEM free red');
      assert.equal(labelCell(s, 'PAG').fg, CYAN, 'PAG label cyan');
      assert.equal(labelCell(s, 'PAG', 'swout').fg, CYAN, 'PAG swout cyan');
      assert.equal(labelCell(s, 'PAG', 'scan').fg, -1, 'PAG scan plain');
      assert.equal(labelCell(s, 'SWP').fg, -1, 'SWP plain');
      assert.equal(labelCell(s, 'CPU').fg, -1, 'CPU plain');
      assert.ok(labelCell(s, 'MEM').inverse === false);
      assert.ok(labelCell(s, 'MEM').blink, 'critical MEM label blinks');
      assert.ok(!labelCell(s, 'MEM', 'tot').blink, 'its fields do not');
      assert.ok(!labelCell(s, 'PAG').blink, 'almost critical PAG label does not blink');
      s.send('x');
      await s.waitFor((t) => labelCell(t, 'MEM').fg === -1, 'colours off');
      assert.ok(labelCell(s, 'MEM').bold, 'MEM label bold without colours');
      assert.ok(labelCell(s, 'MEM').blink, 'and still blinking');
      assert.ok(labelCell(s, 'PAG', 'swout').bold, 'swout bold without colours');
      assert.match(s.lines()[0]!, /-x-----/, 'x flag in the header');
      s.send('x');
      await s.waitFor((t) => labelCell(t, 'MEM').fg === RED, 'colours back');
    });
  });

  test(`keys switch views and the sort column is marked (${at})`, { timeout: 30000 }, async () => {
    await withScreen([LONG], size, async (s) => {
      const header = () => s.find(/^\s*(PID|NPROCS) /)?.line ?? '';
      assert.match(header(), /SYSCPU.*\*CPU/, 'generic view, sorted on CPU');
      const views: [string, RegExp][] = [
        ['m', /PID\s+MINFLT\s+MAJFLT.*VSIZE.*\*RSIZE.*RGROW.*MEM\s+CMD/],
        ['d', /PID\s+RDDSK\s+WRDSK.*\*DSK\s+CMD/],
        ['c', /PID.*COMMAND-LINE/],
        ['u', /NPROCS.*\*RSIZE.*USER/],
        ['p', /NPROCS.*\*RSIZE.*CMD/],
        ['g', /PID\s+SYSCPU\s+USRCPU.*\*CPU\s+CMD/],
      ];
      for (const [key, re] of views) {
        s.send(key);
        await s.waitFor(() => re.test(header()), `view ${key}: ${re}`);
      }
      // The disk view's io made memtop sample at once: nothing on this still fake /proc was active since.
      s.send('a');
      await s.waitFor(() => /^MEMTOP.*-a-------/.test(s.lines()[0]!), 'a: every process, flag in the header');
      s.send('p');
      await s.waitFor(() => /^\s*3\b.*upload/.test(procRows(s)[0] ?? ''), 'three upload processes summed on top');
      s.send('c');
      await s.waitText(/chrome --type=renderer/);
      s.send('M');
      await s.waitFor(() => /\*MEM/.test(header()), 'M sorts on MEM');
      s.send('m');
      await s.waitFor(() => /\*RSIZE/.test(header()), 'the memory view sorts on RSIZE');
      s.send('>');
      await s.waitFor(() => /\*VGROW/.test(header()), '> moves the sort right');
      s.send('<');
      s.send('<');
      await s.waitFor(() => /\*VSIZE/.test(header()), '< moves the sort left');
      s.send('?');
      await s.waitText(/memtop keys/);
      assert.ok(s.find(/Column|named column/), 'help lists O');
      s.send(' ');
      await s.waitFor((t) => !t.find(/memtop keys/), 'help closed by any key');
    });
  });
}

test('O RGROW Enter sorts on resident growth: the leaker on top', { timeout: 30000 }, async () => {
  await withScreen(['-m', LONG], [80, 24], async (s, fake) => {
    assert.equal(firstCmd(s), 'upload', 'sorted on RSIZE: upload first');
    // 20 seconds later lekker has grown 150 MiB; the others did not change.
    writeFakeProc(fake.dir, lekkerGrown(150, 20));
    s.send('t');
    await s.waitText(/ 20s elapsed/);
    s.send('O');
    await s.waitText(/Column to sort on:/);
    await s.type('rgrow');
    s.send(KEY.enter);
    await s.waitFor(() => /\*RGROW/.test(s.find(/^\s*PID /)?.line ?? ''), 'RGROW marked');
    assert.equal(firstCmd(s), 'lekker');
    assert.match(procRows(s)[0]!, /150\.0M/);
    await s.answer('O', 'NOSUCH');
    await s.waitText(/no column 'NOSUCH' in the memory view/);
    // The sort stays with its view: a look at the generic view and back, RGROW still sorts.
    const head = () => s.find(/^\s*PID /)?.line ?? '';
    s.send('g');
    await s.waitFor(() => /\*CPU/.test(head()), 'the generic view on its own sort');
    s.send('m');
    await s.waitFor(() => /\*RGROW/.test(head()), 'back in the memory view, sorted on RGROW');
    assert.equal(firstCmd(s), 'lekker');
  });
});

test('--sort-resets: a change of view sorts on the new view default, as atop', { timeout: 30000 }, async () => {
  await withScreen(['-m', '--sort', 'rgrow', '--sort-resets', LONG], [80, 24], async (s) => {
    const head = () => s.find(/^\s*PID /)?.line ?? '';
    assert.match(head(), /\*RGROW/);
    s.send('g');
    await s.waitFor(() => /\*CPU/.test(head()), 'the generic view');
    s.send('m');
    await s.waitFor(() => /\*RSIZE/.test(head()), 'the memory view on its default again');
  });
});

test('filters filter; a bad regex says so in one line; empty input clears', { timeout: 30000 }, async () => {
  await withScreen(['-m', LONG], [80, 24], async (s) => {
    const cmds = () => procRows(s).map((r) => r.trim().split(/\s+/).pop());
    s.send('P');
    await s.waitText(/Program regex/);
    await s.type('^up');
    s.send(KEY.enter);
    await s.waitFor(() => cmds().length === 3 && cmds().every((c) => c === 'upload'), 'only upload');
    assert.match(s.lines()[0]!, /----P--/);
    await s.answer('P', '(');
    await s.waitText(/not a regular expression/);
    assert.equal(cmds().length, 3, 'the old filter stays');
    s.send('P');
    await s.waitText(/now '\^up'/);
    s.send(KEY.enter);
    await s.waitFor(() => cmds().length === 9, 'filter cleared');
    await s.answer('U', '^4242$');
    await s.waitFor(() => cmds().join() === 'firefox', 'user filter');
    await s.answer('U', '');
    await s.answer('/', 'renderer');
    await s.waitFor(() => cmds().join() === 'chrome', 'command-line filter');
    await s.answer('/', '');
    await s.answer('I', '1, 1530');
    await s.waitFor(() => cmds().join() === 'Xorg,systemd', 'pid filter');
    await s.answer('I', '12x');
    await s.waitText(/not a pid: '12x'/);
    await s.answer('P', 'nomatch');
    await s.waitText(/no process matches the filters/);
  });
});

test('arrows, PgDn and End move the highlight; k kills the pid asked for', { timeout: 30000 }, async () => {
  const fake = makeFakeProc({
    ...CASE_STUDY,
    procs: Array.from({ length: 60 }, (_, i) => ({ pid: 100 + i, comm: `proc${i}`, rss: 25_000 - i * 25, vsize: 50_000 })),
  });
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const s = new PtyScreen(['--proc', fake.dir, '-m', LONG], 80, 24);
  const highlighted = () => {
    const head = s.find(/^\s*PID /)!;
    const rows = s.lines().length;
    for (let y = head.y + 1; y < rows; y++) if (s.cell(0, y).fg === 7 || s.cell(0, y).inverse) return s.lines()[y]!.trim().split(/\s+/)[0];
    return undefined;
  };
  try {
    await s.waitText(/since Boot/);
    await s.settled();
    assert.equal(highlighted(), '100');
    s.send(KEY.down);
    s.send(KEY.down);
    await s.waitFor(() => highlighted() === '102', 'down twice');
    s.send(KEY.up);
    await s.waitFor(() => highlighted() === '101', 'up');
    s.send(KEY.pageDown);
    await s.waitFor(() => /2\/\d+\s*$/.test(s.find(/^\s*PID /)!.line), 'page 2');
    s.send(KEY.end);
    await s.waitFor(() => highlighted() === '159', 'end');
    s.send(KEY.home);
    await s.waitFor(() => highlighted() === '100', 'home');
    s.send('k');
    await s.waitText(/PID to kill \[100\]:/);
    await s.type(String(child.pid));
    s.send(KEY.enter);
    // Its name read from this machine's /proc (the list is a fake tree's).
    await s.waitText(/Signal for \d+ \(sleep\) \[TERM\]:/);
    await s.type('KILL');
    s.send(KEY.enter);
    await s.waitText(/Send SIGKILL to \d+ \(sleep\)\? \(y\/n\)/);
    s.send('y');
    await s.waitText(new RegExp(`sent SIGKILL to ${child.pid}`));
    const code = await new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve(child.signalCode) : child.once('exit', (_c, sig) => resolve(sig))));
    assert.equal(code, 'SIGKILL');
    // Beyond any pid_max: refused as a pid, nothing sent.
    await s.answer('k', '99999999');
    await s.waitText(/not a pid: '99999999' \(pids go from 1 to \d+\)/);
    // No such process, pid 1 and memtop itself: said at once, nothing asked or sent.
    await s.answer('k', '4194303');
    await s.waitText(/kill 4194303: no such process \(it has exited\)/);
    await s.answer('k', '1');
    await s.waitText(/pid 1 \(init\) is never signalled by memtop/);
    await s.answer('k', String(s.pid));
    await s.waitText(new RegExp(`pid ${s.pid} is memtop itself: not signalled`));
    // A confirmation answered no sends nothing.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await s.answer('k', String(other.pid));
      s.send(KEY.enter);
      await s.waitText(new RegExp(`Send SIGTERM to ${other.pid} \\(sleep\\)`));
      s.send('n');
      await s.waitText(/kill cancelled/);
      assert.equal(other.exitCode, null);
    } finally {
      other.kill('SIGKILL');
    }
  } finally {
    child.kill('SIGKILL');
    await s.close();
    fake.remove();
  }
});

test('resize re-lays at once; a tiny terminal says so and recovers', { timeout: 30000 }, async () => {
  await withScreen(['-m', LONG], [80, 24], async (s) => {
    assert.ok(!s.find(/VSLIBS/), 'no room for VSLIBS at 80 columns');
    s.resize(200, 50);
    await s.waitFor(() => /VSLIBS/.test(s.find(/^\s*PID /)?.line ?? '') && /elapsed$/.test(s.lines()[0]!.trimEnd()) && s.lines()[0]!.trimEnd().length === 200, 'laid out for 200 columns');
    s.resize(30, 6);
    await s.waitText(/memtop needs a terminal/);
    s.resize(100, 30);
    await s.waitFor(() => /^MEMTOP - fakehost/.test(s.lines()[0]!) && s.lines()[0]!.trimEnd().length === 100, 'back at 100x30');
    assert.ok(s.find(/^MEM /));
  });
});

for (const [how, keys] of [['q', 'q'], ['Ctrl-C', KEY.ctrlC]] as const) {
  test(`${how} quits and gives the terminal back`, { timeout: 30000 }, async () => {
    await withScreen(['-m', LONG], [80, 24], async (s) => {
      assert.equal(s.term.buffer.active.type, 'alternate', 'drawn on the alternate screen');
      s.send(keys);
      const code = await Promise.race([s.exited, sleep(5000).then(() => 'still running')]);
      assert.equal(code, 0);
      await new Promise<void>((resolve) => s.term.write('', resolve));
      assert.equal(s.term.buffer.active.type, 'normal', 'alternate screen left');
      assert.ok(s.raw.lastIndexOf('\x1b[?25h') > s.raw.lastIndexOf('\x1b[?25l'), 'cursor shown again');
      assert.ok(!/Error|at .*\.js:\d+/.test(s.lines().join('\n')), 'no stack trace');
    });
  });
}

test('z pauses, i sets the interval, t samples now, f shows idle lines, r goes back to since boot', { timeout: 30000 }, async () => {
  await withScreen(['-m', '1'], [80, 24], async (s, fake) => {
    const header = () => s.lines()[0]!;
    s.send('z');
    await s.waitFor(() => /--z----/.test(header()) && !!s.find(/^paused/), 'paused');
    const still = header();
    await sleep(2200);
    assert.equal(header(), still, 'no sample while paused');
    s.send('z');
    await s.waitFor(() => header() !== still && !/--z----/.test(header()), 'sampling again');
    await s.answer('i', 'abc');
    await s.waitText(/invalid interval 'abc'/);
    await s.answer('i', '0');
    await s.waitText(/^interval 0: t takes a sample/);
    const manual = header();
    await sleep(1500);
    assert.equal(header(), manual, 'interval 0: no timer');
    // 20 s later nothing paged or read: PAG and DSK hide until f.
    writeFakeProc(fake.dir, lekkerGrown(150, 20));
    s.send('t');
    await s.waitText(/ 20s elapsed/);
    assert.ok(!s.find(/^PAG /) && !s.find(/^DSK /), 'idle PAG and DSK hidden');
    s.send('f');
    await s.waitFor(() => !!s.find(/^PAG /) && !!s.find(/^DSK /) && /f------/.test(header()), 'f shows all lines');
    s.send('r');
    await s.waitFor(() => /17m0s elapsed/.test(header()), 'since boot again (1000 s + 20 s of uptime)');
    await s.answer('i', '0.5');
    await s.waitFor(() => !s.find(/^interval 0/) && header() !== manual, 'sampling every 0.5 s');
  });
});

test('only active processes, as atop, except in the memory view; a lists them all', { timeout: 30000 }, async () => {
  await withScreen([LONG], [100, 30], async (s, fake) => {
    const cmds = () => procRows(s).map((l) => l.trim().split(/\s+/).pop());
    // Since boot every process is new, so active.
    assert.equal(cmds().length, 9, 'the since-boot screen lists every process');
    // 20 s later only lekker grew: the generic view lists it alone.
    writeFakeProc(fake.dir, lekkerGrown(150, 20));
    s.send('t');
    await s.waitFor(() => cmds().length === 1 && cmds()[0] === 'lekker', 'only the active lekker');
    s.send('m');
    await s.waitFor(() => cmds().length === 9, 'the memory view lists every process');
    s.send('g');
    await s.waitFor(() => cmds().length === 1, 'back to the active one');
    s.send('M');
    await s.waitFor(() => cmds().length === 9, 'sorted on MEM: every process, as atop');
    s.send('C');
    await s.waitFor(() => cmds().length === 1, 'sorted on CPU: the active one');
    s.send('a');
    await s.waitFor(() => cmds().length === 9 && /-a-------/.test(s.lines()[0]!), 'a: every process, a in the flags');
    s.send('a');
    await s.waitFor(() => cmds().length === 1, 'a again: active only');
    // An interval in which nothing happened says so instead of an empty list.
    s.send('t');
    await s.waitText(/no process was active in this interval: a lists them all/);
  });
});

test('Left and Right scroll the command line in the command line view', { timeout: 30000 }, async () => {
  await withScreen(['-a', LONG], [80, 24], async (s) => {
    s.send(KEY.right);
    await s.waitText(/Left and Right scroll the command line: c shows it/);
    s.send('c');
    const chrome = () => procRows(s).find((l) => /\b29272\b/.test(l)) ?? '';
    await s.waitFor(() => /chrome --type=renderer/.test(chrome()), 'the command line view');
    s.send(KEY.right);
    await s.waitFor(() => /COMMAND-LINE \+8/.test(s.lines().join('\n')), 'header says how far');
    assert.match(chrome(), /29272\s.*\s-type=renderer\s*$/, 'eight characters scrolled out');
    assert.doesNotMatch(chrome(), /chrome/);
    s.send(KEY.left);
    await s.waitFor(() => /chrome --type=renderer/.test(chrome()) && !/COMMAND-LINE \+/.test(s.lines().join('\n')), 'back');
    s.send(KEY.left);
    await sleep(200);
    assert.match(chrome(), /chrome --type=renderer/, 'not past the start');
  });
});
