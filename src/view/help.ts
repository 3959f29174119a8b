/**
 * The help overlay (h or ?): every key of keys.ts, in as many columns as
 * the terminal's height needs (each column as wide as its own entries),
 * the whole width of the screen so nothing shows through beside it, in a
 * plain ASCII frame (line-drawing characters depend on the terminal's
 * charset support), "any key closes" in its bottom border. Any key closes it.
 */
import { helpEntries } from './keys.js';

const TITLE = ' memtop keys ';
const FOOTER = ' any key closes this help ';

/** Entries in `columns` columns, top to bottom then left to right: the lines, each column padded to its widest entry. */
function layOut(entries: { label: string; help: string }[], columns: number): string[] {
  const rows = Math.ceil(entries.length / columns);
  const cols: string[][] = [];
  for (let c = 0; c < columns; c++) {
    const part = entries.slice(c * rows, (c + 1) * rows);
    const labelWidth = Math.max(0, ...part.map((e) => e.label.length));
    const cells = part.map((e) => `${e.label.padEnd(labelWidth)}  ${e.help}`);
    const width = Math.max(0, ...cells.map((t) => t.length));
    cols.push(cells.map((t) => t.padEnd(width)));
  }
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) lines.push(cols.map((col) => col[r] ?? '').join('  ').trimEnd());
  return lines;
}

/** Where the leaker is found, as the README's "Finding the leaker" and the manual say it. */
export const FINDING = [
  'the leaker: L, or m then O RGROW / O TRATE: growers first, then + new, ~ young',
];

export function helpOverlay(width: number, height: number): string[] {
  const entries = helpEntries();
  const inner = Math.max(1, width - 2);
  // Borders (2 lines), a blank line and the leaker's line below the entries; the blank goes when
  // the entries would need another column for it.
  const fit = (tail: string[]) => layOut(entries, Math.ceil(entries.length / Math.max(1, height - 2 - tail.length))).concat(tail);
  const spaced = fit(['', ...FINDING]);
  const tight = fit(FINDING);
  // The fewest columns that the height allows (cut at the width when a short terminal needs more).
  const wide = (ls: string[]) => Math.max(...ls.map((l) => l.length)) > inner;
  const lines = wide(spaced) && !wide(tight) ? tight : spaced;
  const body = lines.slice(0, Math.max(1, height - 2)).map((l) => l.slice(0, inner));
  const w = inner;
  const border = (text: string) => (w >= text.length + 2 ? `+-${text}${'-'.repeat(w - text.length - 1)}+` : `+${'-'.repeat(w)}+`);
  return [border(TITLE), ...body.map((l) => `|${l.padEnd(w)}|`), border(FOOTER)];
}
