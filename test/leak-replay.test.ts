/**
 * A recorded leak replayed: memtop -w records a real leaker for half a
 * minute; -r finds it as the live screen would, and -b into the middle of
 * the recording rebuilds the window from the records before the jump, so
 * the first interval shown already has its verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startLeaker, stop } from './helpers/leaker.js';
import { tempDir } from './helpers/rawlog.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const MiB = 1024 * 1024;

interface Line {
  time: string;
  procs: { pid: number; trate: number | null; tgrow: number | null; leak: boolean }[];
}

function memtop(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: `${r.stderr}${r.signal ? ` (signal ${r.signal})` : ""}${r.error ? ` (${r.error.message})` : ""}` };
}

const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Line);

test('a recorded leak is found on replay, and -b rebuilds the window before the jump', { timeout: 150_000 }, async () => {
  const file = join(tempDir(), 'leak.memtop');
  const leaker = await startLeaker(['large', '512', '100']);
  try {
    const rec = memtop(['-w', file, '1', '32']);
    assert.equal(rec.code, 0, rec.err);
  } finally {
    await stop(leaker);
  }
  const pid = leaker.pid!;
  const replay = memtop(['-r', file, '--json', '--window', '30']);
  assert.equal(replay.code, 0, replay.err);
  const lines = jsonLines(replay.out);
  assert.equal(lines.length, 32);
  const of = (l: Line) => l.procs.find((p) => p.pid === pid);
  const last = of(lines.at(-1)!)!;
  assert.equal(last.leak, true, 'the leaker is a suspect by the end of the recording');
  assert.ok(last.trate! > 2 * MiB && last.trate! < 8 * MiB, `TRATE ${last.trate}`);
  const flaggedAt = lines.findIndex((l) => of(l)?.leak);
  assert.ok(flaggedAt > 3, `not flagged on its first samples (${flaggedAt})`);

  // Jump into the recording after the leaker was flagged: the first interval shown has the verdict already.
  const at = new Date(lines[flaggedAt + 3]!.time);
  const hhmmss = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const jumped = memtop(['-r', file, '--json', '--window', '30', '-b', hhmmss]);
  assert.equal(jumped.code, 0, jumped.err);
  const first = jsonLines(jumped.out)[0]!;
  assert.ok(Date.parse(first.time) >= at.getTime() - 1000, `-b ${hhmmss} starts there (${first.time})`);
  const p = of(first)!;
  assert.equal(p.leak, true, `-b ${hhmmss}: the verdict on the first interval, from the records before it`);
  assert.ok(p.trate! > 2 * MiB, `TRATE ${p.trate} on the first interval`);
});
