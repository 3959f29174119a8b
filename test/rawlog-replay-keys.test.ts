/** memtop -r FILE on the screen, end to end in a pty: the recorded host and time, t T b r within -b/-e, b beyond them, q. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';
import { CLI } from './helpers/cli.js';
import { KEY, PtyScreen, sleep } from './tui-harness.js';

test('replay keys on a recording limited by -b and -e', { timeout: 40000 }, async () => {
  const file = join(tempDir(), 'rec');
  record(file, sampleMoments(6), { keyframeEvery: 2 }); // 10:00:00 ... 10:00:50 on 2024/03/05
  const s = new PtyScreen(['-r', file, '-b', '10:00:10', '-e', '10:00:40'], 80, 24);
  const header = () => s.lines()[0]!;
  try {
    await s.waitFor(() => /fakehost/.test(header()) && /2024\/03\/05\s+10:00:10/.test(header()), 'first sample of the window');
    assert.doesNotMatch(header(), /since Boot/, 'the window starts at the sample before it');
    s.send('t');
    await s.waitFor(() => /10:00:20/.test(header()), 'next sample');
    s.send('T');
    await s.waitFor(() => /10:00:10/.test(header()), 'previous sample');
    s.send('b');
    await s.waitText(/Branch to time/);
    await s.type('10:00:35');
    s.send(KEY.enter);
    await s.waitFor(() => /10:00:40/.test(header()), 'branched');
    s.send('t');
    await s.waitText(/end of the recording/);
    assert.match(header(), /10:00:40/, '-e ends the replay');
    s.send('r');
    await s.waitFor(() => /10:00:10/.test(header()), 'rewound to -b');
    // b to a time before -b reads back there and says so; after -e, reads on.
    s.send('b');
    await s.waitText(/Branch to time/);
    await s.type('10:00:00');
    s.send(KEY.enter);
    await s.waitFor(() => /10:00:00/.test(header()), 'branched before -b');
    await s.waitText(/before -b: read back/);
    s.send('b');
    await s.waitText(/Branch to time/);
    await s.type('10:00:50');
    s.send(KEY.enter);
    await s.waitFor(() => /10:00:50/.test(header()), 'branched after -e');
    await s.waitText(/after -e: read on/);
    s.send('b');
    await s.waitText(/Branch to time/);
    await s.type('10:01:30');
    s.send(KEY.enter);
    await s.waitText(/no sample at or after 10:01:30: the recording ends before it/);
    s.send('q');
    assert.equal(await Promise.race([s.exited, sleep(5000).then(() => 'still running')]), 0);
  } finally {
    await s.close();
  }
});

test('-r - with the recording on stdin: the screen, with keys from the terminal', { timeout: 40000 }, async () => {
  const file = join(tempDir(), 'rec');
  record(file, sampleMoments(4), { keyframeEvery: 2 });
  // stdin is the file; the pty is the controlling terminal, as with `memtop -r - < FILE` in a shell.
  const quoted = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;
  const s = new PtyScreen(['-c', `exec ${quoted(process.execPath)} ${quoted(CLI)} -r - < ${quoted(file)}`], 80, 24, { cmd: 'sh' });
  const header = () => s.lines()[0]!;
  try {
    await s.waitFor(() => /fakehost/.test(header()) && /10:00:00/.test(header()), 'the first sample, on the screen');
    s.send('t');
    await s.waitFor(() => /10:00:10/.test(header()), 't steps: keys are read from the terminal');
    s.send('q');
    assert.equal(await Promise.race([s.exited, sleep(5000).then(() => 'still running')]), 0);
    assert.match(s.raw, /\x1b\[\?1049l/, 'the terminal is given back (alternate screen left)');
  } finally {
    await s.close();
  }
});
