/**
 * What the stacks program (script.ts) prints, read back. Pure: bpftrace's
 * text in, raw stacks out.
 *
 * bpftrace v0.17 prints a map keyed by (caller, ustack) as
 *   @ob[94576151671178,
 *   	560439ecb18a 0x560439ecb18a ([unknown])
 *   	...
 *   ]: 933888
 * with BPFTRACE_NO_USER_SYMBOLS set (memtop symbolises itself, from
 * /proc/PID/maps); with symbols the frame lines read
 * "560439ecb18a leak_here+17 (/tmp/allocs)". Only the first hex number of
 * a frame line is taken. The program's own lines start with "memtop-trace:".
 */

export interface RawStack {
  /** The return address found at the stack pointer on entry: the immediate caller. */
  caller: bigint;
  /** The user stack from the return probe, innermost first. */
  frames: bigint[];
  /** Outstanding bytes and allocations, already scaled back from sampling. */
  bytes: number;
  count: number;
}

export interface TraceOutput {
  /** The sampling factor the trace ran with (1: every call). */
  every: number;
  stacks: RawStack[];
  /** Seconds recording ran, as the kernel timed it (undefined: not printed). */
  window?: number;
  /** The END block ran to its end (else the output was cut: bpftrace killed or failed). */
  complete: boolean;
}

/** A progress line of the program: `started`, `armed N` (recording from now on, one in N), `tick CALLS`. */
export type TraceEvent = { kind: 'started' } | { kind: 'armed'; every: number } | { kind: 'tick'; calls: number };

export function traceEvent(line: string): TraceEvent | undefined {
  const m = /^memtop-trace: (started|armed every (\d+)|tick (\d+))\s*$/.exec(line);
  if (!m) return undefined;
  if (m[2] !== undefined) return { kind: 'armed', every: Number(m[2]) };
  if (m[3] !== undefined) return { kind: 'tick', calls: Number(m[3]) };
  return { kind: 'started' };
}

const ENTRY = /^@(ob|oc)\[(\d+),\s*$/;
const VALUE = /^\]:\s*(-?\d+)\s*$/;
const FRAME = /^\s+(?:0x)?([0-9a-f]+)\b/;

export function parseTraceOutput(text: string): TraceOutput {
  const lines = text.split('\n');
  const keyed = new Map<string, RawStack>();
  let every = 1;
  let complete = false;
  let window: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const ev = /^memtop-trace: every (\d+)\s*$/.exec(line);
    if (ev) every = Number(ev[1]);
    const win = /^memtop-trace: window (\d+)\s*$/.exec(line);
    if (win) window = Number(win[1]) / 1000;
    if (line.startsWith('memtop-trace: end')) complete = true;
    const head = ENTRY.exec(line);
    if (!head) continue;
    const frames: bigint[] = [];
    let value: number | undefined;
    for (i++; i < lines.length; i++) {
      const l = lines[i]!;
      const v = VALUE.exec(l);
      if (v) {
        value = Number(v[1]);
        break;
      }
      const f = FRAME.exec(l);
      if (f) frames.push(BigInt(`0x${f[1]}`));
      else break; // not a map entry after all: cut output
    }
    if (value === undefined) continue;
    const caller = BigInt(head[2]!);
    const key = `${caller}:${frames.join(',')}`;
    let s = keyed.get(key);
    if (!s) keyed.set(key, (s = { caller, frames, bytes: 0, count: 0 }));
    if (head[1] === 'ob') s.bytes += value;
    else s.count += value;
  }
  return { every, stacks: [...keyed.values()], complete, ...(window !== undefined ? { window } : {}) };
}
