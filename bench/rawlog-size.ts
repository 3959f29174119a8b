/**
 * Raw log size against atop: records the same machine for the same interval
 * and count with `atop -w` and with memtop's writer side by side, and
 * reports bytes per sample (whole file divided by samples, headers
 * included). Optionally starts idle processes first to measure at a given
 * process count.
 *
 *   node --import tsx bench/rawlog-size.ts [--interval S] [--samples N] [--extra N]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RECORD_NEEDS } from '../src/run/record.js';
import { RawWriter } from '../src/rawlog/writer.js';
import { Sampler } from '../src/reader/sampler.js';

export interface RawlogSizeOptions {
  interval?: number;
  samples?: number;
  /** Idle processes to start for the measurement (sleep). */
  extra?: number;
  atop?: string;
  proc?: string;
}

export interface RawlogSizeResult {
  interval: number;
  samples: number;
  /** Processes in memtop's last sample. */
  procs: number;
  memtopBytes: number;
  memtopPerSample: number;
  /** Undefined when atop is not installed or failed. */
  atopBytes?: number;
  atopPerSample?: number;
  /** memtop / atop bytes per sample. */
  ratio?: number;
  /** Milliseconds memtop spent encoding and writing, per sample (median). */
  memtopWriteMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureRawlogSize(opts: RawlogSizeOptions = {}): Promise<RawlogSizeResult> {
  const interval = opts.interval ?? 1;
  const samples = opts.samples ?? 10;
  const atopBin = opts.atop ?? '/usr/bin/atop';
  const dir = mkdtempSync(join(tmpdir(), 'memtop-rawlog-size-'));
  const sleepers: ChildProcess[] = [];
  try {
    for (let i = 0; i < (opts.extra ?? 0); i++) {
      sleepers.push(spawn('sleep', [String(interval * samples + 60)], { stdio: 'ignore' }));
    }
    if (sleepers.length) await sleep(300);
    const atopFile = join(dir, 'atop.raw');
    const memtopFile = join(dir, 'memtop.raw');
    let atopDone: Promise<number | null> | undefined;
    if (existsSync(atopBin)) {
      const atop = spawn(atopBin, ['-w', atopFile, String(interval), String(samples)], { stdio: 'ignore' });
      atopDone = new Promise((resolve) => {
        atop.on('exit', (code) => resolve(code));
        atop.on('error', () => resolve(null));
      });
    }
    const sampler = new Sampler({ proc: opts.proc ?? '/proc', sys: '/sys' });
    const writer = new RawWriter(memtopFile, { writer: 'memtop bench' });
    const writeMs: number[] = [];
    let procs = 0;
    const start = Date.now();
    for (let i = 0; i < samples; i++) {
      await sleep(Math.max(0, start + i * interval * 1000 - Date.now()));
      const s = sampler.sample(RECORD_NEEDS);
      procs = s.procs.length;
      const t0 = performance.now();
      writer.append(s);
      writeMs.push(performance.now() - t0);
    }
    writer.close();
    const atopCode = atopDone ? await atopDone : null;
    const memtopBytes = statSync(memtopFile).size;
    writeMs.sort((a, b) => a - b);
    const result: RawlogSizeResult = {
      interval,
      samples,
      procs,
      memtopBytes,
      memtopPerSample: Math.round(memtopBytes / samples),
      memtopWriteMs: Math.round(writeMs[writeMs.length >> 1]! * 100) / 100,
    };
    if (atopCode === 0 && existsSync(atopFile)) {
      result.atopBytes = statSync(atopFile).size;
      result.atopPerSample = Math.round(result.atopBytes / samples);
      result.ratio = Math.round((memtopBytes / result.atopBytes) * 1000) / 1000;
    }
    return result;
  } finally {
    for (const p of sleepers) if (p.pid !== undefined) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatRawlogSize(r: RawlogSizeResult): string {
  const atop = r.atopPerSample === undefined ? 'atop: not measured' : `atop ${r.atopPerSample} B/sample (${r.atopBytes} B)`;
  const ratio = r.ratio === undefined ? '' : `, memtop/atop ${r.ratio}`;
  return (
    `raw log, ${r.samples} samples every ${r.interval} s, ${r.procs} processes: ` +
    `memtop ${r.memtopPerSample} B/sample (${r.memtopBytes} B), ${atop}${ratio}; memtop write ${r.memtopWriteMs} ms/sample`
  );
}

function option(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const r = await measureRawlogSize({
    interval: option(args, '--interval'),
    samples: option(args, '--samples'),
    extra: option(args, '--extra'),
  });
  console.log(formatRawlogSize(r));
  if (args.includes('--json')) console.log(JSON.stringify(r));
}
