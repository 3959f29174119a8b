/**
 * atop's boxed system lines: a 3-character label, then boxes of " | " plus
 * a 12-character field, ending " |". A field has a priority; when the line
 * has more fields than boxes, the lowest priorities are dropped first and
 * the rest keep their order.
 */
import { memStr, valStr } from '../format/units.js';
import type { Level } from '../model/thresholds.js';

export const FIELD_WIDTH = 12;

export interface SysField {
  prio: number;
  /** Exactly FIELD_WIDTH characters; an empty string is a blank box. */
  text: string;
  /** 'line': takes the line's colour; a Level: its own colour; undefined: plain. */
  color?: 'line' | Level | 'info';
}

export interface SysLine {
  label: string;
  level: Level;
  fields: SysField[];
}

function join(name: string, value: string): string {
  const room = FIELD_WIDTH - name.length;
  const v = value.length > room - 1 && name ? value.slice(-(room - 1)) : value;
  return (name + v.padStart(room)).slice(0, FIELD_WIDTH);
}

/** A count: "read   30392"; the number takes what the name leaves (val2valstr). */
export function countField(name: string, n: number, prio: number, color?: SysField['color']): SysField {
  return { prio, text: join(name, valStr(n, FIELD_WIDTH - name.length)), color };
}

/** A size, never below M on system lines: "free   56.5M". */
export function sizeField(name: string, bytes: number, prio: number, color?: SysField['color']): SysField {
  return { prio, text: join(name, memStr(bytes, 'M')), color };
}

/** Any preformatted value, right-aligned after the name. */
export function textField(name: string, value: string, prio: number, color?: SysField['color']): SysField {
  return { prio, text: join(name, value), color };
}

export function blankField(prio = 0): SysField {
  return { prio, text: '' };
}

/** Number of boxes a line of `width` characters holds. */
export function boxCount(width: number): number {
  return Math.max(1, Math.floor((width - 5) / 15));
}

/**
 * The fields shown in `boxes` boxes: the highest priorities, ties resolved
 * in favour of the leftmost field, original order kept.
 */
export function fitFields(fields: SysField[], boxes: number): SysField[] {
  if (fields.length <= boxes) return fields;
  const keep = new Set(
    fields
      .map((f, i) => ({ f, i }))
      .sort((a, b) => b.f.prio - a.f.prio || a.i - b.i)
      .slice(0, boxes)
      .map((x) => x.i),
  );
  return fields.filter((_, i) => keep.has(i));
}

/** The plain text of a line at `width`: "MEM | tot    3.8G | ... |". */
export function plainSysLine(line: SysLine, width: number): string {
  const shown = fitFields(line.fields, boxCount(width));
  return `${line.label.padEnd(3)} |${shown.map((f) => ` ${f.text.padEnd(FIELD_WIDTH)} |`).join('')}`;
}
