/** Small statistics and formatting shared by the benchmark's parts. */

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(xs: readonly number[]): number | undefined {
  return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Element-wise a[i] / b[i] where both exist and b[i] > 0 (ratios within the same round). */
export function ratios(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined && y > 0) out.push(x / y);
  }
  return out;
}

export function ms(x: number | undefined): string {
  if (x === undefined) return 'n/a';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function times(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${x.toFixed(2)}x`;
}

export function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : (bytes / 1048576).toFixed(1);
}

export function range(xs: readonly number[]): string {
  if (xs.length === 0) return 'n/a';
  return `${ms(Math.min(...xs))}-${ms(Math.max(...xs))}`;
}

export const sleep = (msec: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, msec)));
