/**
 * SIGTERM, SIGINT and SIGHUP end memtop promptly in every mode (issue 11), also
 * on a tree whose files would block a read (a FIFO: before the fix memtop
 * hung in open and ignored both) and during a long replay into a reader
 * that stopped reading; memtop then ends by that same signal, so a shell sees
 * 128 + its number (issue 21). Every child has a SIGKILL deadline: a test
 * fails rather than hangs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnMemtop } from './helpers/cli.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';


function hostileTree(): string[] {
  const proc = makeTree(fakeProcFiles({ uptime: 50, procs: [{ pid: 40 }] }));
  for (const name of ['loadavg', 'meminfo']) {
    spawnSync('rm', [join(proc, name)]);
    assert.equal(spawnSync('mkfifo', [join(proc, name)]).status, 0);
  }
  return ['--proc', proc, '--sys', join(proc, 'nosys')];
}

/** What shows that memtop is past its start-up and running its mode (its signal handlers are in place). */
type Ready = (out: { stdout: number; stderr: number }) => boolean;
const wroteOutput: Ready = (o) => o.stdout > 0;
const saidSomething: Ready = (o) => o.stderr > 0;
const fileGrew = (file: string): Ready => () => existsSync(file) && statSync(file).size > 0;

/**
 * Starts memtop, waits until it is running (`ready`: on a loaded machine a
 * start-up can outlast any fixed delay, and a signal before the handlers
 * are set ends Node by the default action), sends `signal` `after` ms
 * later, and resolves with how long it took to end, and how.
 */
async function endsOn(
  args: string[], signal: NodeJS.Signals, ready: Ready, after = 300, stalled = false,
): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null; err: string }> {
  const child = spawnMemtop(args);
  let err = '';
  const seen = { stdout: 0, stderr: 0 };
  child.stderr.on('data', (d: Buffer) => {
    err += d;
    seen.stderr += d.length;
  });
  // stdout is read, except where the test wants a reader that stopped reading.
  if (!stalled) child.stdout.on('data', (d: Buffer) => (seen.stdout += d.length));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 40000);
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, sig) => {
      ended = true;
      resolve({ code, signal: sig });
    }),
  );
  try {
    for (let waited = 0; !ready(seen) && !ended && waited < 30000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ready(seen), `memtop ${args.join(' ')} never got going: ${err}`);
    await new Promise((r) => setTimeout(r, after));
    const sent = Date.now();
    child.kill(signal);
    const { code, signal: sig } = await exited;
    assert.notEqual(sig, 'SIGKILL', `memtop ${args.join(' ')} ignored ${signal}: ${err}`);
    return { ms: Date.now() - sent, code, signal: sig, err };
  } finally {
    clearTimeout(deadline);
    child.kill('SIGKILL');
  }
}

test('SIGTERM, SIGINT and SIGHUP end every live mode within a second or two, by that signal, on a tree with FIFOs', async () => {
  const root = hostileTree();
  const dir = tempDir();
  const modes: [string, string[], Ready][] = [
    ['--json', ['--json', '0.2'], wroteOutput],
    ['--text', ['--text', '0.2'], wroteOutput],
    ['-w', ['-w', join(dir, 'rec'), '0.2'], fileGrew(join(dir, 'rec'))],
    ['--prometheus', ['--prometheus', '127.0.0.1:0', '0.2'], saidSomething],
  ];
  for (const [what, args, ready] of modes) {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const r = await endsOn([...root, ...args], signal, ready);
      // Ended by the signal itself (a shell's $? is 128 + its number), after one line at most from the mode.
      assert.equal(r.signal, signal, `${what} ${signal}: exit ${r.code}: ${r.err}`);
      assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/, `${what} ${signal}`);
      assert.ok(r.ms < 3000, `${what} ended ${r.ms} ms after ${signal}`);
    }
  }
});

test('SIGTERM during a replay into a reader that stopped reading ends memtop at once', async () => {
  const log = join(tempDir(), 'big');
  record(log, sampleMoments(400, { nprocs: 40 }));
  // stdout is a pipe nobody reads: the replay waits for it to drain.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // The reader never reads, so readiness is the replay's first note or 1.5 s, whichever comes first.
    const started = Date.now();
    const r = await endsOn(['-r', log, '--text', '--width', '200'], signal, (o) => o.stderr > 0 || Date.now() - started > 1500, 0, true);
    assert.equal(r.signal, signal, `exit ${r.code}: ${r.err}`);
    assert.ok(r.ms < 3000, `replay ended ${r.ms} ms after ${signal}`);
  }
});
