/**
 * The case study live: a real process that allocates and touches memory
 * steadily heads memtop's memory view sorted on RGROW within two intervals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PtyScreen } from './tui-harness.js';

// 16 MiB every 50 ms, each page written: ~320 MiB/s of resident growth, capped at 1.5 GiB.
const LEAKER = `
const keep = [];
const timer = setInterval(() => {
  if (keep.length >= 96) return;
  const b = Buffer.allocUnsafe(16 * 1024 * 1024);
  for (let i = 0; i < b.length; i += 4096) b[i] = 1;
  keep.push(b);
}, 50);
setTimeout(() => { clearInterval(timer); process.exit(0); }, 30000);
`;

test('a leaking process heads the RGROW-sorted memory view within two intervals', { timeout: 40000 }, async () => {
  const leaker = spawn(process.execPath, ['-e', LEAKER], { stdio: 'ignore' });
  const s = new PtyScreen(['-m', '--sort', 'rgrow', '1'], 120, 40);
  try {
    const pid = String(leaker.pid);
    await s.waitText(/since Boot/, 10000);
    const first = Date.now();
    const top = () => {
      const head = s.find(/^\s*PID /);
      return head ? s.lines()[head.y + 1]!.trim().split(/\s+/)[0] : undefined;
    };
    await s.waitFor(() => !s.find(/since Boot/) && top() === pid, `pid ${pid} on top of the RGROW sort`, 10000);
    const waited = Date.now() - first;
    assert.ok(waited <= 2 * 1000 + 800, `on top after ${waited} ms (two 1 s intervals)`);
    assert.match(s.find(/^\s*PID /)!.line, /\*RGROW/);
  } finally {
    leaker.kill('SIGKILL');
    await s.close();
  }
});
