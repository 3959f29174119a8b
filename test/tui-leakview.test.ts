/**
 * The leak hunt on the screen, in a pty: a real leaker is named on the
 * status line, marked in the list, in the leak view (L) with its TRATE, and
 * the trend panel (B) plots it without being told which process. Other
 * processes on the machine may leak too (other tests run beside this one):
 * the list is filtered to this test's children (I), and the status line
 * names the top suspect among the processes listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startLeaker, stop } from './helpers/leaker.js';
import { LEAK_MARK } from '../src/view/procview.js';
import { PtyScreen, RED } from './tui-harness.js';

test('a leaker is named on the status line, marked, first in the L view, and plotted by B', { timeout: 90_000 }, async () => {
  let leaker: ChildProcess | undefined;
  let bystander: ChildProcess | undefined;
  const s = new PtyScreen(['-m', '--window', '30', '1'], 140, 50);
  try {
    // ~5 MiB/s, and a big process that holds its memory without growing.
    leaker = await startLeaker(['large', '512', '100']);
    bystander = await startLeaker(['hold', String(300 * 1024)]);
    const pid = String(leaker.pid);
    await s.waitText(/since Boot/, 15_000);
    await s.answer('I', `${pid},${bystander.pid}`);
    await s.waitText(new RegExp(`leak suspect: ${pid} leaker \\+[\\d.]+M/s`), 45_000);
    // Marked in the memory view: red, and '!' in the blank right after the PID, whatever its width.
    const row = s.find(new RegExp(`^\\s*${pid}${LEAK_MARK} `));
    assert.ok(row, `the suspect's row is marked:\n${s.dump()}`);
    assert.match(row.line, /LEAK/);
    assert.equal(s.cell(row.line.indexOf(pid), row.y).fg, RED, 'in red');

    s.send('L');
    await s.waitText(/\*LEAK/);
    const head = s.find(/^\s*PID /)!;
    assert.match(head.line, /PID\s+TRATE\s+TGROW\s+RSIZE\s+SWAPSZ\s+GROWN\s+FILLIN/);
    await s.waitFor(() => s.lines()[head.y + 1]!.includes(pid), 'the leaker first in the leak view (of the two listed)');
    const first = s.lines()[head.y + 1]!;
    assert.match(first, /M\/s/);
    assert.doesNotMatch(s.find(new RegExp(`^\\s*${bystander.pid} `))?.line ?? '', /LEAK/, 'the flat big process is no suspect');

    s.send('B');
    await s.waitText(new RegExp(`RSIZE ${pid} leaker .*\\(leak suspect\\)`), 10_000);
  } finally {
    await s.close();
    await stop(leaker);
    await stop(bystander);
  }
});

test('the leak view without a suspect says what it watches', { timeout: 30_000 }, async () => {
  const s = new PtyScreen(['-V', 'leak', '--window', '30', '1', '--proc', 'fixtures/case-study/t151232'], 120, 30);
  try {
    await s.waitText(/no leak suspect: resident anonymous \+ swapped memory of every process is watched/, 10_000);
  } finally {
    await s.close();
  }
});
