/**
 * A structural diff of JSON values, small for counters: an integer that
 * changed is stored as its difference, an object as its changed keys, an
 * array as its changed positions. patch(a, diff(a, b)) deep-equals b.
 *
 *   number a, b (safe integers)  -> b - a
 *   object a, b                  -> { key: diff, removedKey: null }
 *   array a, b                   -> [b.length, index, diff, index, diff, ...]
 *   a absent                     -> b as is
 *   anything else                -> b, or ["=", b] where b could be misread
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Marks "no difference" (never written). */
export const SAME = Symbol('same');

export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isInt = Number.isSafeInteger;

function absolute(b: Json): Json {
  return ['=', b];
}

/**
 * The difference from a to b, or SAME. Object keys whose value is undefined
 * count as absent (as in JSON), so samples need no JSON round trip first.
 */
export function diff(a: Json | undefined, b: Json): Json | typeof SAME {
  if (a === undefined) return Array.isArray(b) && b[0] === '=' ? absolute(b) : b;
  if (a === b) return SAME;
  if (typeof a === 'number' && typeof b === 'number') {
    if (isInt(a) && isInt(b)) return isInt(b - a) ? b - a : absolute(b);
    if (Number.isNaN(a) && Number.isNaN(b)) return SAME;
    return b; // a fraction on either side: patch takes a non-integer or a non-integer base as absolute
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Json[] = [b.length];
    for (let i = 0; i < b.length; i++) {
      const d = diff(a[i], b[i]!);
      if (d !== SAME) out.push(i, d);
    }
    return out.length === 1 && a.length === b.length ? SAME : out;
  }
  if (isObject(a) && isObject(b)) {
    const out: { [key: string]: Json } = {};
    let changed = false;
    for (const k in b) {
      const v = b[k];
      if (v === undefined) continue;
      const d = diff(a[k], v);
      if (d !== SAME) {
        out[k] = d;
        changed = true;
      }
    }
    for (const k in a) {
      if (a[k] !== undefined && b[k] === undefined) {
        out[k] = null;
        changed = true;
      }
    }
    return changed ? out : SAME;
  }
  // Types differ, or strings/booleans: the new value; wrapped when patch could take it for a diff.
  if (b === null || Array.isArray(b) || isObject(b)) return absolute(b);
  return b;
}

/** b, from a and diff(a, b). New objects and arrays where something changed; the rest is shared with a. */
export function patch(a: Json | undefined, d: Json): Json {
  if (Array.isArray(d) && d[0] === '=' && d.length === 2) return d[1]!;
  if (a === undefined) return d;
  if (typeof a === 'number' && typeof d === 'number') return isInt(a) && isInt(d) ? a + d : d;
  if (Array.isArray(a) && Array.isArray(d)) {
    const len = d[0] as number;
    const out = a.slice(0, len);
    for (let i = 1; i + 1 < d.length; i += 2) {
      const at = d[i] as number;
      out[at] = patch(a[at], d[i + 1]!);
    }
    return out;
  }
  if (isObject(a) && isObject(d)) {
    const out: { [key: string]: Json } = { ...a };
    for (const k in d) {
      const v = d[k]!;
      if (v === null) delete out[k];
      else out[k] = patch(a[k], v);
    }
    return out;
  }
  return d;
}
