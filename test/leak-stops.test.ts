/**
 * Verdicts follow the growth both ways, on real processes through --json at
 * the default window: a warm-up that levels off within the fast path's
 * evidence (~5.6 MiB/s for 40 s, a cache filling) is never a suspect; a fast
 * growth that goes on for 70 s is flagged while it grows (1% of MemTotal a
 * minute within 60 s) and, once it stops, drops its flag within seconds.
 * Only these two children are checked: other processes may do anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLeaker, stop } from './helpers/leaker.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'bin.cjs');
const MiB = 1024 * 1024;

interface Line {
  time: string;
  procs: { pid: number; rsize: number; leak: boolean }[];
}

test('a warm-up that levels off is never a suspect; a growth that stopped drops its flag within seconds', { timeout: 200_000 }, async () => {
  // 576 KiB every 100 ms for 400 steps: ~5.6 MiB/s for 40 s, then flat.
  const warm = await startLeaker(['plateau', '576', '100', '400']);
  // 1 MiB every 100 ms for 700 steps: ~10 MiB/s (2.4x the fast rate of 24 GiB) for 70 s, then flat.
  const stopper = await startLeaker(['plateau', '1024', '100', '700']);
  try {
    const SAMPLES = 110;
    const child = spawn(process.execPath, [CLI, '--json', '1', String(SAMPLES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Line);
    const of = (l: Line, pid: number | undefined) => l.procs.find((p) => p.pid === pid);

    assert.ok(lines.every((l) => !of(l, warm.pid)?.leak), 'the warm-up is never flagged');
    const warmGrew = of(lines.at(-1)!, warm.pid)!.rsize - of(lines[0]!, warm.pid)!.rsize;
    assert.ok(warmGrew > 150 * MiB, `the warm-up did grow (${warmGrew} bytes)`);

    const flagged = lines.map((l) => of(l, stopper.pid)?.leak === true);
    const first = flagged.indexOf(true);
    assert.ok(first >= 0, 'the fast growth is flagged while it grows');
    // Its growth ended at the first sample that shows its final size.
    const sizes = lines.map((l) => of(l, stopper.pid)?.rsize ?? 0);
    const final = sizes.at(-1)!;
    const ended = sizes.findIndex((s) => s >= final - MiB);
    assert.ok(ended > first && ended < SAMPLES - 30, `it stopped growing inside the run (sample ${ended} of ${SAMPLES})`);
    const last = flagged.lastIndexOf(true);
    const seconds = (Date.parse(lines[last]!.time) - Date.parse(lines[ended]!.time)) / 1000;
    assert.ok(seconds <= 15, `its flag dropped ${seconds} s after it stopped growing (sample ${last}, stopped at ${ended})`);
  } finally {
    await Promise.all([stop(warm), stop(stopper)]);
  }
});
