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

type Build = (row: Row) => ProcSample;

/** Builders by their columns (see builder), kept across decodes; bounded, the columns being the file's. */
const builders = new Map<string, Build>();
const MAX_BUILDERS = 256;
/** A column name that can stand in an object literal as it is (and is no __proto__). */
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A process object from a row, by an object literal of exactly the columns
 * present: V8 keeps such objects compact (their fields inside the object).
 * Built one key at a time instead, an object of more than 16 fields turns
 * into a hash table, some 1.6 KB a process instead of about 300 bytes, which
 * made a replay hold three times the memory of the recorder (issue 21).
 * Undefined for odd column names: the caller builds key by key.
 */
function builder(cols: string[], present: number[]): Build | undefined {
  const key = present.map((i) => cols[i]).join(',');
  let build = builders.get(key);
  if (build) return build;
  if (!present.every((i) => PLAIN_NAME.test(cols[i]!) && cols[i] !== '__proto__')) return undefined;
  if (builders.size >= MAX_BUILDERS) return undefined;
  // The names are checked above: nothing from the file is code here but plain identifiers.
  build = new Function('r', `return { ${present.map((i) => `${cols[i]}: r[${i}]`).join(', ')} };`) as Build;
  builders.set(key, build);
  return build;
}

function fromRows(rows: Row[], cols: string[]): ProcSample[] {
  /** Builders of this decode by which of its columns a row has. */
  const local = new Map<string, Build | undefined>();
  return rows.map((row) => {
    const present: number[] = [];
    for (let i = 0; i < row.length && i < cols.length; i++) if (row[i] !== null && row[i] !== undefined) present.push(i);
    const pattern = present.join(',');
    let build = local.get(pattern);
    if (!local.has(pattern)) local.set(pattern, (build = builder(cols, present)));
    if (build) return build(row);
    const p: Record<string, Json> = {};
    for (const i of present) p[cols[i]!] = row[i]!;
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
    if (!procs.has(pid)) throw new Error(`delta changes pid ${pid} the keyframe lacks`);
    procs.set(pid, patch(procs.get(pid) as unknown as Json, d) as unknown as ProcSample);
  }
  for (const p of fresh) procs.set(p.pid, p);
  const order = wire.o ?? defaultOrder(key.procs, new Set(wire.g), fresh);
  return {
    ...sys,
    procs: order.map((pid) => {
      const p = procs.get(pid);
      if (!p) throw new Error(`delta lists pid ${pid} it does not describe`);
      return p;
    }),
  };
}
