/** What the screen shows instead of itself when the terminal is too small to draw. */
export const MIN_COLS = 40;
export const MIN_ROWS = 8;

export function fitsTerminal(width: number, height: number): boolean {
  return width >= MIN_COLS && height >= MIN_ROWS;
}

/** The notice, its words wrapped to the terminal's width. */
export function tooSmallLines(width: number, height: number): string[] {
  const text = `memtop needs a terminal of at least ${MIN_COLS}x${MIN_ROWS}; this one is ${width}x${height}. Enlarge it, or q to quit.`;
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > w) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > w) {
      lines.push(line.slice(0, w));
      line = line.slice(w);
    }
  }
  if (line) lines.push(line);
  return lines.slice(0, Math.max(1, height));
}
