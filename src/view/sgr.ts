/**
 * Styling of the screen's pre-formatted lines: plain SGR sequences, which
 * blessed reads from content as it reads its own tags, without a tag parse
 * per render and without escaping braces in command names.
 */
import type { Level } from '../model/thresholds.js';

/**
 * The terminal's basic colours by name (the names blessed-contrib's canvas
 * takes too): the trend panel's series.
 */
export type Hue = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

/** A colour the model asks for (a badness level or atop's "info" green), or a hue. */
export type Paint = Exclude<Level, 'ok'> | 'info' | Hue;

const FG: Record<Paint, string> = {
  crit: '31', almost: '36', info: '32',
  red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36',
};

/** A line's badness as a paint: none when ok. */
export const levelPaint = (level: Level): Paint | undefined => (level === 'ok' ? undefined : level);

const sgr = (codes: string) => `\x1b[${codes}m`;
export const RESET = sgr('0');

/**
 * `text` in the colour of `paint`; with colours off (`x`) the same places
 * are bold instead, so the marks survive on a monochrome screen. `blink`
 * adds the blink attribute, in either mode (atop's critical label).
 */
export function paint(text: string, color: Paint | undefined, colorOn: boolean, blink = false): string {
  if (!color || text === '') return text;
  return sgr((colorOn ? FG[color] : '1') + (blink ? ';5' : '')) + text + RESET;
}

export const bold = (text: string) => sgr('1') + text + RESET;
export const reverse = (text: string) => sgr('7') + text + RESET;

/** The highlighted process row: white on blue, or reverse video without colours. */
export function highlight(text: string, colorOn: boolean): string {
  // Inner resets (coloured cells) would end the highlight: re-open it after each.
  const open = colorOn ? sgr('37;44') : sgr('7');
  return open + text.split(RESET).join(RESET + open) + RESET;
}

/** Exactly `width` columns of plain text: cut or padded with spaces. */
export function fit(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text.padEnd(width);
}
