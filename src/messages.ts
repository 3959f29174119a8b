/** How memtop speaks to the user outside the screen: one line on stderr, never a stack trace. */

/** One line on stderr, prefixed as every memtop message is. */
export function say(message: string): void {
  process.stderr.write(`memtop: ${message}\n`);
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
