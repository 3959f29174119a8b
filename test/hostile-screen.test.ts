/**
 * The live screen under hostile input (issue 11), in a pty: a catastrophic
 * filter regex against a command line a user crafted leaves q answered
 * within a second or two (RE2JS: linear time); TERM=dumb falls back to text
 * with one line saying why; with stdin from /dev/null the keys come from
 * the controlling terminal.
 * Every memtop is killed in `finally`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI } from './helpers/cli.js';
import { makeFakeProc } from './tui-fakeproc.js';
import { PtyScreen } from './tui-harness.js';

const CRAFTED = 'a'.repeat(30_000) + '!';

function fakeRoot() {
  return makeFakeProc({
    uptime: 100,
    procs: [
      { pid: 40, comm: 'crafted', cmdline: CRAFTED, utime: 5 },
      { pid: 41, comm: 'bash', cmdline: 'bash -l', utime: 5 },
    ],
  });
}

async function ends(s: PtyScreen, ms: number): Promise<number | undefined> {
  const started = Date.now();
  const code = await Promise.race([s.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
  return code === undefined ? undefined : Date.now() - started;
}

test('a filter (a+)+$ against a crafted command line: the screen still answers q within two seconds', { timeout: 60_000 }, async () => {
  const root = fakeRoot();
  const s = new PtyScreen(['--proc', root.dir, '--sys', root.dir, '-a', '0.5'], 120, 30);
  try {
    await s.waitText(/crafted/, 15_000);
    await s.answer('/', '(a+)+$');
    await new Promise((r) => setTimeout(r, 1200)); // a sample or two filtered
    s.send('q');
    const ms = await ends(s, 5000);
    assert.ok(ms !== undefined && ms < 2000, `q answered after ${ms ?? 'more than 5000'} ms`);
  } finally {
    await s.close();
    root.remove();
  }
});

test('TERM=dumb: text instead of the screen, with one line saying why', { timeout: 60_000 }, async () => {
  const root = fakeRoot();
  // node-pty sets TERM from the terminal's name: the shell sets it after.
  const s = new PtyScreen(['-c', `TERM=dumb exec "${process.execPath}" "${CLI}" --proc "${root.dir}" --sys "${root.dir}" 0.2 2`], 120, 40, { cmd: '/bin/sh' });
  try {
    const ms = await ends(s, 15_000);
    assert.ok(ms !== undefined, 'memtop ended after its two samples');
    assert.equal(s.exitCode, 0);
    assert.match(s.raw, /memtop: the terminal 'dumb' has no cursor addressing \(TERM=dumb\): printing text instead of the screen/);
    assert.match(s.raw, /MEMTOP - /, 'the text output');
    assert.doesNotMatch(s.raw, /\x1b\[\?1049h/, 'no alternate screen');
  } finally {
    await s.close();
    root.remove();
  }
});

test('stdin from /dev/null: keys come from the controlling terminal, q quits', { timeout: 60_000 }, async () => {
  const root = fakeRoot();
  const s = new PtyScreen(['-c', `exec "${process.execPath}" "${CLI}" --proc "${root.dir}" --sys "${root.dir}" 1 < /dev/null`], 120, 30, { cmd: '/bin/sh' });
  try {
    await s.waitText(/MEMTOP/, 15_000);
    s.send('q');
    const ms = await ends(s, 5000);
    assert.ok(ms !== undefined, `q was not read:\n${s.dump()}`);
  } finally {
    await s.close();
    root.remove();
  }
});
