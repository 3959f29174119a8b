/**
 * Styling of the screen's pre-formatted lines: plain SGR sequences, which
 * blessed reads from content as it reads its own tags, without a tag parse
 * per render and without escaping braces in command names.
 */
import type { Level } from '../model/thresholds.js';
import type { ThemeName } from '../config.js';

/**
 * The terminal's basic colours by name (the names blessed-contrib's canvas
 * takes too): the trend panel's series.
 */
export type Hue = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

/** A colour the model asks for (a badness level or atop's "info" green), or a hue. */
export type Paint = Exclude<Level, 'ok'> | 'info' | Hue;

/** A palette: each paint as a colour of the terminal's palette (0-7 the basic colours, up to 255). */
export type Palette = Record<Paint, number>;

/** atop's colours on a dark background: the default theme. */
const DARK: Palette = {
  crit: 1, almost: 6, info: 2,
  red: 1, green: 2, yellow: 3, blue: 4, magenta: 5, cyan: 6,
};

/**
 * For a light background: yellow, green and cyan on white are 1.7:1 to
 * 2.2:1 against xterm's default palette. Red, blue and magenta of the
 * basic eight stay (4.7:1 and more); green, cyan and yellow become dark
 * shades of the 256-colour cube (#008700 4.7:1, #005f5f 7.5:1, #875f00
 * 5.7:1). A terminal of 8 or 16 colours has no dark shades (blessed would
 * give the bright basic ones back): there green is drawn blue, yellow red
 * and cyan magenta (LIGHT_BASIC), the legend telling the series apart.
 */
const LIGHT: Palette = {
  crit: 1, almost: 5, info: 4,
  red: 1, green: 28, yellow: 94, blue: 4, magenta: 5, cyan: 23,
};

const LIGHT_BASIC: Palette = { ...LIGHT, green: 4, yellow: 1, cyan: 5 };

export const THEMES: Record<ThemeName, Palette> = { dark: DARK, light: LIGHT };

let FG: Palette = DARK;

/**
 * The colours the screen paints with from now on: a theme, with the paints
 * the configuration file set (atoprc's colorinfo, coloralmost, colorcritical),
 * for a terminal of `colours` colours (terminfo's).
 */
export function setPalette(theme: ThemeName = 'dark', overrides: Partial<Record<'info' | 'almost' | 'crit', number>> = {}, colours = 256): void {
  FG = { ...(theme === 'light' && colours < 256 ? LIGHT_BASIC : THEMES[theme]), ...overrides };
}

/** A palette colour as the SGR parameters that select it. */
const fgCode = (c: number) => (c < 8 ? `3${c}` : `38;5;${c}`);

/** The colour a hue is drawn in (the trend panel's canvases take a palette number or a basic name). */
export function hueColour(hue: Hue): number {
  return FG[hue];
}

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
  return sgr((colorOn ? fgCode(FG[color]) : '1') + (blink ? ';5' : '')) + text + RESET;
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
