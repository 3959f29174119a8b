import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/**
 * Which terminal description blessed should use. blessed 0.1.81 only reads
 * the legacy terminfo format, and Debian's tmux-256color and
 * screen-256color entries are in the newer one: blessed then falls back to
 * 8 colours (and prints a dump for screen-256color). xterm-256color is
 * readable and what those terminals emulate. --term overrides the choice.
 */
export function terminalName(envTerm: string | undefined, override?: string): string | undefined {
  if (override) return override;
  if (envTerm && /256color|tmux|screen/.test(envTerm)) return 'xterm-256color';
  return undefined;
}

/**
 * Terminal families whose every terminfo entry has cursor addressing: for
 * them the check below would only cost its read (about 7 ms of a start-up).
 */
export const ADDRESSABLE = /^(xterm|rxvt|screen|tmux|linux|vt[1-5]\d\d|alacritty|kitty|foot|wezterm|st-|st$|konsole|gnome|putty|iterm|eterm|ansi$)/;

interface TerminfoReader {
  terminal: string;
  extended: boolean;
  readTerminfo(term: string): { strings: Record<string, unknown> };
}

/**
 * Why the live screen cannot be drawn on this terminal (TERM=dumb, an
 * emacs shell buffer, a serial console described without cursor
 * addressing), or undefined when it can: the caller prints text instead.
 * blessed's own terminfo reader decides, as it would for the screen, with
 * the same fallback (the system's entry, else blessed's own copy of it),
 * but only reads the entry: building a full Tput also compiles its ~400
 * capabilities into functions, which the screen does once more anyway.
 */
export function noScreenReason(envTerm: string | undefined, override?: string): string | undefined {
  const name = terminalName(envTerm, override) ?? envTerm;
  if (!name) return undefined; // blessed assumes an xterm, as most terminals are
  const term = name.toLowerCase(); // as blessed's Tput looks it up
  if (ADDRESSABLE.test(term)) return undefined;
  const require = createRequire(import.meta.url);
  const Tput = require('blessed/lib/tput') as new (o: object) => TerminfoReader;
  const reader = new Tput({}); // no terminal given: nothing is read or compiled yet
  reader.terminal = term;
  reader.extended = true;
  const own = join(dirname(require.resolve('blessed/lib/tput')), '..', 'usr', basename(term));
  const strings = readOrUndefined(reader, term) ?? readOrUndefined(reader, own);
  if (!strings) return undefined; // no entry blessed can read: it falls back to an xterm
  return strings.cursor_address ? undefined : `the terminal '${name}' has no cursor addressing (TERM=${envTerm ?? ''})`;
}

/** The entry's strings, or undefined when blessed cannot find or parse it. */
function readOrUndefined(reader: TerminfoReader, term: string): Record<string, unknown> | undefined {
  try {
    return reader.readTerminfo(term).strings;
  } catch {
    return undefined;
  }
}

/**
 * Whether braille can be drawn: the locale's character set is UTF-8 (the
 * first of LC_ALL, LC_CTYPE and LANG that is set decides, as setlocale(3)
 * does; under LANG=C blessed prints every braille cell as `?`) and the
 * terminal is not the Linux console, whose fonts have no braille glyphs.
 */
export function brailleDrawable(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (!/utf-?8/i.test(locale)) return false;
  return !/^linux/.test(env.TERM ?? '');
}
