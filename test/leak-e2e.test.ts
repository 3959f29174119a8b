/**
 * The leak detector on a real machine, through --json: a steady leaker, a
 * GC-like sawtooth, a process that warms up and then stays flat, and a big
 * short-lived process started every second, all at once. Only the verdicts
 * on these children are checked: other processes on the machine may do
 * anything. And an OOM kill inside a memory cgroup made for the test names
 * its victim, with swap on or off (the group may not swap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakerBinary, startLeaker, stop } from './helpers/leaker.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'bin.cjs');
const MiB = 1024 * 1024;

interface ProcJson {
  pid: number;
  cmd: string;
  rsize: number;
  trate: number | null;
  tgrow: number | null;
  leak: boolean;
}
interface Exited {
  pid: number;
  cmd: string;
  rsize: number;
  oom: boolean;
}
interface Line {
  procs: ProcJson[];
  exited: Exited[];
  forecast: { exhaust: number | null; rate: number; left: number } | null;
}

/** Runs memtop --json and hands each parsed line to `each` as it comes; resolves with all of them. */
function memtopJson(args: string[], each: (line: Line, n: number) => void = () => {}): { child: ChildProcess; done: Promise<Line[]> } {
  const child = spawn(process.execPath, [CLI, '--json', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  let rest = '';
  child.stdout!.on('data', (b: Buffer) => {
    rest += b.toString();
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = JSON.parse(rest.slice(0, nl)) as Line;
      rest = rest.slice(nl + 1);
      lines.push(line);
      each(line, lines.length);
    }
  });
  const done = new Promise<Line[]>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`memtop exited with ${code}`))));
  });
  return { child, done };
}

test('a steady leaker is flagged; a sawtooth, a plateau and big short-lived processes never are', { timeout: 120_000 }, async () => {
  const children: ChildProcess[] = [];
  let bursts: NodeJS.Timeout | undefined;
  let memtop: ChildProcess | undefined;
  try {
    // 512 KiB every 100 ms: ~5 MiB/s, above 1% of 24 GiB per minute and well above 2 MiB/s.
    const leaker = await startLeaker(['large', '512', '100']);
    // Climbs 10 MiB/s for 4 s, then falls back to nothing, again and again.
    const saw = await startLeaker(['saw', '1024', '100', '40']);
    // Warms up at 20 MiB/s for 4 s, then flat.
    const plateau = await startLeaker(['plateau', '2048', '100', '40']);
    children.push(leaker, saw, plateau);
    const burstPids = new Set<number>();
    bursts = setInterval(() => {
      // 200 MiB touched, gone 0.7 s later: new processes whose whole size is their first interval's growth.
      const b = spawn(leakerBinary(), ['burst', String(200 * 1024), '700'], { stdio: 'ignore' });
      if (b.pid) burstPids.add(b.pid);
      children.push(b);
    }, 1000);
    const SAMPLES = 45;
    const run = memtopJson(['--window', '30', '1', String(SAMPLES)]);
    memtop = run.child;
    const lines = await run.done;
    assert.equal(lines.length, SAMPLES);
    const of = (line: Line, pid: number | undefined) => line.procs.find((p) => p.pid === pid);

    const flaggedAt = lines.findIndex((l) => of(l, leaker.pid)?.leak);
    assert.ok(flaggedAt >= 0, 'the leaker is flagged');
    assert.ok(flaggedAt <= 32, `the leaker is flagged at sample ${flaggedAt}: within a 30 s window (+2 for confirmation)`);
    const last = of(lines.at(-1)!, leaker.pid)!;
    assert.equal(last.leak, true, 'and stays flagged');
    assert.ok(last.trate! > 2 * MiB && last.trate! < 8 * MiB, `TRATE ${last.trate} B/s for ~5 MiB/s`);
    assert.ok(last.tgrow! > 50 * MiB, `TGROW ${last.tgrow}`);
    assert.equal(of(lines[0]!, leaker.pid)!.trate, null, 'no rate on the first sample');
    assert.ok(lines.at(-1)!.forecast!.exhaust! > 0, 'a suspect gives an exhaustion forecast');

    assert.ok(lines.every((l) => !of(l, saw.pid)?.leak), 'the sawtooth is never flagged');
    assert.ok(lines.some((l) => (of(l, saw.pid)?.rsize ?? 0) > 20 * MiB), 'the sawtooth did climb');
    assert.ok(lines.slice(-10).every((l) => of(l, plateau.pid)?.leak === false), 'the plateau is not a suspect once flat');
    assert.ok(lines.every((l) => l.procs.every((p) => !burstPids.has(p.pid) || !p.leak)), 'no short-lived process is flagged');

    // The short-lived ones are listed as they exit, with their last figures.
    const seenExit = lines.flatMap((l) => l.exited).filter((e) => burstPids.has(e.pid));
    assert.ok(seenExit.length > 0, 'short-lived processes appear in exited');
    assert.ok(seenExit.some((e) => e.cmd === 'leaker' && e.rsize > 100 * MiB && !e.oom), JSON.stringify(seenExit.slice(0, 3)));
  } finally {
    clearInterval(bursts);
    memtop?.kill('SIGKILL');
    await Promise.all(children.map(stop));
  }
});

/** This test process's v1 memory cgroup directory, or undefined when there is none to make groups under. */
function ownMemoryGroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /^\d+:memory:/.test(l));
  if (!line) return undefined;
  const dir = join('/sys/fs/cgroup/memory', line.slice(line.indexOf(':memory:') + 8));
  return existsSync(join(dir, 'memory.limit_in_bytes')) ? dir : undefined;
}

test('an OOM kill in a memory cgroup names its victim (kernel log), in exited with oom: true', { timeout: 60_000 }, async (t) => {
  const parent = ownMemoryGroup();
  if (!parent || process.getuid?.() !== 0 || !existsSync('/dev/kmsg')) {
    t.skip('needs root, /dev/kmsg and a v1 memory cgroup to make a group under');
    return;
  }
  const group = join(parent, `memtop-oom-${process.pid}`);
  mkdirSync(group);
  let memtop: ChildProcess | undefined;
  let victim: ChildProcess | undefined;
  try {
    writeFileSync(join(group, 'memory.limit_in_bytes'), String(64 * MiB));
    // With swap on, a group limited in memory alone swaps instead of dying: memory plus swap gets the same
    // limit (swap accounting on), and the group does not swap its anonymous memory at all (swappiness 0).
    const memsw = join(group, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) writeFileSync(memsw, String(64 * MiB));
    writeFileSync(join(group, 'memory.swappiness'), '0');
    let started: (() => void) | undefined;
    const firstLine = new Promise<void>((resolve) => (started = resolve));
    const run = memtopJson(['1', '8'], () => started?.());
    memtop = run.child;
    await firstLine;
    // The shell puts itself (a process of this test) into the group, then becomes the leaker: 16 MiB a step.
    victim = spawn('sh', ['-c', `echo $$ > ${group}/cgroup.procs && exec ${leakerBinary()} large 16384 50`], { stdio: 'ignore' });
    const lines = await run.done;
    const kills = lines.flatMap((l) => l.exited).filter((e) => e.pid === victim!.pid);
    assert.equal(kills.length, 1, `the victim listed once in exited: ${JSON.stringify(lines.map((l) => l.exited))}`);
    assert.equal(kills[0]!.oom, true);
    assert.equal(kills[0]!.cmd, 'leaker');
    assert.equal(victim.signalCode ?? 'SIGKILL', 'SIGKILL');
  } finally {
    memtop?.kill('SIGKILL');
    await stop(victim);
    for (let i = 0; i < 50 && existsSync(group); i++) {
      try {
        rmdirSync(group);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
});
