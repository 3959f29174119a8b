/** The screen's first line, shared by the text output and the TUI. */
import { elapsedStr } from '../format/units.js';
import type { Interval } from '../model/interval.js';

const two = (n: number) => String(n).padStart(2, '0');

export function dateStr(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}/${two(d.getMonth() + 1)}/${two(d.getDate())}`;
}

export function timeStr(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * "MEMTOP - host   2026/11/24  22:28:06   flags   10s elapsed", the parts
 * spread over the width as atop spreads its own header.
 */
export function headerLine(iv: Interval, width: number, flags = ''): string {
  const parts = [`MEMTOP - ${iv.host}`, `${dateStr(iv.time)}  ${timeStr(iv.time)}`];
  if (flags) parts.push(flags);
  parts.push(`${elapsedStr(iv.elapsed)} elapsed`);
  const used = parts.reduce((n, p) => n + p.length, 0);
  const gaps = parts.length - 1;
  const spare = Math.max(gaps * 2, width - used);
  let out = '';
  parts.forEach((p, i) => {
    out += p;
    if (i < gaps) out += ' '.repeat(Math.floor(spare / gaps) + (i < spare % gaps ? 1 : 0));
  });
  return out.slice(0, Math.max(width, 0));
}
