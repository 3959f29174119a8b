/**
 * The stacks report: raw stacks (output.ts) and their frames' names in,
 * what `memtop --stacks` shows out. Pure.
 */
import type { RawStack } from './output.js';

export interface StackEntry {
  /** Outstanding bytes and allocations at the end of the trace, scaled back from sampling. */
  bytes: number;
  count: number;
  /** Innermost first: the allocator's caller, then its callers. */
  frames: string[];
}

export interface StacksReport {
  pid: number;
  cmd: string;
  /** Seconds allocations were recorded. */
  seconds: number;
  /** When recording began (seconds since the epoch): the trace's seconds are [began, began + seconds]. */
  began: number;
  /** 1, or the sampling factor N of allocations below the always-recorded size (figures scaled back). */
  sampled: number;
  stacks: StackEntry[];
  /** One line per runtime with a heap of its own (Node/V8, Python, JVM, Go): its own tool. */
  runtimes: string[];
  /** The trace was stopped before its time (a key, Ctrl-C, SIGTERM) or the process ended. */
  stoppedEarly?: string;
}

/** The raw addresses of a stack in order, the caller on top (once: the return probe's walk starts there too). */
export function stackAddresses(s: RawStack): bigint[] {
  const rest = s.frames[0] === s.caller ? s.frames.slice(1) : s.frames;
  return s.caller === 0n ? rest : [s.caller, ...rest];
}

/**
 * Stacks by their frames' names (two call sites on one line are one), with
 * nothing outstanding dropped, largest first.
 */
export function groupStacks(raw: readonly RawStack[], name: (addr: bigint) => string): StackEntry[] {
  const byFrames = new Map<string, StackEntry>();
  for (const s of raw) {
    const frames = stackAddresses(s).map(name);
    const key = frames.join('\n');
    const e = byFrames.get(key);
    if (e) {
      e.bytes += s.bytes;
      e.count += s.count;
    } else byFrames.set(key, { bytes: s.bytes, count: s.count, frames });
  }
  return [...byFrames.values()].filter((e) => e.bytes > 0 && e.count > 0).sort((a, b) => b.bytes - a.bytes);
}

/** The JSON object of `--stacks --json` (the shape; `runtimes` only when there are some). */
export function reportJson(r: StacksReport): object {
  return {
    pid: r.pid,
    cmd: r.cmd,
    seconds: Math.round(r.seconds * 10) / 10,
    began: Math.round(r.began * 1000) / 1000,
    sampled: r.sampled,
    stacks: r.stacks.map((s) => ({ bytes: s.bytes, count: s.count, frames: s.frames })),
    ...(r.runtimes.length ? { runtimes: r.runtimes } : {}),
    ...(r.stoppedEarly ? { stopped: r.stoppedEarly } : {}),
  };
}
