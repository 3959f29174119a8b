/**
 * The screen's detail and containment keys end to end, in a pty on the real
 * /proc: Enter on a growing process opens its detail (its anonymous
 * mappings on top), K proposes a limit, shows what it means and the
 * commands, asks, contains it in a real v1 group below its own, marks it
 * [C] in the list; K again releases it. The help lists both keys.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLeaker, stop } from './helpers/leaker.js';
import { KEY, PtyScreen } from './tui-harness.js';

const memoryPath = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l))?.replace(/^[^:]*:[^:]*:/, '');

test('Enter opens the detail of the highlighted process; K contains it with the proposed limit after saying what it means; [C] in the list; K releases', { timeout: 120000 }, async (t) => {
  if (process.getuid?.() !== 0 || !existsSync('/sys/fs/cgroup/memory/cgroup.procs')) return t.skip('needs root and the v1 memory controller');
  // 256 KiB every 100 ms: 2.5 MiB a second in anonymous mappings.
  const leaker = await startLeaker(['large', '256', '100']);
  const pid = leaker.pid!;
  const own = memoryPath(pid)!;
  const v1 = `/sys/fs/cgroup/memory${own === '/' ? '' : own}`;
  const s = new PtyScreen(['-m', '1'], 140, 45, { env: { MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) } });
  try {
    await s.waitText(/MEMTOP|since Boot/, 15000);
    await s.answer('I', String(pid));
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^\\s*${pid}\\b.*leaker`).test(l)), 'the leaker listed alone');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`DETAIL of pid ${pid}: Esc or Enter back, K contain`));
    await s.waitText(/MAPPINGS, largest growers first/);
    await s.waitFor(() => {
      const i = s.lines().findIndex((l) => l.startsWith('MAPPINGS'));
      return i >= 0 && /^\s+\[anon\]\s+anon\s.*\+\d/.test(s.lines()[i + 1] ?? '');
    }, '[anon] on top, growing', 15000);
    assert.ok(s.find(/resident anon/), 'memory by kind');
    assert.ok(s.find(new RegExp(`CGROUP {4}v1: .*${own.slice(-12)}`)), 'its cgroup');
    // K: the proposal, then what it means and the commands, then the question.
    s.send('K');
    await s.waitText(new RegExp(`Limit ${pid} \\(leaker\\): its [\\d.]+M now \\+ at most \\[[\\d.]+[MG]\\] more: `));
    s.send(KEY.enter);
    await s.waitText(/stays charged to/);
    assert.ok(s.find(/memtop will run:/));
    assert.ok(s.find(new RegExp(`mkdir ${v1}/memtop-${pid}`)));
    await s.waitText(new RegExp(`Contain ${pid} \\(leaker\\) with a limit of [\\d.]+[MG]\\? \\(y/n\\)`));
    assert.equal(memoryPath(pid), own, 'nothing done before the answer');
    s.send('y');
    await s.waitText(new RegExp(`contained pid ${pid} \\(leaker\\) in ${v1}/memtop-${pid}`));
    assert.ok(memoryPath(pid)!.endsWith(`/memtop-${pid}`), 'the leaker is in its group below its own');
    s.send(KEY.escape); // closes the notice
    await s.waitText(/v1, contained by memtop/, 10000);
    s.send(KEY.escape); // back to the list
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^\\s*${pid}\\b.*leaker \\[C\\]`).test(l)), 'the list marks it [C]', 10000);
    s.send('K');
    await s.waitText(new RegExp(`Release ${pid} \\(leaker\\) from .*memtop-${pid}`));
    s.send('y');
    await s.waitText(new RegExp(`released pid ${pid}: back to`));
    assert.equal(memoryPath(pid), own, 'back in the group it was in');
    assert.equal(existsSync(`${v1}/memtop-${pid}`), false, 'the group is removed');
    s.send(KEY.escape);
    // An Escape right before a key reads as Alt+key: h waits for the notice to close.
    await s.waitFor(() => !s.find(/released pid/), 'the notice closed');
    s.send('h');
    await s.waitText(/K\s+contain \/ release \(limit\)/);
    assert.ok(s.find(/Enter\s+process detail \(Esc back\)/));
  } finally {
    await s.close();
    await stop(leaker);
    const group = `${v1}/memtop-${pid}`;
    if (existsSync(group)) {
      for (const p of readFileSync(`${group}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
        try {
          writeFileSync(`${v1}/cgroup.procs`, p);
        } catch {
          // gone
        }
      }
      rmdirSync(group);
    }
  }
});
