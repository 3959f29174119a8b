/** memtop -w / -r / --log-dir end to end (node dist/bin.cjs after npm run build): exit codes and one-line messages. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dailyName, daysBefore } from '../src/rawlog/daily.js';
import { FORMAT_MAJOR } from '../src/rawlog/format.js';
import { CLI, memtop as run, spawnMemtop } from './helpers/cli.js';
import { asNewerMajor, readLog, record, sampleMoments, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { moment } from './helpers/rawlog.js';

const memtop = (args: string[], input?: Buffer) => run(args, { input });

const root = makeTree(fakeProcFiles(moment(2)));
const proc = ['--proc', root, '--sys', join(root, 'nosys')];
const withoutTime = (line: string) => {
  const o = JSON.parse(line) as Record<string, unknown>;
  delete o.time;
  return o;
};

function oneLine(err: string, pattern: RegExp, what: string): void {
  assert.match(err.trimEnd(), pattern, what);
  assert.equal(err.trim().split('\n').length, 1, `one line for ${what}: ${err}`);
  assert.match(err, /^memtop: /, what);
  assert.doesNotMatch(err, /\bat .*\.js:\d+/, what);
}

test('memtop -w FILE records silently; -r FILE --json and --text replay it like live', () => {
  const file = join(tempDir(), 'rec');
  const w = memtop(['-w', file, ...proc, '0.1', '3']);
  assert.deepEqual([w.code, w.out, w.err], [0, '', '']);
  const replay = memtop(['-r', file, '--json']);
  assert.equal(replay.code, 0, replay.err);
  assert.equal(replay.err, '');
  const live = memtop([...proc, '--json', '-V', 'disk', '0.1', '3']); // the disk view reads io, as recording does
  const lines = replay.out.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map(withoutTime), live.out.trim().split('\n').map(withoutTime));
  const text = memtop(['-r', file, '--text', '-m']);
  assert.equal(text.code, 0, text.err);
  assert.equal(text.out.match(/^MEMTOP - fakehost/gm)?.length, 3);

  // Appending: a new run, its first interval since boot again.
  assert.equal(memtop(['-w', file, ...proc, '0.1', '2']).code, 0);
  const all = memtop(['-r', file, '--json']).out.trim().split('\n').map((l) => JSON.parse(l) as { elapsed: number });
  assert.deepEqual(all.map((o) => o.elapsed > 1000), [true, false, false, true, false]);

  // -r - reads stdin.
  const piped = memtop(['-r', '-', '--json'], readFileSync(file));
  assert.equal(piped.code, 0, piped.err);
  assert.equal(piped.out.trim().split('\n').length, 5);
});

test('memtop -w - writes the recording to stdout, for memtop -r -', () => {
  const w = spawnSync(process.execPath, [CLI, '-w', '-', ...proc, '0.1', '2'], { timeout: 30000 });
  assert.equal(w.status, 0, w.stderr.toString());
  const r = memtop(['-r', '-', '--json'], w.stdout);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 2);
});

test('-b and -e limit the replay; the first interval still starts at the sample before', () => {
  const file = join(tempDir(), 'rec');
  record(file, sampleMoments(6)); // 10:00:00, 10:00:10, ... local time
  const r = memtop(['-r', file, '-b', '10:00:20', '-e', '10:00:40', '--json']);
  assert.equal(r.code, 0, r.err);
  const got = r.out.trim().split('\n').map((l) => JSON.parse(l) as { elapsed: number; time: string });
  assert.deepEqual(got.map((o) => o.elapsed), [10.25, 10.25, 10.25]);
  assert.equal(memtop(['-r', file, '-b', '20240305 10:00:50', '--json']).out.trim().split('\n').length, 1);
  const none = memtop(['-r', file, '-b', '11:00', '--json']);
  assert.equal(none.code, 1);
  oneLine(none.err, new RegExp(`^memtop: ${file}: no sample between 11:00 and the end$`), 'empty window');
});

test('--log-dir records today\'s daily file; -r y and -r YYYYMMDD pick daily files', () => {
  const dir = join(tempDir(), 'logs');
  const w = memtop(['--log-dir', dir, ...proc, '0.1', '2']);
  assert.deepEqual([w.code, w.err], [0, '']);
  const today = join(dir, dailyName(Date.now()));
  assert.equal(readLog(today).length, 2);
  const bare = memtop(['-r', '--log-dir', dir, '--json']);
  assert.equal(bare.code, 0, bare.err);
  assert.equal(bare.out.trim().split('\n').length, 2, 'a bare -r replays today\'s daily file, as atop -r');
  const yesterday = dailyName(daysBefore(Date.now(), 1));
  record(join(dir, yesterday), sampleMoments(3));
  const y = memtop(['-r', 'y', '--log-dir', dir, '--json']);
  assert.equal(y.code, 0, y.err);
  assert.equal(y.out.trim().split('\n').length, 3);
  assert.equal(memtop(['-r', yesterday.slice(7), '--log-dir', dir, '--json']).out.trim().split('\n').length, 3);
  const missing = memtop(['-r', 'yyyyyy', '--log-dir', dir]);
  assert.equal(missing.code, 1);
  oneLine(missing.err, /^memtop: no daily log for 'yyyyyy': .*memtop_\d{8} does not exist$/, 'no daily file');
});

test('a truncated recording: the complete samples, one line naming the file and offset, exit 0; none complete: exit 1', () => {
  const file = join(tempDir(), 'rec');
  record(file, sampleMoments(4));
  const log = readLog(file);
  const whole = readFileSync(file);
  const cut = join(tempDir(), 'cut');
  writeFileSync(cut, whole.subarray(0, log.offsetOf(3) + 20));
  const r = memtop(['-r', cut, '--json']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim().split('\n').length, 3);
  oneLine(r.err, new RegExp(`^memtop: ${cut} is incomplete: the record at byte offset ${log.offsetOf(3)} is cut short`), 'truncated');

  writeFileSync(cut, whole.subarray(0, log.offsetOf(0) + 20));
  const none = memtop(['-r', cut, '--json']);
  assert.equal(none.code, 1);
  assert.equal(none.out, '');
  assert.match(none.err, new RegExp(`^memtop: ${cut} is incomplete.*\nmemtop: ${cut} holds no complete sample\n$`));

  const bad = Buffer.from(whole);
  bad[log.offsetOf(1) + 50] = bad[log.offsetOf(1) + 50]! ^ 0x55;
  writeFileSync(cut, bad);
  const damaged = memtop(['-r', cut, '--json']);
  assert.equal(damaged.code, 0);
  assert.equal(damaged.out.trim().split('\n').length, 3);
  oneLine(damaged.err, new RegExp(`^memtop: ${cut}: skipped \\d+ damaged bytes at byte offset ${log.offsetOf(1)}$`), 'damaged');
});

test('bad input: one clear line, exit 1 for files, 2 for options, no stack trace', () => {
  const dir = tempDir();
  const text = join(dir, 'text');
  writeFileSync(text, 'not a log\n');
  const rec = join(dir, 'rec');
  record(rec, sampleMoments(1));
  writeFileSync(join(dir, 'newer'), asNewerMajor(readFileSync(rec)));
  const cases: [string[], number, RegExp][] = [
    [['-r', text], 1, /^memtop: .*\/text is not a memtop log$/],
    [['-r', join(dir, 'newer')], 1, /was written by a newer memtop \(raw format \d+\.0\); this memtop reads format 1\.x$/],
    [['-r', join(dir, 'missing')], 1, /^memtop: cannot open .*\/missing: no such file$/],
    [['-r', dir], 1, /: it is a directory$/],
    [['-r', '20240230', '--log-dir', dir], 2, /^memtop: invalid date '20240230': give YYYYMMDD/],
    [['-r', rec, '-b', '25:00'], 2, /^memtop: invalid -b time '25:00': give \[YYYYMMDD \]hh:mm\[:ss\]/],
    [['-r', rec, '-e', 'noon'], 2, /^memtop: invalid -e time 'noon'/],
    [['-r', rec, '-w', join(dir, 'x')], 2, /^memtop: -r and -w exclude each other/],
    [['-w', join(dir, 'no', 'dir', 'x'), ...proc, '1', '1'], 1, /^memtop: cannot write .*\/no\/dir\/x: no such directory$/],
    [['-w', text, ...proc, '1', '1'], 1, /^memtop: .*\/text exists and is not a memtop log: not appending to it$/],
    [['-w', join(dir, 'newer'), ...proc, '1', '1'], 1, /newer memtop .*: not appending to it$/],
    [['-w', join(dir, 'x'), '--log-dir', dir, ...proc, '1', '1'], 2, /^memtop: -w and --log-dir exclude each other/],
    [['--log-dir', text, ...proc, '1', '1'], 1, /^memtop: cannot create the log directory .*\/text: /],
    [['-r', '-'], 1, /^memtop: stdin is empty: not a memtop log$/],
  ];
  if (existsSync('/dev/full')) {
    cases.push([['-w', '/dev/full', ...proc, '1', '1'], 1, /^memtop: cannot write \/dev\/full: no space left on device; nothing was recorded$/]);
  }
  for (const [args, code, message] of cases) {
    const r = memtop(args, args.includes('-') ? Buffer.alloc(0) : undefined);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    oneLine(r.err, message, args.join(' '));
  }
  assert.equal(readFileSync(text, 'utf8'), 'not a log\n');
});

test('SIGTERM while recording: ended by SIGTERM, every sample written readable', async () => {
  const file = join(tempDir(), 'rec');
  const child = spawnMemtop(['-w', file, ...proc, '0.1']);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill('SIGTERM');
  const signal = await new Promise((resolve) => child.on('exit', (_c, s) => resolve(s)));
  assert.equal(signal, 'SIGTERM', err);
  assert.equal(err, '');
  const log = readLog(file);
  assert.deepEqual(log.warnings, []);
  assert.ok(log.length >= 3, `${log.length} samples`);
});

test('SIGUSR1 while recording takes a sample at once; SIGUSR2 takes a last one and stops (as atop -w)', async () => {
  const file = join(tempDir(), 'rec');
  // An interval far longer than the test: every sample after the first comes from a signal.
  const child = spawnMemtop(['-w', file, ...proc, '600']);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  // The file may exist before its header is written: no samples yet.
  const samples = () => {
    try {
      return readLog(file).length;
    } catch {
      return 0;
    }
  };
  const until = async (n: number) => {
    for (let i = 0; i < 200 && samples() < n; i++) await new Promise((r) => setTimeout(r, 50));
    return samples();
  };
  try {
    assert.equal(await until(1), 1, 'the first sample at start');
    child.kill('SIGUSR1');
    assert.equal(await until(2), 2, 'SIGUSR1: one more');
    child.kill('SIGUSR1');
    assert.equal(await until(3), 3, 'and again');
    child.kill('SIGUSR2');
    assert.equal(await exited, 0, err);
  } finally {
    // A failed check must not leave a recorder running its 600 s interval (the runner would wait for it).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  assert.equal(err, '');
  const log = readLog(file);
  assert.deepEqual(log.warnings, []);
  assert.equal(log.length, 4, 'SIGUSR2: a last sample, then the end');
});
