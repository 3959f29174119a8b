/** Text from the system (command names, lines) made safe to show in a fixed-width cell. */

/** Printable single-width characters only: control and wide characters would shift the screen. */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e\u00a0-\u02ff]/g, '?');
}
