/**
 * Number formatting exactly as atop 2.7+ (various.c). Every figure memtop
 * prints in atop's style goes through here.
 */

export type MemUnit = 'B' | 'K' | 'M' | 'G' | 'T' | 'P' | 'E';
const UNITS: MemUnit[] = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];

/**
 * val2memstr: a byte count in 6 characters, one decimal, in the first unit
 * (B, K, M, G, T, ...) whose maximum of 999 is not exceeded, never below
 * `min`. A negative value is tested at ten times its magnitude to leave room
 * for the sign (-84.0K; -150K gives -0.1M).
 *
 * With `perSecond` (atop's key 1) the value is divided by the interval, the
 * mantissa takes 4 characters and "/s" follows.
 */
export function memStr(bytes: number, min: MemUnit = 'B', perSecond?: number): string {
  let value = bytes;
  let verify = value < 0 ? -value * 10 : value;
  let width = 6;
  let suffix = '';
  if (perSecond && perSecond > 0) {
    value = value / perSecond;
    verify = verify / perSecond;
    width = 4;
    suffix = '/s';
  }
  let unit = 0;
  while (unit < UNITS.length - 1 && verify > 999 * 1024 ** unit) unit++;
  unit = Math.max(unit, UNITS.indexOf(min));
  const letter = UNITS[unit]!;
  let text: string;
  if (unit === 0) {
    text = `${Math.trunc(value)}`.padStart(width - 1) + letter;
  } else {
    const scaled = value / 1024 ** unit;
    if (suffix) {
      // Per second: one decimal for mantissas below 10, integers above.
      const abs = Math.abs(scaled);
      text = (abs < 9.95 ? cFixed(scaled, 1) : cFixed(scaled, 0)).padStart(width - 1) + letter;
    } else {
      text = cFixed(scaled, 1).padStart(width - 1) + letter;
    }
  }
  const out = text + suffix;
  // atop prints OVFLOW when the number pushed the unit letter out of place.
  if (out.length > width + suffix.length) return 'OVFLOW';
  return out;
}

/**
 * val2valstr: a count right-aligned in `width` characters; a value that does
 * not fit becomes exponent form with width-2 digits (123456789 in width 5
 * gives "123e6", rounding when the first dropped digit is 5 or more).
 * Negative counts (a counter that went backwards) print as "?".
 */
export function valStr(n: number, width: number): string {
  let value = Math.round(n);
  if (value < 0) return '?'.padStart(width);
  if (value < 10 ** width - 1) return String(value).padStart(width);
  if (width < 3) return String(value);
  // Exponent form as atop: only the last dropped digit rounds, and not into an extra digit.
  const digits = width - 2;
  const maxval = 10 ** digits - 1;
  let exp = 0;
  let remain = 0;
  while (value > maxval) {
    exp++;
    remain = value % 10;
    value = Math.trunc(value / 10);
  }
  if (remain >= 5 && value < maxval) value++;
  return `${value}e${exp}`.padStart(width);
}

/** val2cpustr: CPU time in milliseconds as "2.66s", "1m40s", "2h05m" or "3d04h". */
export function cpuStr(ms: number): string {
  const pad2 = (v: number) => String(Math.trunc(v)).padStart(2, '0');
  if (ms < 100_000) {
    const s = Math.trunc(ms / 1000);
    return `${String(s).padStart(2)}.${pad2((ms % 1000) / 10)}s`;
  }
  const secs = Math.trunc((ms + 500) / 1000);
  if (secs < 6000) return `${String(Math.trunc(secs / 60)).padStart(2)}m${pad2(secs % 60)}s`;
  const mins = Math.trunc((secs + 30) / 60);
  if (mins < 6000) return `${String(Math.trunc(mins / 60)).padStart(2)}h${pad2(mins % 60)}m`;
  const hours = Math.trunc((mins + 30) / 60);
  return `${String(Math.trunc(hours / 24)).padStart(2)}d${pad2(hours % 24)}h`;
}

/**
 * C's "%.Nf": like toFixed, except that an exact tie rounds to even (glibc
 * prints 0.25 as "0.2" and 2.5 as "2", where toFixed gives "0.3" and "3").
 * A double is an exact tie at N decimals only when it is an odd multiple of
 * 2^-(N+1) (its last decimal digit then a 5 with nothing after it), which
 * one exact multiplication by a power of two tells. It runs for every size
 * on the screen: the earlier check printed ties (memory in pages is often
 * k/4 MiB) with toFixed(100), V8's slow bignum path, a third of a refresh's
 * CPU at 300 processes.
 */
export function cFixed(value: number, decimals: number): string {
  const plain = value.toFixed(decimals);
  const halves = Math.abs(value) * 2 ** (decimals + 1); // exact: a power of two
  if (halves % 2 !== 1) return plain; // not an odd integer: no tie
  // |value| * 10^decimals = tens + 0.5 exactly; C keeps `tens` when it is even (toFixed rounds up).
  const tens = (halves * 5 ** decimals - 1) / 2;
  if (!Number.isSafeInteger(tens * 2 + 1)) return exactTie(value, decimals, plain);
  if (tens % 2 === 1) return plain;
  return (value < 0 && tens !== 0 ? '-' : '') + (tens / 10 ** decimals).toFixed(decimals);
}

/** The tie rule from the exact decimal expansion, for magnitudes past 2^53 units of the last digit. */
function exactTie(value: number, decimals: number, plain: string): string {
  const exact = Math.abs(value).toFixed(100);
  const cut = exact.indexOf('.') + 1 + decimals;
  if (!/^50*$/.test(exact.slice(cut))) return plain;
  const truncated = exact.slice(0, decimals > 0 ? cut : cut - 1);
  const lastDigit = Number(truncated.replace('.', '').slice(-1));
  if (lastDigit % 2 === 1) return plain;
  return (value < 0 && Number(truncated) !== 0 ? '-' : '') + truncated;
}

/** C's "%W.Df". */
export function fixed(value: number, width: number, decimals: number): string {
  return cFixed(value, decimals).padStart(width);
}

/** Disk service time (avio) in milliseconds, atop's seven ranges. */
export function avioStr(ms: number): string {
  if (ms >= 9995) return `${Math.round(ms / 1000)} s`;
  if (ms >= 99.95) return `${fixed(ms, 4, 0)} ms`;
  if (ms >= 9.995) return `${fixed(ms, 4, 1)} ms`;
  if (ms >= 0.09995) return `${fixed(ms, 4, 2)} ms`;
  if (ms >= 0.01) return `${fixed(ms * 1000, 4, 1)} µs`;
  if (ms >= 0.0001) return `${fixed(ms * 1000, 4, 2)} µs`;
  return `${fixed(ms * 1_000_000, 4, 1)} ns`;
}

/** val2elapstr: "0.2s", "2s", "20s", "4m41s", "1h0m5s", "2d3h0m0s" (lower units follow a higher one; tenths below 10 s). */
export function elapsedStr(seconds: number): string {
  // Below 10 s a short interval shows its tenths (0.2 s would read "0s").
  if (seconds < 9.95) {
    const tenths = Math.round(seconds * 10);
    return tenths % 10 === 0 ? `${tenths / 10}s` : `${(tenths / 10).toFixed(1)}s`;
  }
  let s = Math.round(seconds);
  let out = '';
  const units: [number, string][] = [[86400, 'd'], [3600, 'h'], [60, 'm']];
  for (const [size, letter] of units) {
    if (s >= size || out) {
      out += `${Math.trunc(s / size)}${letter}`;
      s %= size;
    }
  }
  return `${out}${s}s`;
}

/** A duration in at most 6 characters: "45s", "12m", "3h20m", "45h", "2d4h", "150d". */
export function durationStr(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 100) return `${s}s`;
  if (s < 6000) return `${Math.round(s / 60)}m`;
  const h = Math.floor(s / 3600);
  if (h < 10) return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 100 ? `${d}d${h % 24}h` : `${Math.min(d, 99999)}d`;
}
