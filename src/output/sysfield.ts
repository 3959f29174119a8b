/**
 * atop's boxed system lines (showsys.c showsysline): a 3-character label,
 * then boxes of " | " plus a 12-character field, ending " |". Boxes per
 * line: (width - 5) / 15. When a line has more fields than boxes, the lowest
 * priority goes first and among equal priorities the LEFTMOST goes first;
 * the survivors keep their order. When it has fewer, blank boxes and single
 * spaces are spread over the line exactly as atop spreads them.
 */
import { memStr, valStr } from '../format/units.js';
import type { Level } from '../model/thresholds.js';

export const FIELD_WIDTH = 12;

export interface SysField {
  prio: number;
  /** Exactly FIELD_WIDTH columns; '' is a blank box. */
  text: string;
  /** 'line': takes the line's colour; a Level or 'info': its own colour; undefined: plain. */
  color?: 'line' | Level | 'info';
}

export interface SysLine {
  label: string;
  level: Level;
  fields: SysField[];
}

/** "name" left, value right, FIELD_WIDTH in all (the value written at atop's offset). */
function join(name: string, value: string): string {
  return name.padEnd(FIELD_WIDTH - value.length) + value;
}

/**
 * A count with val2valstr in `width` characters; by default the width atop
 * uses for most fields: what is left after the name and one space.
 */
export function countField(name: string, n: number, prio: number, color?: SysField['color'], width = FIELD_WIDTH - 1 - name.length): SysField {
  return { prio, text: join(name, valStr(n, width)), color };
}

/** A size, never below M on system lines: "free   56.5M". */
export function sizeField(name: string, bytes: number, prio: number, color?: SysField['color']): SysField {
  return { prio, text: join(name, memStr(bytes, 'M')), color };
}

/** Any preformatted value, right-aligned after the name. */
export function textField(name: string, value: string, prio: number, color?: SysField['color']): SysField {
  return { prio, text: join(name, value.padStart(FIELD_WIDTH - 1 - name.length)), color };
}

/**
 * A value printed as C's "name %W.Df" (atop's MBr/s and MBw/s): a value
 * wider than its room keeps the space after the name and widens the box,
 * pushing the rest of the line right, as atop's sprintf does.
 */
export function wideField(name: string, value: string, prio: number, color?: SysField['color']): SysField {
  const room = FIELD_WIDTH - 1 - name.length;
  return { prio, text: `${name} ${value.padStart(room)}`, color };
}

export function blankField(prio = 0): SysField {
  return { prio, text: '' };
}

/** Number of boxes a line of `width` characters holds (at least one). */
export function boxCount(width: number): number {
  return Math.max(1, Math.floor((width - 5) / 15));
}

/** Drops the lowest priorities (leftmost first among equals) until `boxes` remain. */
export function fitFields(fields: SysField[], boxes: number): SysField[] {
  const kept = fields.slice();
  while (kept.length > boxes) {
    let lowest = 0;
    for (let i = 1; i < kept.length; i++) if (kept[i]!.prio < kept[lowest]!.prio) lowest = i;
    kept.splice(lowest, 1);
  }
  return kept;
}

/** One piece of a laid-out line: separators and spaces have no field. */
export interface SysPart {
  text: string;
  field?: SysField;
}

/** The line at `width` as parts, label excluded: " | ", fields, blank boxes and slack spaces. */
export function layoutSysLine(line: SysLine, width: number): SysPart[] {
  const avail = boxCount(width);
  const items = fitFields(line.fields, avail);
  const n = items.length;
  const itemSlack = n > 1 ? (avail - n) / n : Math.trunc((avail - n) / 2);
  const charSlack = Math.max(0, (width - 5) % 15) / (avail * 2);
  let charUsed = 0;
  let itemUsed = 0;
  const parts: SysPart[] = [];
  const blanks = () => {
    charUsed += charSlack;
    let s = '';
    while (charUsed > 0.5) {
      s += ' ';
      charUsed -= 1;
    }
    if (s) parts.push({ text: s });
  };
  for (const f of items) {
    parts.push({ text: ' | ' });
    blanks();
    parts.push({ text: f.text.padEnd(FIELD_WIDTH), field: f });
    itemUsed += itemSlack;
    while (itemUsed > 0.5) {
      blanks();
      parts.push({ text: ' | ' }, { text: ' '.repeat(FIELD_WIDTH) });
      blanks();
      itemUsed -= 1;
    }
    blanks();
  }
  parts.push({ text: ' |' });
  return parts;
}

/** The plain text of a line at `width`: "MEM | tot    3.8G | ... |". */
export function plainSysLine(line: SysLine, width: number): string {
  return line.label.padEnd(3).slice(0, 3) + layoutSysLine(line, width).map((p) => p.text).join('');
}
