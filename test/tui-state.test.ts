/**
 * The live screen's state without a terminal: keys pressed, the frame read
 * as text (test/helpers/screen.ts). The same fake /proc as the pty tests
 * (the case study's machine), sampled for real; replays from samples held
 * in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIEWS } from '../src/columns/views.js';
import { CASE_STUDY, lekkerGrown, type ScreenMoment } from './tui-fakeproc.js';
import { fakeLive, fakeReplay, FakeScreen, plainText } from './helpers/screen.js';
import { sampleMoments } from './helpers/rawlog.js';
import type { ScreenSettings } from '../src/view/state.js';
import { LEAK_MARK } from '../src/view/procview.js';

/** A screen on a live fake /proc, its first sample taken; always cleaned up. */
function withLive(
  settings: Partial<ScreenSettings>, body: (s: FakeScreen, write: (m: ScreenMoment) => void) => void | Promise<void>,
  opts: { size?: [number, number]; moment?: ScreenMoment } = {},
): Promise<void> {
  const live = fakeLive(opts.moment ?? CASE_STUDY);
  const s = new FakeScreen(live.feed, settings, opts.size);
  s.state.tick();
  return (async () => {
    try {
      await body(s, live.write);
    } finally {
      live.remove();
    }
  })();
}

const sortMark = (s: FakeScreen) => /\*(\S+)/.exec(s.procHead())?.[1];

test('the first frame: host, since-boot status, the memory view sorted on RSIZE', () =>
  withLive({ view: VIEWS.memory }, (s) => {
    assert.match(s.header(), /^MEMTOP - fakehost/);
    assert.equal(s.header().length, 80);
    assert.match(s.status(), /since Boot/);
    assert.equal(sortMark(s), 'RSIZE');
    assert.equal(s.cmds()[0], 'upload');
    assert.equal(s.rows().length, 9);
    assert.ok(s.lines().every((l) => l.length <= 80));
  }));

test('before any sample: a bare header; a too small terminal: the notice alone', () => {
  const live = fakeLive(CASE_STUDY);
  try {
    const s = new FakeScreen(live.feed);
    assert.match(s.header(), /^memtop\s*$/);
    assert.deepEqual(s.rows(), []);
    s.state.resize(30, 6);
    assert.match(s.lines().join(' '), /needs a terminal of at least 40x8; this one is 30x6/);
  } finally {
    live.remove();
  }
});

test('sort that stays: O RGROW in the memory view is still there after another view', () =>
  withLive({ view: VIEWS.memory }, (s, write) => {
    write(lekkerGrown(150, 20));
    s.state.tick();
    s.answer('O', 'rgrow');
    assert.equal(sortMark(s), 'RGROW');
    assert.equal(s.cmds()[0], 'lekker');
    s.press('g');
    assert.equal(sortMark(s), 'CPU', 'the generic view sorts on its own default');
    s.press('M');
    s.press('m');
    assert.equal(sortMark(s), 'RGROW', 'back in the memory view: its sort kept');
    assert.equal(s.cmds()[0], 'lekker');
    s.press('g');
    assert.equal(sortMark(s), 'MEM', 'and the generic view keeps M');
  }));

test('--sort-resets: a change of view sorts on the view default, as atop', () =>
  withLive({ view: VIEWS.memory, sort: 'RGROW', sortResets: true }, (s) => {
    assert.equal(sortMark(s), 'RGROW', '--sort holds for the first view');
    s.press('g', 'm');
    assert.equal(sortMark(s), 'RSIZE');
  }));

test('frame() changes nothing: the same frame twice, and after a frame at another size', () =>
  withLive({ view: VIEWS.memory }, (s) => {
    s.press('down', 'down');
    const state = () => JSON.stringify({ ...s.state, sort: s.state.sort, trend: undefined, frames: undefined, feed: undefined, host: undefined });
    const before = state();
    const a = s.state.frame(80, 24);
    s.state.frame(200, 50);
    s.state.frame(80, 10);
    assert.deepEqual(s.state.frame(80, 24), a);
    assert.equal(state(), before);
  }));

test('the highlight: arrows, pages, End, Home; it follows its process across samples', () => {
  const many: ScreenMoment = {
    ...CASE_STUDY,
    procs: Array.from({ length: 60 }, (_, i) => ({ pid: 100 + i, comm: `proc${i}`, rss: 25_000 - i * 25, vsize: 50_000 })),
  };
  return withLive({ view: VIEWS.memory }, (s, write) => {
    assert.equal(s.highlighted(), '100');
    s.press('down', 'down');
    assert.equal(s.highlighted(), '102');
    s.press('up');
    assert.equal(s.highlighted(), '101');
    s.press('pagedown');
    assert.match(s.procHead(), /2\/\d+$/, 'page 2');
    s.press('end');
    assert.equal(s.highlighted(), '159');
    assert.match(s.procHead(), /(\d+)\/\1$/, 'the last page');
    s.press('home', 'down');
    // proc101 grows past proc100: the highlight moves with it to the top.
    write({ ...many, uptime: many.uptime + 20, procs: many.procs.map((p) => (p.pid === 101 ? { ...p, rss: 30_000 } : p)) });
    s.state.tick();
    assert.equal(s.cmds()[0], 'proc1');
    assert.equal(s.highlighted(), '101');
    s.press('home');
    assert.equal(s.highlighted(), '101', 'Home: the first row');
  }, { moment: many });
});

test('filters, flags and questions: Escape cancels, Backspace edits, a bad regex keeps the old filter', () =>
  withLive({ view: VIEWS.memory }, (s) => {
    s.answer('P', '^up');
    assert.deepEqual(s.cmds(), ['upload', 'upload', 'upload']);
    assert.match(s.header(), /----P--/);
    s.answer('P', '(');
    assert.match(s.status(), /not a regular expression/);
    assert.equal(s.cmds().length, 3);
    s.press('U').type('roox').press('backspace').type('t');
    assert.match(s.status(), /User regex.*roo\s*t_$|User regex.*root_$/);
    s.press('escape');
    assert.doesNotMatch(s.status(), /User regex/);
    assert.equal(s.cmds().length, 3, 'cancelled: no user filter');
    s.answer('P', '');
    assert.equal(s.cmds().length, 9);
    s.answer('I', 'nomatch');
    assert.match(s.status(), /not a pid: 'nomatch'/);
    s.answer('I', '1 1530');
    assert.deepEqual(s.cmds().sort(), ['Xorg', 'systemd']);
    s.press('x');
    assert.match(s.header(), /--x----I-/);
  }));

test('views, C M D and < >: the sort column follows, each view its columns', () =>
  withLive({}, (s) => {
    assert.equal(sortMark(s), 'CPU');
    s.press('d');
    assert.match(s.procHead(), /RDDSK.*\*DSK/);
    s.press('u');
    assert.match(s.procHead(), /NPROCS.*\*RSIZE.*USER/);
    s.press('g', 'M');
    assert.match(s.procHead(), /\*MEM/, 'M shows MEM in the generic view');
    s.press('m', '>');
    assert.equal(sortMark(s), 'VGROW');
    s.press('<', '<');
    assert.equal(sortMark(s), 'VSIZE');
    s.answer('O', 'nosuch');
    assert.match(s.status(), /no column 'nosuch' in the memory view/);
  }));

test('help opens with ?, any key closes it; an unknown key says so; Ctrl-C and q ask the shell to quit', () =>
  withLive({}, (s) => {
    s.press('?');
    assert.ok(s.frame().help?.some((l) => /memtop keys/.test(l)));
    s.press('j');
    assert.equal(s.frame().help, undefined);
    assert.equal(s.status(), '*** System and Process Activity since Boot ***', 'the closing key does nothing else');
    s.press('j');
    assert.match(s.status(), /unknown key 'j'/);
    s.press('enter');
    assert.doesNotMatch(s.status(), /unknown key/, 'Enter is bound: it opens the detail (here: says why not)');
    s.press('?', 'enter');
    assert.equal(s.frame().help, undefined, 'Enter closes the help as any key does');
    s.press('?', 'escape');
    assert.equal(s.frame().help, undefined);
    s.press('q');
    s.press('C-c');
    assert.equal(s.quits, 2);
  }));

test('z pauses the clock, i 0 stops it, i 0.5 sets it; a message goes with the next key', () =>
  withLive({}, (s, write) => {
    s.press('z');
    assert.equal(s.state.sampling, false);
    assert.match(s.status(), /^paused/);
    write(lekkerGrown(150, 20));
    s.state.tick();
    assert.match(s.status(), /^paused/, 'no sample while paused');
    assert.match(s.header(), /---z-/);
    s.press('z');
    s.answer('i', 'abc');
    assert.match(s.status(), /invalid interval 'abc'/);
    s.answer('i', '0');
    assert.match(s.status(), /^interval 0/);
    s.state.tick();
    assert.match(s.status(), /^interval 0/);
    s.press('t');
    assert.match(s.header(), / 20s elapsed/, 't samples at interval 0');
    s.answer('i', '0.5');
    assert.deepEqual(s.intervals, [0.5]);
    assert.equal(s.state.sampling, true);
  }));

test('k: the highlighted pid offered, a signal asked, a refusal said; n cancels', () =>
  withLive({ view: VIEWS.memory }, (s) => {
    s.press('k');
    assert.match(s.status(), /PID to kill \[30926\]:/);
    s.press('escape');
    // Beyond pid_max: refused as a pid, no signal asked (ESRCH is sendSignal's, tested in tui-units).
    s.answer('k', '99999999');
    assert.match(s.status(), /not a pid: '99999999' \(pids go from 1 to \d+\)/);
    s.answer('k', '1').press('enter', 'n');
    assert.match(s.status(), /kill cancelled/);
  }));

test('B: the panel takes its rows once the charts load; a failed load says so', async () => {
  await withLive({ view: VIEWS.memory }, async (s) => {
    s.press('B');
    assert.match(s.header(), /B\s/);
    assert.equal(s.frame().panel, undefined, 'no rows for the panel before its charts load');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(s.changes > 0, 'the shell is asked to draw again');
    const panel = s.frame().panel?.lines ?? [];
    assert.ok(panel.length >= 8, 'the panel in the frame');
    assert.ok(s.lines().length <= 24);
    assert.ok(s.lines().some((l) => /^MEM /.test(l)) === false, 'at 80x24 the panel takes the system lines\' place');
    const plotted = () => /RSIZE (\d+) /.exec(s.frame().panel!.lines.map(plainText)[0]!)?.[1];
    s.press('down', 'down');
    assert.equal(plotted(), s.highlighted(), 'the panel plots the highlighted process');
    s.press('B');
    assert.equal(s.frame().panel, undefined, 'B again: off');
    assert.ok(s.lines().some((l) => /^MEM /.test(l)));
  });
  await withLive({}, async (s) => {
    s.charts = () => Promise.reject(new Error('no contrib'));
    s.press('B');
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(s.status(), /trend panel is unavailable.*no contrib/);
    assert.equal(s.frame().panel, undefined);
  });
});

test('replay: t T b r step through the recording, live-only keys say why not', () => {
  const feed = fakeReplay(sampleMoments(6), { first: 1, last: 4 });
  const s = new FakeScreen(feed);
  s.state.start();
  const time = () => /(\d\d:\d\d:\d\d)/.exec(s.header())?.[1];
  assert.equal(time(), '10:00:10', 'the first sample of the window');
  s.press('t');
  assert.equal(time(), '10:00:20');
  s.press('T');
  assert.equal(time(), '10:00:10');
  s.press('T');
  assert.match(s.status(), /this is the first sample/);
  s.answer('b', '10:00:35');
  assert.equal(time(), '10:00:40');
  s.press('t');
  assert.match(s.status(), /end of the recording/);
  s.press('r');
  assert.equal(time(), '10:00:10');
  s.answer('b', 'soon');
  assert.match(s.status(), /not a time: 'soon'/);
  for (const [key, said] of [['z', /no timer to pause/], ['i', /no interval/], ['k', /live system only/]] as const) {
    s.press(key);
    assert.match(s.status(), said);
  }
});

test('a live screen: T and b belong to replays; Left and Right only where the command line shows', () =>
  withLive({ allProcs: true }, (s) => {
    s.press('T');
    assert.match(s.status(), /T steps back only when replaying/);
    s.press('b');
    assert.match(s.status(), /b branches only when replaying/);
    s.press('right');
    assert.match(s.status(), /Left and Right scroll the command line: c shows it/);
    s.press('c', 'right');
    assert.match(s.procHead(), /COMMAND-LINE \+8/);
    s.press('left', 'left');
    assert.doesNotMatch(s.procHead(), /\+\d/);
  }));

/**
 * The case study's machine with pid_max 32768 (the PID column 5 wide) and
 * lekker as pid 31234: a pid as wide as its column, so column 0 has no room.
 */
function widePid(m: ScreenMoment): ScreenMoment {
  return {
    ...m,
    extra: { 'sys/kernel/pid_max': '32768\n' },
    procs: m.procs.map((p) => (p.comm === 'lekker' ? { ...p, pid: 31234 } : p)),
  };
}

for (const color of [true, false]) {
  test(`a suspect whose pid fills the PID column is marked after it, ${color ? 'in red' : 'bold without colours'}; u and p count it`, () =>
    withLive({ view: VIEWS.memory, color, allProcs: true }, (s, write) => {
      // lekker grows 150 MiB per 20 s on a 3.8 GiB machine: a suspect within six intervals.
      for (let k = 1; k <= 8; k++) {
        write(widePid(lekkerGrown(150 * k, 20 * k)));
        s.state.tick();
      }
      assert.match(s.status(), /^leak suspect: 31234 lekker \+[\d.]+M\/s/);
      const at = s.rows().findIndex((r) => r.startsWith('31234'));
      assert.ok(at >= 0, s.lines().join('\n'));
      const plain = s.rows()[at]!;
      assert.equal(plain.slice(0, 6), `31234${LEAK_MARK}`, 'the mark in the blank after the PID');
      assert.equal(plain.length, 80);
      const raw = s.frame().rows[at]!;
      assert.ok(raw.includes(`${color ? '\x1b[31m' : '\x1b[1m'}31234${LEAK_MARK}`), JSON.stringify(raw.slice(0, 24)));
      // Columns stay where atop has them: the mark replaced a blank; an unmarked row of the same view lines up.
      const other = s.rows().find((r) => /upload/.test(r))!;
      assert.equal(other[5], ' ');
      assert.equal(plain.replace(LEAK_MARK, ' ').search(/\d+\.\d[KMG]/), other.search(/\d+\.\d[KMG]/));

      s.state.resize(120, 24);
      s.press('p');
      const byProg = s.rows().find((r) => /lekker/.test(r))!;
      assert.match(byProg, new RegExp(`^\\s+1${LEAK_MARK}.* 1 .*lekker`), 'one process, one suspect, marked after NPROCS');
      assert.match(s.procHead(), /TRATE\s+LEAK/);
      assert.doesNotMatch(s.rows().find((r) => /upload/.test(r))!, new RegExp(LEAK_MARK), 'a program without a suspect is not marked');
      s.press('u');
      const mine = s.rows().find((r) => r.includes(LEAK_MARK));
      assert.ok(mine, s.lines().join('\n'));
      assert.ok(s.rows().filter((r) => r.includes(LEAK_MARK)).length === 1, 'only the user holding lekker');
    }, { moment: widePid(CASE_STUDY) }));
}

test('sorted on RGROW, a process born in the interval ranks after what grew, marked + after its pid; --sort-atop: first', async () => {
  const born: ScreenMoment = {
    ...lekkerGrown(150, 20),
    procs: [...lekkerGrown(150, 20).procs, { pid: 31999, comm: 'bigpy', rss: 300 * 256, vsize: 310 * 256, cmdline: 'python3 big.py' }],
  };
  await withLive({ view: VIEWS.memory, sort: 'RGROW' }, (s, write) => {
    write(born);
    s.state.tick();
    assert.equal(s.cmds()[0], 'lekker', s.lines().join('\n'));
    const row = s.rows().find((r) => /bigpy/.test(r))!;
    assert.match(row, /^\s*31999\+ /, 'marked new');
    assert.match(row, /300\.0M/, 'its RGROW is its whole size, as atop');
    assert.equal(s.cmds()[1], 'bigpy', 'right after what grew: still in sight');
    assert.doesNotMatch(s.rows()[0]!, new RegExp(`\\d\\${LEAK_MARK}`));
  });
  await withLive({ view: VIEWS.memory, sort: 'RGROW', sortAtop: true }, (s, write) => {
    write(born);
    s.state.tick();
    assert.equal(s.cmds()[0], 'bigpy', 'atop\'s order');
  });
});

test('the leak view filtered by user (U), program (P) or pids (I): a shared box\'s own suspects, the status line naming one of them', () =>
  withLive({ view: VIEWS.memory, allProcs: true }, (s, write) => {
    // lekker (root) and firefox (uid 4242) both grow 150 MiB per 20 s: two suspects of two users.
    for (let k = 1; k <= 8; k++) {
      const m = lekkerGrown(150 * k, 20 * k);
      write({ ...m, procs: m.procs.map((p) => (p.comm === 'firefox' ? { ...p, rss: p.rss! + 150 * k * 256, vsize: p.vsize! + 150 * k * 256 } : p)) });
      s.state.tick();
    }
    s.press('L');
    const suspects = () => s.rows().filter((r) => r.includes(LEAK_MARK)).map((r) => r.trim().split(/\s+/).pop());
    assert.deepEqual(suspects().sort(), ['firefox', 'lekker'], s.lines().join('\n'));
    s.answer('U', '^4242$');
    assert.deepEqual(s.cmds(), ['firefox'], 'only the user\'s processes');
    assert.match(s.status(), /^leak suspect: 4680 firefox \+/);
    s.answer('U', '');
    s.answer('P', 'lek');
    assert.deepEqual(s.cmds(), ['lekker']);
    assert.match(s.status(), /^leak suspect: 31048 lekker \+/);
    assert.match(s.procHead(), /\*LEAK/, 'still the leak view');
    s.answer('P', '');
    s.answer('I', '4680 1');
    assert.deepEqual(s.cmds(), ['firefox', 'systemd'], 'the suspect first, then the rest by TRATE');
    s.answer('I', '');
    s.answer('U', '^nobody$');
    assert.deepEqual(s.rows(), []);
    assert.match(s.status(), /no process matches the filters/, 'filtered to nothing: said, not "no history yet"');
  }));

test('an interpreter is named by its program: the leak view\'s PROGRAM, the status line, P matching it', () =>
  withLive({ view: VIEWS.memory, allProcs: true }, (s, write) => {
    // Two node services; billing leaks 150 MiB per 20 s.
    const nodes = (k: number): ScreenMoment => {
      const m = lekkerGrown(0, 20 * k);
      return {
        ...m,
        procs: [
          ...m.procs,
          { pid: 5001, comm: 'node', rss: (100 + 150 * k) * 256, vsize: (120 + 150 * k) * 256, cmdline: 'node --enable-source-maps /srv/billing/index.js' },
          { pid: 5002, comm: 'node', rss: 80 * 256, vsize: 90 * 256, cmdline: 'node /srv/search/index.js' },
        ],
      };
    };
    for (let k = 1; k <= 8; k++) {
      write(nodes(k));
      s.state.tick();
    }
    assert.match(s.status(), /^leak suspect: 5001 billing\/index\.js \+/);
    s.press('L');
    assert.match(s.procHead(), /PROGRAM/);
    const row = s.rows().find((r) => r.startsWith(' 5001') || r.startsWith('5001'))!;
    assert.match(row, /billing\/index\.js/, s.lines().join('\n'));
    assert.match(s.rows().find((r) => /5002/.test(r))!, /search\/index\.js/);
    s.answer('P', '^billing');
    assert.deepEqual(s.rows().map((r) => r.trim().split(/\s+/)[0]), [`5001${LEAK_MARK}`]);
  }));

test('in a replay the same rule: a process born in the recording ranks after what grew on RGROW, marked +', async () => {
  const { Sampler } = await import('../src/reader/sampler.js');
  const { makeTree, fakeProcFiles } = await import('./helpers/trees.js');
  const { rmSync } = await import('node:fs');
  const samples = [];
  const dir = makeTree({});
  try {
    let sampler: InstanceType<typeof Sampler> | undefined;
    for (let k = 0; k < 3; k++) {
      const m = lekkerGrown(150 * k, 20 * k);
      const procs = k < 2 ? m.procs : [...m.procs, { pid: 31999, comm: 'bigpy', rss: 300 * 256, vsize: 310 * 256, starttime: (m.uptime - 3) * 100 }];
      rmSync(dir, { recursive: true, force: true });
      makeTree(fakeProcFiles({ ...m, procs }), dir);
      sampler ??= new Sampler({ proc: dir, sys: '/nonexistent', now: () => Date.UTC(2024, 2, 5, 10, 0, samples.length * 20) });
      samples.push(sampler.sample());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = new FakeScreen(fakeReplay(samples), { view: VIEWS.memory, sort: 'RGROW' });
  s.state.tick();
  s.press('t', 't');
  assert.equal(s.cmds()[0], 'lekker', s.lines().join('\n'));
  assert.equal(s.cmds()[1], 'bigpy');
  assert.match(s.rows()[1]!, /^\s*31999\+ .*300\.0M/);
});
