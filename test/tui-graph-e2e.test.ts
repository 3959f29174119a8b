/**
 * The trend panel (B) end to end, in a real pty read through a headless
 * xterm: on a fake /proc of the case study's machine (live), and on a
 * recording of the case study's six moments (replay, where T rebuilds the
 * history from the recording).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Sampler } from '../src/reader/sampler.js';
import { record, tempDir } from './helpers/rawlog.js';
import { CASE_STUDY as CASE_STUDY_DIR } from './helpers/trees.js';
import { lekkerGrown, makeFakeProc, writeFakeProc } from './tui-fakeproc.js';
import { KEY, PtyScreen, sleep } from './tui-harness.js';

const header = (s: PtyScreen) => s.lines()[0]!;
const shows = (s: PtyScreen, re: RegExp) => s.find(re) !== undefined;
const panelShown = (s: PtyScreen) => ['memory over', 'used ', 'cache ', 'free ', 'swap '].every((l) => s.lines().some((x) => x.includes(l)));

test('B shows the trend panel with its labels and B again gives the list its room back; x, resize, help, an exiting process', { timeout: 40000 }, async () => {
  const fake = makeFakeProc();
  const s = new PtyScreen(['--proc', fake.dir, '-m', '600'], 80, 24);
  try {
    await s.waitText(/since Boot/);
    writeFakeProc(fake.dir, lekkerGrown(150, 20));
    s.send('t');
    await s.waitFor(() => /20s elapsed/.test(header(s)), 'second sample');

    s.send('B');
    await s.waitFor(() => panelShown(s) && shows(s, /RSIZE 31048 lekker/), 'the panel, lekker plotted');
    assert.match(header(s), /-------B/, 'B flag in the header');
    assert.ok(!shows(s, /^MEM /), 'at 80x24 the panel takes the system lines place');
    assert.ok(shows(s, /^\s*PID .*RSIZE/) && shows(s, /^31048 .*lekker/), 'the process list stays, lekker in it');

    s.send('x');
    await s.waitFor(() => /-x-----B/.test(header(s)) && panelShown(s), 'no colours, panel still there');
    s.send('h');
    await s.waitText(/B\s+trend panel/);
    s.send(' ');
    await s.waitFor(() => !shows(s, /memtop keys/) && panelShown(s), 'help closed');

    s.resize(200, 50);
    await s.waitFor(() => shows(s, /^MEM /) && panelShown(s) && shows(s, /RSIZE 31048 lekker \S+ \+\S+ \(grows fastest\)/), '200x50: system lines and panel');
    s.resize(30, 6);
    await s.waitText(/memtop needs a terminal/);
    s.resize(100, 13);
    await s.waitText(/trend panel \(B\) needs a terminal of 14 rows/);
    s.resize(80, 24);
    await s.waitFor(() => panelShown(s), 'panel back at 80x24');

    // The user highlights an upload process; it exits; the panel says so instead of failing.
    s.send(KEY.down);
    await s.waitText(/RSIZE 30926 upload/);
    rmSync(join(fake.dir, '30926'), { recursive: true, force: true });
    s.send('t');
    await s.waitText(/RSIZE 30926 upload \(exited\)/);

    s.send('B');
    await s.waitFor(() => !shows(s, /memory over/) && shows(s, /^MEM /) && /-x------/.test(header(s)), 'panel gone, system lines back');
    assert.ok(shows(s, /^\s*PID .*RSIZE/));
    s.send('q');
    assert.equal(await Promise.race([s.exited, sleep(5000).then(() => 'still running')]), 0);
    assert.ok(!/Error|at .*\.js:\d+/.test(s.lines().join('\n')), 'no stack trace');
  } finally {
    await s.close();
    fake.remove();
  }
});

/** The case study's six moments, recorded. */
function recordCaseStudy(file: string): void {
  const moments = readdirSync(CASE_STUDY_DIR).filter((d) => /^t\d{6}$/.test(d)).sort();
  const samples = moments.map((m) => {
    const [h, mi, sec] = [1, 3, 5].map((i) => Number(m.slice(i, i + 2)));
    const time = new Date(2010, 2, 2, h, mi, sec).getTime();
    return new Sampler({ proc: join(CASE_STUDY_DIR, m), sys: join(CASE_STUDY_DIR, 'sys'), now: () => time }).sample();
  });
  record(file, samples);
}

test('replay: the panel follows the samples; T rebuilds the history from the recording', { timeout: 30000 }, async () => {
  const file = join(tempDir(), 'case-study');
  recordCaseStudy(file);
  const s = new PtyScreen(['-r', file, '-m'], 80, 24);
  try {
    await s.waitText(/since Boot/, 15000);
    s.send('B');
    await s.waitFor(() => shows(s, /memory, 1 sample/), 'one sample kept');
    for (let i = 0; i < 5; i++) s.send('t');
    await s.waitFor(() => /15:18:52/.test(header(s)) && shows(s, /memory over 6m40s/), 'six samples, 15:12:12 to 15:18:52');
    assert.ok(shows(s, /RSIZE 31048 lekker 2\.0G/), 'lekker has grown to 2.0G');
    assert.ok(shows(s, /cache\s+42\.6M\s+-988\.4M/), 'the page cache shrank by almost 1G');
    s.send('T');
    await s.waitFor(() => /15:18:32/.test(header(s)) && shows(s, /memory over 6m20s/), 'one sample back, history rebuilt');
    s.send('r');
    await s.waitFor(() => /15:12:12/.test(header(s)) && shows(s, /memory, 1 sample/), 'rewound');
    s.send('t');
    await s.waitText(/memory over 20s/);
  } finally {
    await s.close();
  }
});
