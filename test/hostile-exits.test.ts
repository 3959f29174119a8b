/**
 * Issue 21, the smaller ones: a closed stdout is said and fails, a symlink
 * loop is one line in memtop's words, and a signal ends memtop by that same
 * signal (a shell's $? is 128 + its number), the live screen and the recorder
 * included, the recording left whole.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, memtop, requireBuild } from './helpers/cli.js';
import { readLog, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { PtyScreen } from './tui-harness.js';

requireBuild();

const fake = () => {
  const proc = makeTree(fakeProcFiles({ uptime: 50, procs: [{ pid: 40 }, { pid: 41 }] }));
  return ['--proc', proc, '--sys', join(proc, 'nosys')];
};

/** A shell line run with memtop as "$@"; its stdout and stderr, and bash's own exit code. */
function sh(line: string, args: string[], timeout = 30000): { code: number | null; out: string; err: string } {
  const r = spawnSync('bash', ['-c', line, 'sh', process.execPath, CLI, ...args], { timeout, killSignal: 'SIGKILL' });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

test('--json, --text, --detail, --info and -w - with stdout closed say so in one line and exit 1; >/dev/null still works', () => {
  const root = fake();
  for (const args of [['--json', '0.1', '2'], ['--text', '0.1', '2'], ['--detail', '40', '0.1', '1'], ['--info'], ['-w', '-', '0.1', '2']]) {
    const r = sh('"$@" >&-', [...root, ...args]);
    assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
    assert.equal(r.err, 'memtop: stdout is closed: nothing to write the output to (give it a file, a pipe or /dev/null)\n', args[0]);
  }
  const ok = sh('"$@" >/dev/null', [...root, '--json', '0.1', '2']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.err, '');
  // A launcher that discards everything opens /dev/null read-write, as node does for a closed stdout
  // (node's 'ignore', Python's DEVNULL, hyperfine): with stdin on /dev/null too, that is not taken as closed.
  const ignored = spawnSync(process.execPath, [CLI, ...root, '--json', '0.1', '2'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  assert.equal(ignored.status, 0, ignored.stderr.toString());
  assert.equal(ignored.stderr.toString(), '');
});

test('-w, --log-dir and -r onto a symlink loop: one line in memtop\'s words, exit 1', () => {
  const dir = tempDir();
  symlinkSync(join(dir, 'a'), join(dir, 'b'));
  symlinkSync(join(dir, 'b'), join(dir, 'a'));
  const root = fake();
  const cases: [string[], string][] = [
    [['-w', join(dir, 'a'), '1', '1'], `cannot write ${join(dir, 'a')}: a loop of symbolic links`],
    [['-w', join(dir, 'b', 'x'), '1', '1'], `cannot write ${join(dir, 'b', 'x')}: a loop of symbolic links`],
    [['--log-dir', join(dir, 'a'), '1', '1'], `cannot create the log directory ${join(dir, 'a')}: a loop of symbolic links`],
    [['-r', join(dir, 'a')], `cannot open ${join(dir, 'a')}: a loop of symbolic links`],
  ];
  for (const [args, line] of cases) {
    const r = memtop([...root, ...args]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, `memtop: ${line}\n`);
  }
});

/** Starts memtop in the background under bash, waits for `ready` (a file that is not empty), signals it, prints $?. */
const SIGNAL_LINE = `"$@" & p=$!
for i in $(seq 300); do [ -s "$READY" ] && break; sleep 0.1; done
sleep 0.3; kill -$SIG $p; wait $p; echo "status $?"`;

test('ended by SIGTERM, SIGINT or SIGHUP, a shell sees 128 + the signal, and a recording stays whole', () => {
  const dir = tempDir();
  const root = fake();
  const numbers = { TERM: 15, INT: 2, HUP: 1 } as const;
  for (const [sig, n] of Object.entries(numbers)) {
    const out = join(dir, `out-${sig}`);
    const json = sh(`READY=${out} SIG=${sig}; ${SIGNAL_LINE.replace('"$@" &', `"$@" > ${out} &`)}`, [...root, '--json', '0.2']);
    assert.equal(json.out, `status ${128 + n}\n`, `--json ${sig}: ${json.err}`);
    assert.doesNotMatch(json.err, /memtop:|internal error|\n\s+at /, `--json ${sig}`); // bash itself may say "Hangup"
    // What was written before the signal is there, whole lines of JSON.
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length >= 1);
    for (const l of lines) JSON.parse(l);

    const rec = join(dir, `rec-${sig}`);
    const w = sh(`READY=${rec} SIG=${sig}; ${SIGNAL_LINE}`, [...root, '-w', rec, '0.2']);
    assert.equal(w.out, `status ${128 + n}\n`, `-w ${sig}: ${w.err}`);
    const log = readLog(rec);
    assert.ok(log.length >= 1, `-w ${sig}: samples recorded`);
    assert.deepEqual(log.warnings, [], `-w ${sig}: the recording is whole`);
  }
});

test('the live screen ended by SIGTERM or SIGHUP gives the terminal back, says its notes, then ends by that signal; q still exits 0', { timeout: 60000 }, async () => {
  const root = fake();
  // A damaged file: the screen keeps its note for after the terminal is given back.
  writeFileSync(join(root[1]!, '41', 'stat'), 'garbage\n');
  for (const [signal, n] of [['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    const s = new PtyScreen([...root, '1'], 100, 30);
    try {
      await s.waitText(/PID/, 15000);
      process.kill(s.pid, signal);
      await Promise.race([s.exited, new Promise((resolve) => setTimeout(resolve, 10000))]);
      assert.equal(s.exitSignal, n, `${signal}: exit ${s.exitCode}, signal ${s.exitSignal}`);
      const left = s.raw.lastIndexOf('\x1b[?1049l');
      assert.ok(left >= 0, `${signal}: the alternate screen is left`);
      assert.match(s.raw.slice(left), /memtop: \S+\/41\/stat is not a stat line/, `${signal}: the note after the screen`);
    } finally {
      await s.close();
    }
  }
  const q = new PtyScreen([...root, '1'], 100, 30);
  try {
    await q.waitText(/PID/, 15000);
    q.send('q');
    const code = await Promise.race([q.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10000))]);
    assert.equal(code, 0);
    assert.equal(q.exitSignal, 0);
  } finally {
    await q.close();
  }
});

test('the manual lists the exit codes, signals included', () => {
  const man = readFileSync(new URL('../man/memtop.1', import.meta.url), 'utf8');
  const section = man.slice(man.indexOf('.SH EXIT STATUS'), man.indexOf('.SH', man.indexOf('.SH EXIT STATUS') + 4));
  for (const word of [/\b0\b/, /\b1\b/, /\b2\b/, /128/, /143/, /130/, /129/, /SIGTERM/, /systemd/, /stdout is closed/]) {
    assert.match(section, word);
  }
});
