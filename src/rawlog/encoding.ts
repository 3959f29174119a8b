/**
 * Samples as record payloads (JSON text before compression).
 *
 * Keyframe: the whole sample; its process list as columns and rows, so field
 * names are written once: { ...system, procs: { cols: [...], rows: [[...]] } }.
 *
 * Delta: the changes from its keyframe only (never from the record before),
 * so it decodes with its keyframe alone:
 *   { s: diff(system parts), g: [pids gone], c: [[pid, diff], ...],
 *     n: [rows of new processes], x?: [columns beyond the keyframe's], o?: [pid order] }
 * New processes (pids the keyframe lacks) are rows in the keyframe's columns
 * (plus x). The order of the process list is: the keyframe's survivors, then
 * the new ones; "o" gives it explicitly when the sample's order differs.
 */
import type { ProcSample, Sample } from '../sample.js';
import { RecordError } from './format.js';
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
  n: Row[];
  x?: string[];
  o?: number[];
}

function plain<T>(v: T): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

function systemPart(s: Sample): { [key: string]: Json } {
  const { procs: _procs, ...rest } = s;
  return plain(rest) as { [key: string]: Json };
}

/**
 * Processes as rows; `cols` is extended with each field name as first met
 * (undefined fields are absent: null in a row). The same procs give the
 * same columns whether they were read or decoded, so a delta can name its
 * keyframe's columns without writing them.
 */
function toRows(procs: ProcSample[], cols: string[]): Row[] {
  const index = new Map(cols.map((c, i) => [c, i]));
  return procs.map((p) => {
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
    return row;
  });
}

function fromRows(rows: Row[], cols: string[]): ProcSample[] {
  return rows.map((row) => {
    const p: Record<string, Json> = {};
    for (let i = 0; i < row.length; i++) if (row[i] !== null) p[cols[i]!] = row[i]!;
    return p as unknown as ProcSample;
  });
}

export function encodeKeyframe(s: Sample): string {
  const cols: string[] = [];
  const rows = toRows(s.procs, cols);
  const wire: KeyWire = { ...systemPart(s), procs: { cols, rows } };
  return JSON.stringify(wire);
}

export function decodeKeyframe(text: string): Sample {
  const wire = JSON.parse(text) as KeyWire;
  return { ...(wire as unknown as Sample), procs: fromRows(wire.procs.rows, wire.procs.cols) };
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
function defaultOrder(key: ProcSample[], gone: Set<number>, fresh: ProcSample[]): number[] {
  const out: number[] = [];
  for (const p of key) if (!gone.has(p.pid)) out.push(p.pid);
  for (const p of fresh) out.push(p.pid);
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
  const fresh: ProcSample[] = [];
  for (const p of cur.procs) {
    const was = keyPids.get(p.pid);
    if (was === undefined) {
      fresh.push(p);
      continue;
    }
    const d = diff(was as unknown as Json, p as unknown as Json);
    if (d !== SAME) c.push([p.pid, d]);
  }
  const cols: string[] = [];
  toRows(key.procs, cols);
  const known = cols.length;
  const wire: DeltaWire = { s: s === SAME ? {} : s, g, c, n: toRows(fresh, cols) };
  if (cols.length > known) wire.x = cols.slice(known);
  const order = defaultOrder(key.procs, new Set(g), fresh);
  if (order.length !== cur.procs.length || order.some((pid, i) => cur.procs[i]!.pid !== pid)) {
    wire.o = cur.procs.map((p) => p.pid);
  }
  return JSON.stringify(wire);
}

export function decodeDelta(key: Sample, text: string): Sample {
  const wire = JSON.parse(text) as DeltaWire;
  const sys = patch(systemPart(key), wire.s) as unknown as Sample;
  const cols: string[] = [];
  toRows(key.procs, cols);
  const fresh = fromRows(wire.n, [...cols, ...(wire.x ?? [])]);
  const procs = new Map(key.procs.map((p) => [p.pid, p]));
  for (const [pid, d] of wire.c) {
    if (!procs.has(pid)) throw new RecordError(`delta changes pid ${pid} the keyframe lacks`);
    procs.set(pid, patch(procs.get(pid) as unknown as Json, d) as unknown as ProcSample);
  }
  for (const p of fresh) procs.set(p.pid, p);
  const order = wire.o ?? defaultOrder(key.procs, new Set(wire.g), fresh);
  return {
    ...sys,
    procs: order.map((pid) => {
      const p = procs.get(pid);
      if (!p) throw new RecordError(`delta lists pid ${pid} it does not describe`);
      return p;
    }),
  };
}
