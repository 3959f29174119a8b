/**
 * The screen's trace key end to end, in a pty on the real /proc: Enter on a
 * leaking C process opens its detail, S traces its allocations with
 * progress, S again stops early and the pane shows the stacks with the
 * leaking function first; Esc goes back; bpftrace is gone afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allocsBinary } from './helpers/allocs.js';
import { stop } from './helpers/leaker.js';
import { KEY, PtyScreen } from './tui-harness.js';

const tracers = (pid: number) => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try {
    const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    return argv[0]?.endsWith('bpftrace') && argv[2] === String(pid);
  } catch {
    return false;
  }
});

test('detail, S: progress, S stops early, the stacks in the pane (leak_here first), Esc back; no bpftrace left', { timeout: 120000 }, async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root (uprobes)');
  const child = spawn(allocsBinary(['-g', '-fno-omit-frame-pointer'], 'allocs-tui'), ['malloc'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const pid = child.pid!;
  const s = new PtyScreen(['-m', '1'], 140, 45);
  try {
    await s.waitText(/MEMTOP|since Boot/, 15000);
    await s.answer('I', String(pid));
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^\\s*${pid}\\b.*allocs-tui`).test(l)), 'the process listed alone');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`DETAIL of pid ${pid}: .*S stacks`));
    // S asks first (the probes slow every process on the same libc); n starts nothing.
    s.send('S');
    await s.waitText(new RegExp(`Trace ${pid} \\(allocs-tui\\) for 20 s\\? Every process on its libc slows on malloc/free meanwhile \\[y/N\\]`), 10000);
    s.send('n');
    await s.waitText(/no trace started/, 10000);
    assert.ok(!s.find(/ALLOCATION STACKS/), 'no trace after n');
    s.send('S');
    await s.waitText(/meanwhile \[y\/N\]/, 10000);
    s.send('y');
    await s.waitText(new RegExp(`ALLOCATION STACKS of ${pid}: (attaching|tracing)`), 10000);
    await s.waitText(new RegExp(`ALLOCATION STACKS of ${pid}: tracing: [1-9]\\d*/20 s`), 40000);
    s.send('S');
    await s.waitText(/ALLOCATION STACKS \(S traces again, Esc back\)/, 30000);
    await s.waitText(/stopped early/);
    await s.waitText(/^\s+leak_here \(allocs\.c:\d+\)/m);
    const first = s.lines().findIndex((l) => /^\S+ in \d+ allocations?, /.test(l));
    assert.ok(first > 0, s.lines().join('\n'));
    assert.match(s.lines()[first + 1]!, /^\s+leak_here \(allocs\.c:\d+\)/);
    assert.deepEqual(tracers(pid), [], 'bpftrace ended with the trace');
    s.send(KEY.escape);
    await s.waitText(/MAPPINGS, largest growers first/, 10000);
    s.send(KEY.escape);
    await s.waitFor(() => !s.find(/DETAIL of pid/), 'back to the list');
  } finally {
    await s.close();
    await stop(child);
  }
});
