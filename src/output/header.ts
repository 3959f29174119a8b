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
 * "MEMTOP - host   2026/11/24  22:28:06   -------   10s elapsed", spaced as
 * atop spaces its header: the room left is split in thirds around the date
 * and the flags.
 */
export function headerLine(iv: Interval, width: number, flags = ''): string {
  const elapsed = elapsedStr(iv.elapsed);
  const fixedChars = 'MEMTOP - '.length + 10 + 2 + 8 + flags.length + ' elapsed'.length;
  const room = Math.max(3, width - fixedChars - elapsed.length - iv.host.length);
  const len1 = Math.max(1, Math.floor(room / 3));
  const len2 = Math.max(1, room - 2 * len1);
  const line =
    `MEMTOP - ${iv.host}${' '.repeat(len1)}${dateStr(iv.time)}  ${timeStr(iv.time)}` +
    `${' '.repeat(len1)}${flags}${' '.repeat(len2)}${elapsed} elapsed`;
  return line.slice(0, Math.max(width, 0));
}
