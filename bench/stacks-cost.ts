/**
 * Part 6 (issue 19): how much `memtop --stacks` slows a malloc-heavy target while it traces. bench/churn.c
 * (built here with gcc) does malloc/free pairs as fast as it can and prints its rate every 250 ms; its
 * rate untraced is compared with its rate inside the traced seconds (the JSON's began and seconds), with
 * every allocation recorded (--sample 1) and with memtop's automatic sampling.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StacksCostRun { label: string; sampled: number; pairsPerSec: number; slowdown: number }
export interface StacksCostResult { untraced: number; runs: StacksCostRun[]; note?: string }

function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 120000);
    c.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export async function measureStacksCost(root: string, seconds = 6): Promise<StacksCostResult> {
  const bin = join(mkdtempSync(join(tmpdir(), 'memtop-bench-churn-')), 'churn');
  const cc = spawnSync('gcc', ['-O1', '-g', '-fno-omit-frame-pointer', '-o', bin, join(root, 'bench/churn.c')], { encoding: 'utf8' });
  if (cc.status !== 0) return { untraced: 0, runs: [], note: `gcc failed: ${cc.stderr || cc.error}` };
  const child = spawn(bin, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rates: Array<[number, number]> = [];
  let part = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (c: string) => {
    const lines = (part + c).split('\n');
    part = lines.pop() ?? '';
    for (const l of lines) {
      const [t, n] = l.split(' ').map(Number);
      if (Number.isFinite(t) && Number.isFinite(n)) rates.push([t! / 1000, n!]);
    }
  });
  const rateIn = (from: number, to: number) => {
    const inside = rates.filter(([t]) => t > from && t <= to);
    return inside.length ? inside.reduce((s, [, n]) => s + n, 0) / (to - from) : 0;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await sleep(4000);
    const t = Date.now() / 1000;
    const untraced = rateIn(t - 3, t);
    const runs: StacksCostRun[] = [];
    for (const [label, extra] of [['every allocation (--sample 1)', ['--sample', '1']], ['sampled (automatic)', []]] as const) {
      // Not spawnSync: the target's rate lines must be read while memtop runs (a full pipe would stall it).
      const r = await run(process.execPath, [join(root, 'dist/bin.cjs'), '--stacks', String(child.pid), '--for', String(seconds), '--json', ...extra]);
      if (r.status !== 0) return { untraced, runs, note: `memtop --stacks failed: ${r.stderr.trim()}` };
      const j = JSON.parse(r.stdout) as { began: number; seconds: number; sampled: number };
      const rate = rateIn(j.began + 0.5, j.began + j.seconds - 0.25);
      runs.push({ label, sampled: j.sampled, pairsPerSec: rate, slowdown: rate > 0 ? untraced / rate : Infinity });
      await sleep(3000);
    }
    return { untraced, runs };
  } finally {
    child.kill('SIGKILL');
  }
}

export function describeStacksCost(r: StacksCostResult): string[] {
  const out: string[] = [];
  if (r.note) out.push(r.note);
  const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1000).toFixed(0)}k`);
  out.push(`untraced: ${k(r.untraced)} malloc/free pairs a second`);
  for (const run of r.runs) {
    out.push(`traced, ${run.label}${run.sampled > 1 ? `: 1 in ${run.sampled}` : ''}: ${k(run.pairsPerSec)} pairs a second, ${run.slowdown.toFixed(1)}x slower`);
  }
  return out;
}
