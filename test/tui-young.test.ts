/**
 * A fresh memtop with no daily log to start from says on its status line how
 * long until a leak verdict is possible, counting down, in a pty on the real
 * machine (a window of 60 s: fast growth judged from ~52 s, steady growth
 * from ~22 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dailyName, DEFAULT_LOG_DIR } from '../src/rawlog/daily.js';
import { PtyScreen } from './tui-harness.js';

test('a fresh memtop says how long until a leak verdict is possible', { timeout: 60_000 }, async (t) => {
  if (existsSync(join(DEFAULT_LOG_DIR, dailyName(Date.now())))) {
    t.skip(`a daily log is being written in ${DEFAULT_LOG_DIR}: the screen starts from its history instead`);
    return;
  }
  const s = new PtyScreen(['-m', '--window', '60', '1'], 160, 30);
  try {
    await s.waitText(/since Boot/, 15_000);
    await s.waitFor(() => /history \d+s: leak verdicts possible in \d+s for fast growth/.test(s.dump()), 'the countdown', 15_000);
    const first = /in (\d+)s for steady growth/.exec(s.dump());
    assert.ok(first, s.dump());
    await s.waitFor(() => {
      const m = /in (\d+)s for steady growth/.exec(s.dump());
      return m !== null && Number(m[1]) < Number(first[1]);
    }, 'it counts down', 15_000);
  } finally {
    await s.close();
  }
});
