/**
 * Issue 2's speed figure: CPU per sample of memtop's sampler + model, the
 * Node floor and `atop -w`, interleaved within each second.
 *
 * atop -w FILE 1 K runs as a child and writes one raw record per sample; each
 * time the file grows, atop has just finished a sample and its CPU (threads
 * and children, from /proc) is read: the difference between two growths is
 * one sample. In the quiet part of the same second this process takes one
 * memtop sample (sampler.sample() + buildInterval) and one floor sample
 * (readFileSync of /proc/PID/stat and /proc/PID/status for every pid,
 * nothing else), each timed with process.cpuUsage(). Every second is a
 * round A B C; medians and ratios come from the same rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInterval } from '../src/model/interval.js';
import { Sampler } from '../src/reader/sampler.js';
import type { Sample } from '../src/sample.js';
import { treeCpuNs } from './cputime.js';
import { sleep } from './stats.js';

export interface SamplerCostOptions {
  /** Measured samples (rounds). */
  samples: number;
  /** Samples taken first and not counted (the first covers the time since boot). */
  warmup: number;
  /** Path of atop, undefined when it is not installed. */
  atop?: string;
}

export interface SamplerCostResult {
  /** Processes in memtop's last sample. */
  procs: number;
  /** CPU ms per sample, index = round. */
  memtop: number[];
  floor: number[];
  /** Same rounds; undefined where atop gave no figure. */
  atop: (number | undefined)[];
  /** Why atop has no figures, when it has none. */
  atopNote?: string;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** The floor: list /proc and read stat and status of every pid into buffers, nothing else. */
export function floorSample(): number {
  let bytes = 0;
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      bytes += readFileSync(`/proc/${e}/stat`).length;
      bytes += readFileSync(`/proc/${e}/status`).length;
    } catch {
      // exited meanwhile
    }
  }
  return bytes;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Waits until the file grows past `last` and then holds still for 40 ms; undefined on timeout. */
async function waitGrowth(path: string, last: number, timeoutMs: number, alive: () => boolean): Promise<number | undefined> {
  const end = Date.now() + timeoutMs;
  while (fileSize(path) <= last) {
    if (Date.now() > end || !alive()) return undefined;
    await sleep(20);
  }
  for (let size = fileSize(path); ; ) {
    await sleep(40);
    const now = fileSize(path);
    if (now === size) return now;
    size = now;
  }
}

export async function measureSamplerCost(opts: SamplerCostOptions): Promise<SamplerCostResult> {
  const total = opts.warmup + opts.samples;
  const dir = mkdtempSync(join(tmpdir(), 'memtop-bench-atopw-'));
  const file = join(dir, 'atop.raw');
  const result: SamplerCostResult = { procs: 0, memtop: [], floor: [], atop: [] };
  let atop: ChildProcess | undefined;
  let atopExited = false;
  if (opts.atop) {
    atop = spawn(opts.atop, ['-w', file, '1', String(total + 5)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    atop.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    atop.on('exit', (code) => {
      atopExited = true;
      if (result.atop.length < opts.samples && !result.atopNote) {
        result.atopNote = `atop -w exited early (code ${code}${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''})`;
      }
    });
    atop.on('error', (e) => {
      atopExited = true;
      result.atopNote = `atop could not start: ${e.message}`;
    });
  } else {
    result.atopNote = 'atop is not installed (Debian package atop)';
  }
  const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
  let prev: Sample | undefined;
  let sink = 0;
  let size = 0;
  let lastAtopNs: number | undefined;
  let tick = Date.now();
  try {
    for (let i = 0; i < total; i++) {
      let atopMs: number | undefined;
      if (atop && !atopExited) {
        const grown = await waitGrowth(file, size, 5000, () => !atopExited);
        const ns = atop.pid === undefined ? undefined : treeCpuNs(atop.pid);
        if (grown === undefined || ns === undefined) {
          result.atopNote ??= 'atop -w stopped writing samples';
          atop.kill('SIGTERM');
          atopExited = true;
        } else {
          size = grown;
          if (lastAtopNs !== undefined) atopMs = (ns - lastAtopNs) / 1e6;
          lastAtopNs = ns;
        }
        tick = Date.now();
      } else {
        tick += 1000;
        await sleep(tick - Date.now());
      }
      // atop has just written its sample: the rest of the second is quiet.
      await sleep(150);
      const m0 = process.cpuUsage();
      const cur = sampler.sample();
      const iv = buildInterval(prev, cur);
      const memtopMs = cpuMs(m0);
      sink += iv.procs.length;
      prev = cur;
      result.procs = cur.procs.length;
      await sleep(100);
      const f0 = process.cpuUsage();
      sink += floorSample();
      const floorMs = cpuMs(f0);
      if (i >= opts.warmup) {
        result.memtop.push(memtopMs);
        result.floor.push(floorMs);
        result.atop.push(atopMs);
      }
    }
  } finally {
    if (atop && !atopExited) {
      const exited = new Promise((resolve) => atop!.once('exit', resolve));
      atop.kill('SIGTERM'); // atop switches process accounting off again on SIGTERM
      await Promise.race([exited, sleep(3000)]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink < 0) console.log(sink); // keeps the measured work observable
  return result;
}
