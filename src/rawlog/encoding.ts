/**
 * Samples as record payloads (JSON text before compression).
 *
 * Keyframe: the whole sample; its process list as columns and rows, so field
 * names are written once: { ...system, procs: { cols: [...], rows: [[...]] } }.
 *
 * Delta: the changes from its keyframe only (never from the record before),
 * so it decodes with its keyframe alone:
 *   { s: diff(system parts), g: [pids gone], c: [[pid, diff], ...], o?: [pid order] }
 * A process whose pid the keyframe lacks is written whole in c. The order of
 * the process list is: the keyframe's survivors, then the new pids as listed
 * in c; "o" gives it explicitly when the sample's order differs from that.
 */
import type { ProcSample, Sample } from '../sample.js';
import { diff, patch, SAME, type Json } from './patch.js';

type Row = Json[];

interface KeyWire {
  procs: { cols: string[]; rows: Row[] };
  [key: string]: Json;
}

interface DeltaWire {
  s: Json;
  g: number[];
  c: [number, Json][];
  o?: number[];
}

function plain<T>(v: T): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

function systemPart(s: Sample): { [key: string]: Json } {
  const { procs: _procs, ...rest } = s;
  return plain(rest) as { [key: string]: Json };
}

export function encodeKeyframe(s: Sample): string {
  const cols: string[] = [];
  const index = new Map<string, number>();
  const rows: Row[] = [];
  for (const p of s.procs) {
    const row: Row = [];
    for (const k in p) {
      const v = (p as unknown as Record<string, Json | undefined>)[k];
      if (v === undefined) continue;
      let i = index.get(k);
      if (i === undefined) {
        i = cols.length;
        cols.push(k);
        index.set(k, i);
      }
      while (row.length < i) row.push(null);
      row[i] = v;
    }
    rows.push(row);
  }
  const wire: KeyWire = { ...systemPart(s), procs: { cols, rows } };
  return JSON.stringify(wire);
}

export function decodeKeyframe(text: string): Sample {
  const wire = JSON.parse(text) as KeyWire;
  const { cols, rows } = wire.procs;
  const procs = rows.map((row) => {
    const p: Record<string, Json> = {};
    for (let i = 0; i < row.length; i++) if (row[i] !== null) p[cols[i]!] = row[i]!;
    return p as unknown as ProcSample;
  });
  return { ...(wire as unknown as Sample), procs };
}

function byPid(procs: ProcSample[]): Map<number, ProcSample> | undefined {
  const m = new Map<number, ProcSample>();
  for (const p of procs) {
    if (m.has(p.pid)) return undefined;
    m.set(p.pid, p);
  }
  return m;
}

/** The order decodeDelta gives when the delta has no "o". */
function defaultOrder(key: ProcSample[], gone: Set<number>, changed: [number, Json][], keyPids: Map<number, ProcSample>): number[] {
  const out: number[] = [];
  for (const p of key) if (!gone.has(p.pid)) out.push(p.pid);
  for (const [pid] of changed) if (!keyPids.has(pid)) out.push(pid);
  return out;
}

/** Undefined when the sample cannot be written as a delta of `key` (duplicate pids): write a keyframe. */
export function encodeDelta(key: Sample, cur: Sample): string | undefined {
  const keyPids = byPid(key.procs);
  const curPids = byPid(cur.procs);
  if (!keyPids || !curPids) return undefined;
  const s = diff(systemPart(key), systemPart(cur));
  const g: number[] = [];
  for (const p of key.procs) if (!curPids.has(p.pid)) g.push(p.pid);
  const c: [number, Json][] = [];
  for (const p of cur.procs) {
    const was = keyPids.get(p.pid);
    const d = diff(was as unknown as Json | undefined, p as unknown as Json);
    if (d !== SAME) c.push([p.pid, d]);
  }
  const wire: DeltaWire = { s: s === SAME ? {} : s, g, c };
  const order = defaultOrder(key.procs, new Set(g), c, keyPids);
  if (order.length !== cur.procs.length || order.some((pid, i) => cur.procs[i]!.pid !== pid)) {
    wire.o = cur.procs.map((p) => p.pid);
  }
  return JSON.stringify(wire);
}

export function decodeDelta(key: Sample, text: string): Sample {
  const wire = JSON.parse(text) as DeltaWire;
  const sys = patch(systemPart(key), wire.s) as unknown as Sample;
  const keyPids = new Map(key.procs.map((p) => [p.pid, p]));
  const changed = new Map(wire.c);
  const gone = new Set(wire.g);
  const order = wire.o ?? defaultOrder(key.procs, gone, wire.c, keyPids);
  const procs = order.map((pid) => {
    const was = keyPids.get(pid);
    const d = changed.get(pid);
    if (d === undefined) {
      if (!was) throw new Error(`delta names pid ${pid} the keyframe lacks`);
      return was;
    }
    return patch(was as unknown as Json | undefined, d) as unknown as ProcSample;
  });
  return { ...sys, procs };
}
