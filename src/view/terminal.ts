import { createRequire } from 'node:module';

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
 * Why the live screen cannot be drawn on this terminal (TERM=dumb, an
 * emacs shell buffer, a serial console described without cursor
 * addressing), or undefined when it can: the caller prints text instead.
 * blessed's own terminfo reader decides, as it would for the screen.
 */
export function noScreenReason(envTerm: string | undefined, override?: string): string | undefined {
  const name = terminalName(envTerm, override) ?? envTerm;
  if (!name) return undefined; // blessed assumes an xterm, as most terminals are
  const Tput = createRequire(import.meta.url)('blessed/lib/tput') as new (o: object) => { strings: Record<string, unknown> };
  let addressing: unknown;
  try {
    addressing = new Tput({ terminal: name, extended: true }).strings.cursor_address;
  } catch {
    return undefined; // blessed falls back to an xterm description too
  }
  return addressing ? undefined : `the terminal '${name}' has no cursor addressing (TERM=${envTerm ?? ''})`;
}
