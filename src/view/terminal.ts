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
