/**
 * What a kernel counter or size can be: the kernel prints them as unsigned
 * 64-bit numbers, so a negative, fractional, non-finite or larger-than-2^64
 * value in a file under /proc is not the kernel's (a planted or damaged
 * file) and is unknown, never a figure.
 */

/** 2^64 as a double: the first double above every u64 the kernel prints (2^64 - 1 rounds to it). */
export const U64_LIMIT = 2 ** 64;

/** True for a number the kernel can print as a counter or size. */
export function isKernelCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= U64_LIMIT;
}

/** The counter in `text`, or undefined when it is not one the kernel can print. */
export function kernelCount(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const v = Number(text);
  return isKernelCount(v) ? v : undefined;
}

/** A finite number (load averages, pressure ratios), else 0. */
export function finiteOr0(text: string | undefined): number {
  const v = Number(text);
  return Number.isFinite(v) ? v : 0;
}
