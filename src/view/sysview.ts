/**
 * The system lines on the screen: atop's boxed layout (from sysfield.ts)
 * with atop's colours. A field coloured 'line' takes the line's level, a
 * field with its own level keeps it; the label is red and blinks when the
 * line is critical, cyan when almost critical. Without colours: bold.
 */
import { layoutSysLine, type SysField, type SysLine } from '../output/sysfield.js';
import { levelPaint, paint, type Paint } from './sgr.js';

function fieldPaint(field: SysField, line: SysLine): Paint | undefined {
  const color = field.color === 'line' ? line.level : field.color;
  return color === undefined || color === 'ok' ? undefined : color;
}

/** One system line, `width` columns, with its colours. */
export function styledSysLine(line: SysLine, width: number, colorOn: boolean): string {
  // atop: a critical line's label blinks, red (bold without colours).
  const label = paint(line.label.padEnd(3).slice(0, 3), levelPaint(line.level), colorOn, line.level === 'crit');
  let out = label;
  let used = 3;
  for (const part of layoutSysLine(line, width)) {
    if (used >= width) break;
    const text = part.text.slice(0, width - used);
    used += text.length;
    out += part.field ? paint(text, fieldPaint(part.field, line), colorOn) : text;
  }
  return out;
}

/**
 * The lines that fit in `rows` screen lines: per-CPU lines go first when
 * room is short (atop shows them "when there is room"), then lines from the
 * bottom (devices).
 */
export function fitSysLines(lines: readonly SysLine[], rows: number): readonly SysLine[] {
  if (lines.length <= rows) return lines;
  const others = lines.filter((l) => l.label !== 'cpu');
  if (others.length >= rows) return others.slice(0, Math.max(0, rows));
  // Some per-CPU lines fit: the busiest (they come sorted busiest first).
  let room = rows - others.length;
  return lines.filter((l) => l.label !== 'cpu' || room-- > 0);
}
