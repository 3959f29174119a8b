/** Where the live screen's keys come from when stdin is not the keyboard. */
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';

/** /dev/tty as a keyboard, or undefined without a controlling terminal. */
export function controllingTerminal(): ReadStream | undefined {
  try {
    return new ReadStream(openSync('/dev/tty', 'r'));
  } catch {
    return undefined;
  }
}
