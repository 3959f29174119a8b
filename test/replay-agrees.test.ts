/**
 * Replay judges growth as live sampling does, to the sample. One live run,
 * in this process, takes real samples of the machine (a C leaker, a process
 * that warms up then stays flat, and whatever else runs here) through the
 * LiveFeed `--json` uses, judging each sample as it comes, and records every
 * one of those samples with the raw log's writer, as `-w` would. Then
 * `memtop -r FILE --json` replays the file, from its start and from jumps
 * into it (`-b`): every process's suspect flag and TRATE on every sample
 * must be what the live run said at that sample. Same samples on both sides:
 * what differs can only be the replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startLeaker, stop } from './helpers/leaker.js';
import { tempDir } from './helpers/rawlog.js';
import { Sampler } from '../src/reader/sampler.js';
import { LiveFeed } from '../src/run/feeds.js';
import { RawWriter } from '../src/rawlog/writer.js';
import { RECORD_NEEDS } from '../src/run/record.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const MiB = 1024 * 1024;

interface Line {
  time: string;
  procs: { pid: number; trate: number | null; leak: boolean }[];
}

/** Per sample: its time and, by pid, the verdict. */
type Verdicts = { time: string; leak: Map<number, boolean>; trate: Map<number, number | null> }[];

function verdictsOf(lines: Line[]): Verdicts {
  return lines.map((l) => ({
    time: l.time,
    leak: new Map(l.procs.map((p) => [p.pid, p.leak])),
    trate: new Map(l.procs.map((p) => [p.pid, p.trate])),
  }));
}

function replay(args: string[]): Line[] {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `memtop ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
}

/** The samples of `got` each agree with the live sample of the same time, for every process. */
function sameAsLive(live: Verdicts, got: Verdicts, what: string): void {
  const byTime = new Map(live.map((v) => [v.time, v]));
  for (const g of got) {
    const l = byTime.get(g.time);
    assert.ok(l, `${what}: sample ${g.time} is one of the live run's`);
    for (const [pid, leak] of g.leak) {
      assert.equal(leak, l.leak.get(pid), `${what}, ${g.time}: pid ${pid} is ${leak ? '' : 'not '}a suspect in replay, live said the opposite`);
      const a = g.trate.get(pid) ?? null;
      const b = l.trate.get(pid) ?? null;
      assert.ok(a === b || (a !== null && b !== null && Math.abs(a - b) <= 1),
        `${what}, ${g.time}: pid ${pid} TRATE ${a} in replay, ${b} live`);
    }
    assert.equal(g.leak.size, l.leak.size, `${what}, ${g.time}: the same processes`);
  }
}

test('a recording replays with the same suspects and TRATE, to the sample, as live sampling judged', { timeout: 240_000 }, async () => {
  const file = join(tempDir(), 'agree.memtop');
  // ~5 MiB/s: the fast path (1% of 24 GiB a minute) flags it within about 45 s.
  const leaker = await startLeaker(['large', '512', '100']);
  // 20 MiB/s for 4 s, then flat: never a suspect.
  const plateau = await startLeaker(['plateau', '2048', '100', '40']);
  const WINDOW = 120;
  const STEP = 500;
  const SAMPLES = 110;
  const live: Verdicts = [];
  try {
    const writer = new RawWriter(file, { writer: 'memtop' });
    const feed = new LiveFeed(new Sampler({ proc: '/proc', sys: '/sys' }), DEFAULT_THRESHOLDS, (s) => writer.append(s), { window: WINDOW });
    feed.needs = RECORD_NEEDS;
    for (let i = 0; i < SAMPLES; i++) {
      const iv = feed.next();
      live.push({
        time: new Date(iv.time).toISOString(),
        leak: new Map(iv.procs.map((p) => [p.pid, p.leak ?? false])),
        // As --json writes it: whole bytes per second.
        trate: new Map(iv.procs.map((p) => [p.pid, p.trate ?? null])),
      });
      await new Promise((r) => setTimeout(r, STEP));
    }
    writer.close();
  } finally {
    await Promise.all([stop(leaker), stop(plateau)]);
  }
  const flagged = live.findIndex((v) => v.leak.get(leaker.pid!));
  assert.ok(flagged > 0, 'the live run flagged the leaker');
  assert.ok(live.every((v) => !v.leak.get(plateau.pid!)), 'the live run never flagged the plateau');

  const whole = verdictsOf(replay(['-r', file, '--json', '--window', String(WINDOW)]));
  assert.equal(whole.length, SAMPLES);
  sameAsLive(live, whole, 'replay from the start');

  // Jumps: the window before each is rebuilt from the records (every one: a 120-s window holds 240 at 0.5 s).
  for (const at of [Math.floor(SAMPLES / 3), flagged - 2, flagged + 3, SAMPLES - 5]) {
    const t = new Date(live[at]!.time);
    // -b takes local time to the second: start at the first sample of that second.
    const hhmmss = [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    const jumped = verdictsOf(replay(['-r', file, '--json', '--window', String(WINDOW), '-b', hhmmss]));
    assert.ok(jumped.length >= SAMPLES - at - 2, `-b ${hhmmss}: replays from there (${jumped.length} samples)`);
    sameAsLive(live, jumped, `-b ${hhmmss}`);
  }
  assert.ok(whole.at(-1)!.leak.get(leaker.pid!), 'the leaker is a suspect at the end of the replay');
  assert.ok((whole.at(-1)!.trate.get(leaker.pid!) ?? 0) > 2 * MiB, 'with its rate');
});

