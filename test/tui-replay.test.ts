/** The screen on a replayed recording: t, T, r and b step through the samples; no timer, no kill. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, PtyScreen, sleep } from './tui-harness.js';

test('replay: t T r b step through samples; live-only keys say so', { timeout: 30000 }, async () => {
  const s = new PtyScreen(['--import', 'tsx', 'test/tui-replay-main.ts'], 80, 24, { cmd: process.execPath });
  const header = () => s.lines()[0]!;
  const top = () => s.lines()[(s.find(/^\s*PID /)?.y ?? 0) + 1]!.trim().split(/\s+/).pop();
  try {
    await s.waitText(/since Boot/, 15000);
    assert.match(header(), /2010\/03\/02\s+15:12:12/);
    s.send('t');
    await s.waitFor(() => /15:12:32/.test(header()) && /20s elapsed/.test(header()), 'second sample');
    assert.equal(top(), 'lekker', 'lekker grew most');
    s.send('t');
    s.send('t');
    await s.waitFor(() => /15:13:12/.test(header()), 'last sample');
    s.send('t');
    await s.waitText(/end of the recording/);
    s.send('T');
    await s.waitFor(() => /15:12:52/.test(header()), 'previous sample');
    s.send('r');
    await s.waitFor(() => /15:12:12/.test(header()), 'rewound');
    s.send('b');
    await s.waitText(/Branch to time/);
    await s.type('15:12:40');
    s.send(KEY.enter);
    await s.waitFor(() => /15:12:52/.test(header()), 'branched to the first sample at or after 15:12:40');
    s.send('b');
    await s.type('25:99');
    s.send(KEY.enter);
    await s.waitText(/not a time: '25:99'/);
    s.send('k');
    await s.waitText(/live system only/);
    s.send('z');
    await s.waitText(/replaying: no timer/);
    // No timer: the screen stays on its sample.
    await sleep(1200);
    assert.match(header(), /15:12:52/);
    s.send('q');
    assert.equal(await Promise.race([s.exited, sleep(5000).then(() => 'still running')]), 0);
  } finally {
    await s.close();
  }
});
