/**
 * The check that decides between the live screen and text (TERM=dumb and
 * the like) reads the terminfo entry without compiling it, and skips terminal
 * families known to address the cursor. Both shortcuts must give the answer
 * a full blessed Tput gives: checked against every terminfo entry this
 * machine has.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { noScreenReason } from '../src/view/terminal.js';

const require = createRequire(import.meta.url);
const Tput = require('blessed/lib/tput') as new (o: object) => { strings: Record<string, unknown> };

/** What the screen's own Tput says: does the terminal memtop would use have cursor addressing? */
function fullTputSaysAddressable(name: string): boolean {
  try {
    return !!new Tput({ terminal: name, extended: true }).strings.cursor_address;
  } catch {
    return true; // blessed falls back to an xterm
  }
}

function terminfoEntries(): string[] {
  const names = new Set<string>();
  for (const dir of ['/lib/terminfo', '/usr/share/terminfo', '/etc/terminfo']) {
    if (!existsSync(dir)) continue;
    for (const letter of readdirSync(dir)) {
      try {
        for (const name of readdirSync(join(dir, letter))) names.add(name);
      } catch {
        // not a directory
      }
    }
  }
  return [...names].sort();
}

test('dumb has no cursor addressing; xterm-256color and an unknown name fall to the screen', () => {
  assert.match(noScreenReason('dumb') ?? '', /the terminal 'dumb' has no cursor addressing \(TERM=dumb\)/);
  assert.equal(noScreenReason('xterm-256color'), undefined);
  assert.equal(noScreenReason('no-such-terminal-memtop'), undefined);
  assert.equal(noScreenReason(undefined), undefined);
  // --term overrides TERM
  assert.match(noScreenReason('xterm', 'dumb') ?? '', /'dumb' has no cursor addressing/);
  assert.equal(noScreenReason('dumb', 'xterm'), undefined);
});

test('the quick check agrees with a full blessed Tput on every terminfo entry of this machine', () => {
  const entries = terminfoEntries();
  assert.ok(entries.includes('dumb') || entries.length > 0, 'no terminfo entries found');
  const disagree: string[] = [];
  for (const name of entries) {
    const screen = noScreenReason(name) === undefined;
    if (screen !== fullTputSaysAddressable(name)) disagree.push(name);
  }
  assert.deepEqual(disagree, [], `checked ${entries.length} entries`);
});
