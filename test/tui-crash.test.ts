/**
 * An unexpected exception while the live screen runs: the terminal is given
 * back (alternate screen left, cursor shown) before one line on stderr, and
 * memtop exits 1. The exception is thrown by a module preloaded into memtop's
 * node (NODE_OPTIONS=--import) once the screen is up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtyScreen } from './tui-harness.js';

test('an exception in the live screen restores the terminal, says one line and exits 1', { timeout: 30000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-crash-'));
  const boom = join(dir, 'boom.mjs');
  writeFileSync(boom, "setTimeout(() => { throw new Error('boom in the screen'); }, 2000);\n");
  const s = new PtyScreen(['1'], 100, 30, { env: { NODE_OPTIONS: `--import=${boom}` } });
  try {
    await s.waitText(/PID/, 10000);
    const code = await Promise.race([s.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15000))]);
    assert.equal(code, 1);
    const left = s.raw.lastIndexOf('\x1b[?1049l');
    const said = s.raw.indexOf('memtop: internal error: boom in the screen');
    assert.ok(left >= 0, 'the alternate screen is left');
    assert.ok(said > left, `the line comes after the terminal is restored: ${JSON.stringify(s.raw.slice(-200))}`);
    assert.doesNotMatch(s.raw.slice(left), /\n\s+at /, 'no stack trace');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
