/**
 * The help overlay (h or ?): every key of keys.ts, in as many columns as
 * the terminal's height needs, cut to its width, in a plain ASCII frame
 * (line-drawing characters depend on the terminal's charset support).
 * Any key closes it.
 */
import { helpEntries } from './keys.js';

const FOOTER = 'any key closes this help';

/** Where the leaker is found, as the README's "Finding the leaker" and the manual say it. */
export const FINDING = [
  'the leaker: L, or m then O RGROW / O TRATE: growers first, then + new, ~ young',
];

export function helpOverlay(width: number, height: number): string[] {
  const entries = helpEntries();
  // Border (2 lines), a blank line, the leaker's line and the footer around the entries.
  const perColumn = Math.max(1, height - 4 - FINDING.length);
  const columns = Math.ceil(entries.length / perColumn);
  const rows = Math.ceil(entries.length / columns);
  const colWidth = Math.max(...entries.map((e) => e.length));
  const inner = Math.max(1, width - 2);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      const e = entries[c * rows + r];
      if (e !== undefined) cells.push(e.padEnd(colWidth));
    }
    lines.push(cells.join('  ').trimEnd().slice(0, inner));
  }
  lines.push('', ...FINDING.map((l) => l.slice(0, inner)), FOOTER.slice(0, inner));
  const body = lines.slice(0, Math.max(1, height - 2));
  const w = Math.max(...body.map((l) => l.length));
  const rule = `+${'-'.repeat(w)}+`;
  const title = ' memtop keys ';
  const top = w >= title.length + 2 ? `+-${title}${'-'.repeat(w - title.length - 1)}+` : rule;
  return [top, ...body.map((l) => `|${l.padEnd(w)}|`), rule];
}
