/**
 * Notes about damaged input files on the live screen (issue 11's gap): the
 * screen covers stderr, so a note shows in the status line while memtop
 * runs (for NOTE_MS, or until a key), with how many there were; stderr still
 * gets them all when the screen closes. The state without a terminal, then
 * memtop in a pty with a FIFO and an oversized file planted in a fake /proc.
 * Every memtop is killed in `finally`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeLive, FakeScreen } from './helpers/screen.js';
import { CASE_STUDY, makeFakeProc } from './tui-fakeproc.js';
import { PtyScreen } from './tui-harness.js';

function fifo(path: string): void {
  rmSync(path, { force: true });
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** A vmstat past its 64 KiB cap: damaged, read no further. */
function oversized(path: string): void {
  writeFileSync(path, 'pgpgin 0\n'.repeat(10_000));
}

test('state: a note shows in the status line at the sample that met it, with the count; it ages out, a key clears it', () => {
  const live = fakeLive(CASE_STUDY);
  try {
    fifo(join(live.dir, 'loadavg'));
    const s = new FakeScreen(live.feed, {}, [160, 30]);
    s.state.tick();
    assert.match(s.status(), /^note: .*\/loadavg is a FIFO, not a regular file: its figures are unknown/);
    assert.ok(s.rows().length > 0, 'the sample still came');
    s.now += 5000;
    s.state.tick();
    assert.match(s.status(), /loadavg is a FIFO/, 'still shown 5 s later: a note stays longer than a message');
    oversized(join(live.dir, 'vmstat'));
    s.now += 1000;
    s.state.tick();
    assert.match(s.status(), /^2 notes \(all on stderr at exit\), the last: .*\/vmstat /);
    s.now += 16_000;
    s.state.tick();
    assert.doesNotMatch(s.status(), /note/, 'gone after its time, and each file is told once');
    oversized(join(live.dir, 'meminfo'));
    s.state.tick();
    assert.match(s.status(), /^3 notes .*meminfo/);
    s.press('m');
    assert.doesNotMatch(s.status(), /note/, 'a key clears it');
  } finally {
    live.remove();
  }
});

test('pty: a FIFO under --proc shows in the status line while memtop runs, a file damaged later too; stderr has both at exit', { timeout: 90_000 }, async () => {
  const root = makeFakeProc(CASE_STUDY);
  fifo(join(root.dir, 'loadavg'));
  const s = new PtyScreen(['--proc', root.dir, '--sys', join(root.dir, 'nosys'), '0.5'], 160, 30);
  try {
    await s.waitText(/note: .*loadavg is a FIFO, not a regular file/, 20_000);
    assert.ok(s.find(/lekker/), `the process list is shown:\n${s.dump()}`);
    assert.ok(s.raw.indexOf('loadavg is a FIFO') > s.raw.indexOf('\x1b[?1049h'), 'shown on the screen, not printed before it');
    oversized(join(root.dir, 'vmstat'));
    await s.waitText(/2 notes \(all on stderr at exit\), the last: .*vmstat is/, 20_000);
    s.send('q');
    const code = await Promise.race([s.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    assert.equal(code, 0, `memtop ended with q:\n${s.dump()}`);
    // After the screen closes (the alternate screen left), stderr has each note once.
    const after = s.raw.slice(s.raw.lastIndexOf('\x1b[?1049l'));
    assert.equal(after.match(/loadavg is a FIFO/g)?.length, 1, after);
    assert.equal(after.match(/vmstat is /g)?.length, 1, after);
  } finally {
    await s.close();
    root.remove();
  }
});
