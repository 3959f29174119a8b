/** Test helpers for the raw log: samples of a changing fake /proc tree, recorded to a temp file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FILE_HEADER_FIXED, FORMAT_MAJOR } from '../../src/rawlog/format.js';
import { RawLog } from '../../src/rawlog/reader.js';
import { RawWriter, type WriterOptions } from '../../src/rawlog/writer.js';
import { Sampler } from '../../src/reader/sampler.js';
import type { Sample } from '../../src/sample.js';
import { fakeProcFiles, makeTree, type FakeMoment } from './trees.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'memtop-rawlog-'));
}

/**
 * Moment k of a small machine that changes the way real ones do: a process
 * growing (the leak), busy ones, one exiting, new ones starting, a pid
 * reused by another process, one whose status cannot be read, an odd name,
 * io and command lines.
 */
export function moment(k: number, nprocs = 12): FakeMoment {
  const procs: FakeMoment['procs'] = [];
  for (let i = 0; i < nprocs; i++) {
    const pid = 100 + i * 7;
    if (i === 3 && k >= 4) continue; // exits
    procs.push({
      pid,
      comm: i === 5 ? 'we ird) x (y' : `proc${i}`,
      state: i === 1 && k % 2 ? 'R' : 'S',
      rss: i === 0 ? 1000 + k * 250 : 100 + i,
      vsize: i === 0 ? 5000 + k * 300 : 1000 + i * 10,
      minflt: i === 0 ? k * 1000 : i < 3 ? k * 3 : 0,
      utime: i < 4 ? k * (i + 1) * 7 : 0,
      stime: i < 2 ? k * 2 : 0,
      threads: i === 2 ? 1 + (k % 3) : 1,
      uid: i % 2 ? 1000 : 0,
      swapKb: i === 4 ? undefined : 0,
      noStatus: i === 6,
    });
  }
  for (let j = 0; j < Math.min(k, 3); j++) procs.push({ pid: 900 + j, comm: `new${j}`, rss: 50 + k, starttime: 500 + j, utime: k });
  // pid 2000 is reused at moment 5 by another process (a later start time).
  procs.push({ pid: 2000, comm: k >= 5 ? 'reuser' : 'first', starttime: k >= 5 ? 900 : 200 });
  const extra: Record<string, string> = {
    'pressure/memory': `some avg10=${(k * 0.37).toFixed(2)} avg60=0.10 avg300=0.00 total=${k * 12345}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${k * 100}\n`,
  };
  for (const p of procs) {
    extra[`${p.pid}/io`] = `rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: ${p.pid * 4096}\nwrite_bytes: ${k * 8192}\ncancelled_write_bytes: 0\n`;
    extra[`${p.pid}/cmdline`] = `/usr/bin/${p.comm}\0--flag\0value ${p.pid}\0`;
  }
  return {
    uptime: 1000 + k * 10.25,
    cpu: [1000 + k * 50, 500 + k * 20, 10000 + k * 900, 100 + k],
    memKb: { MemFree: 1024 * 1024 - k * 1000, Cached: 900 * 1024 + (k % 3) * 10 },
    vmstat: { pgpgin: k * 10, pgpgout: k * 20, pgscan_kswapd: k > 4 ? k * 100 : 0 },
    diskstats: `   8       0 sda ${100 + k * 5} 0 ${800 + k * 40} 50 ${200 + k * 9} 0 1600 80 0 ${120 + k * 3} 130 0 0 0 0 0 0\n`,
    procs,
    extra,
  };
}

/** Base wall clock of the samples: 2024-03-05 10:00:00 local time. */
export const T0 = new Date(2024, 2, 5, 10, 0, 0).getTime();

/**
 * Samples `count` moments of one fake /proc directory rewritten in place,
 * with the wall clock injected (moment k at `times[k]`, default T0 + 10 s k).
 */
export function sampleMoments(count: number, opts: { first?: number; times?: number[]; nprocs?: number } = {}): Sample[] {
  const dir = tempDir();
  let now = 0;
  let sampler: Sampler | undefined;
  const out: Sample[] = [];
  try {
    for (let k = opts.first ?? 0; k < (opts.first ?? 0) + count; k++) {
      rmSync(dir, { recursive: true, force: true });
      makeTree(fakeProcFiles(moment(k, opts.nprocs)), dir);
      now = opts.times?.[out.length] ?? T0 + k * 10_000;
      sampler ??= new Sampler({ proc: dir, sys: join(dir, 'nosys'), now: () => now });
      out.push(sampler.sample({ io: true, cmdline: true }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Writes samples to `file` (appending when it exists) with one writer. */
export function record(file: string, samples: Sample[], opts: WriterOptions = {}): void {
  const w = new RawWriter(file, opts);
  try {
    for (const s of samples) w.append(s);
  } finally {
    w.close();
  }
}

/** The sample as JSON would carry it (undefined fields dropped). */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function readLog(file: string): RawLog {
  return new RawLog(readFileSync(file), file);
}

/** A recording as a newer major version would write it: the version raised in both places of its header. */
export function asNewerMajor(log: Buffer): Buffer {
  const end = FILE_HEADER_FIXED + log.readUInt32LE(12);
  const json = Buffer.from(log.subarray(FILE_HEADER_FIXED, end).toString('utf8').replace(/"format":\[\d+,\d+\]/, `"format":[${FORMAT_MAJOR + 1},0]`));
  const fixed = Buffer.from(log.subarray(0, FILE_HEADER_FIXED));
  fixed.writeUInt16LE(FORMAT_MAJOR + 1, 8);
  fixed.writeUInt32LE(json.length, 12);
  fixed.writeUInt32LE(crc32(json), 16);
  return Buffer.concat([fixed, json, log.subarray(end)]);
}
