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
      text = (abs < 9.95 ? scaled.toFixed(1) : Math.round(scaled).toString()).padStart(width - 1) + letter;
    } else {
      text = scaled.toFixed(1).padStart(width - 1) + letter;
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
  if (n < 0) return '?'.padStart(width);
  n = Math.round(n);
  if (n < 10 ** width - 1) return String(n).padStart(width);
  const keep = Math.max(1, width - 2);
  const digits = String(n);
  let mant = Number(digits.slice(0, keep));
  let exp = digits.length - keep;
  if (Number(digits[keep]) >= 5) mant++;
  if (mant >= 10 ** keep) {
    mant = Math.trunc(mant / 10);
    exp++;
  }
  return `${mant}e${exp}`.padStart(width);
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

/** C's "%N.Mf" with an explicit width, for the few fixed-format figures. */
export function fixed(value: number, width: number, decimals: number): string {
  return value.toFixed(decimals).padStart(width);
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

/** Elapsed interval for the header: "10s", "2m20s", "1h05m". */
export function elapsedStr(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.trunc(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.trunc(s / 3600)}h${String(Math.trunc((s % 3600) / 60)).padStart(2, '0')}m`;
}
