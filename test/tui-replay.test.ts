/**
 * The screen on a recording of the case study (memtop -r): the since-boot
 * screen first, lekker on top of RGROW once it grows, no timer, and the
 * live-only keys saying so. (t T b r within -b/-e: rawlog-replay-keys.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Sampler } from '../src/reader/sampler.js';
import { record, tempDir } from './helpers/rawlog.js';
import { lekkerGrown, makeFakeProc, writeFakeProc } from './tui-fakeproc.js';
import { PtyScreen, sleep } from './tui-harness.js';

const START = new Date(2010, 2, 2, 15, 12, 12).getTime();

/** Four samples 20 s apart, lekker growing 150 MiB each time. */
function recordCaseStudy(file: string): void {
  const fake = makeFakeProc();
  let now = START;
  const sampler = new Sampler({ proc: fake.dir, sys: join(fake.dir, 'nosys'), now: () => now });
  try {
    const samples = [0, 1, 2, 3].map((k) => {
      writeFakeProc(fake.dir, lekkerGrown(150 * k, 20 * k));
      now = START + 20_000 * k;
      return sampler.sample();
    });
    record(file, samples);
  } finally {
    fake.remove();
  }
}

test('replay: since boot first, the leaker on top of RGROW, no timer, live-only keys say so', { timeout: 30000 }, async () => {
  const file = join(tempDir(), 'case-study');
  recordCaseStudy(file);
  const s = new PtyScreen(['-r', file, '-m', '--sort', 'rgrow'], 80, 24);
  const header = () => s.lines()[0]!;
  const top = () => s.lines()[(s.find(/^\s*PID /)?.y ?? 0) + 1]!.trim().split(/\s+/).pop();
  try {
    await s.waitText(/since Boot/, 15000);
    assert.match(header(), /2010\/03\/02\s+15:12:12/);
    assert.equal(top(), 'upload', 'since boot every process is new: RGROW is its whole size');
    s.send('t');
    await s.waitFor(() => /15:12:32/.test(header()) && /20s elapsed/.test(header()), 'second sample');
    assert.equal(top(), 'lekker');
    s.send('t');
    s.send('t');
    await s.waitFor(() => /15:13:12/.test(header()), 'last sample');
    s.send('t');
    await s.waitText(/end of the recording/);
    await s.answer('b', '25:99');
    await s.waitText(/not a time: '25:99'/);
    s.send('k');
    await s.waitText(/live system only/);
    s.send('z');
    await s.waitText(/replaying: no timer/);
    s.send('i');
    await s.waitText(/replaying: no interval/);
    await sleep(1200);
    assert.match(header(), /15:13:12/, 'no timer moves a replay on');
    s.send('q');
    assert.equal(await Promise.race([s.exited, sleep(5000).then(() => 'still running')]), 0);
  } finally {
    await s.close();
  }
});
