/**
 * W saves the screen's settings to the user's config file: the text kept
 * (comments, other keys, the line a key was set on), written atomically and
 * only where it is safe (no symlink written through, no directory others can
 * change); then in a pty, W saves the view, sort and interval and the next
 * start comes back to them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfigText, SAVED_SETTINGS, saveSettings, withSettings, type Setting, type SettingKey } from '../src/configfile.js';
import { CLI } from './helpers/cli.js';
import { KEY, PtyScreen } from './tui-harness.js';

const SAVED: [SettingKey, string][] = [['view', 'memory'], ['sort', 'VSIZE'], ['interval', '2'], ['color', 'yes'], ['psize', 'no'], ['theme', 'dark']];

function temp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-save-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('withSettings rewrites the line a key was set on (its comment kept), appends the rest, leaves everything else', () => {
  const before = [
    '# my memtop', 'view = disk   # the disk view, for now', 'cpucrit = 95', 'nonsense line', 'interval = 5', 'interval = 7 # wins', '',
  ].join('\n');
  const after = withSettings(before, SAVED);
  assert.equal(after, [
    '# my memtop', 'view = memory         # the disk view, for now', 'cpucrit = 95', 'nonsense line', 'interval = 5',
    'interval = 2          # wins', '', '# saved from the screen (W)', 'sort = VSIZE', 'color = yes', 'psize = no', 'theme = dark', '',
  ].join('\n'));
  // What the reader makes of it: the saved values, and cpucrit untouched.
  const read = new Map<SettingKey, Setting>();
  parseConfigText(after, 'f', read);
  assert.deepEqual(SAVED.map(([k]) => read.get(k)?.value), SAVED.map(([, v]) => v));
  assert.equal(read.get('cpucrit')?.value, '95');
  // A new file; and saving twice changes nothing more.
  const fresh = withSettings('', SAVED);
  assert.equal(fresh, '# saved from the screen (W)\nview = memory\nsort = VSIZE\ninterval = 2\ncolor = yes\npsize = no\ntheme = dark\n');
  assert.equal(withSettings(fresh, SAVED), fresh);
  assert.deepEqual(SAVED.map(([k]) => k), [...SAVED_SETTINGS], 'this test saves every saved setting');
});

test('saveSettings writes atomically into private directories it makes, keeping the file\'s text', (t) => {
  const dir = temp(t);
  const file = join(dir, 'xdg', 'memtop', 'config');
  saveSettings(file, SAVED);
  assert.equal(lstatSync(join(dir, 'xdg', 'memtop')).mode & 0o777, 0o700);
  assert.equal(lstatSync(file).mode & 0o777, 0o600);
  assert.match(readFileSync(file, 'utf8'), /^view = memory$/m);
  writeFileSync(file, '# mine\ntop = 5\nview = generic\n');
  saveSettings(file, SAVED);
  assert.match(readFileSync(file, 'utf8'), /^# mine\ntop = 5\nview = memory\n/);
  // No temp file left beside it.
  assert.deepEqual(readdirSync(join(dir, 'xdg', 'memtop')), ['config']);
});

test('saveSettings refuses a symlink, a directory others can write, another user\'s directory, a non-file', (t) => {
  const dir = temp(t);
  const own = join(dir, 'xdg', 'memtop');
  mkdirSync(own, { recursive: true, mode: 0o700 });
  const elsewhere = join(dir, 'elsewhere');
  writeFileSync(elsewhere, 'untouched\n');
  symlinkSync(elsewhere, join(own, 'config'));
  assert.throws(() => saveSettings(join(own, 'config'), SAVED), /settings not saved to .*config: it is a symlink, and memtop does not write through one/);
  assert.equal(readFileSync(elsewhere, 'utf8'), 'untouched\n');
  rmSync(join(own, 'config'));
  mkdirSync(join(own, 'config'));
  assert.throws(() => saveSettings(join(own, 'config'), SAVED), /it is not a regular file/);
  rmSync(join(own, 'config'), { recursive: true });
  chmodSync(own, 0o777);
  assert.throws(() => saveSettings(join(own, 'config'), SAVED), /memtop is writable by others \(mode 777\)/);
  chmodSync(own, 0o700);
  chmodSync(join(dir, 'xdg'), 0o775);
  assert.throws(() => saveSettings(join(own, 'config'), SAVED), /xdg is writable by others/);
  chmodSync(join(dir, 'xdg'), 0o700);
  // The memtop directory a symlink (to a place someone else prepared): refused, not followed.
  rmSync(own, { recursive: true });
  mkdirSync(join(dir, 'prepared'), { mode: 0o700 });
  symlinkSync(join(dir, 'prepared'), own);
  assert.throws(() => saveSettings(join(own, 'config'), SAVED), /memtop is a symlink/);
  assert.equal(existsSync(join(dir, 'prepared', 'config')), false);
  // As root, a directory that belongs to another user (HOME kept under sudo) is refused; as that user it is not.
  rmSync(own);
  mkdirSync(own, { mode: 0o700 });
  if (process.getuid?.() === 0) {
    chownSync(own, 4242, 4242);
    assert.throws(() => saveSettings(join(own, 'config'), SAVED, 0), /memtop belongs to uid 4242, not to uid 0/);
    assert.equal(existsSync(join(own, 'config')), false);
    saveSettings(join(own, 'config'), SAVED, 4242);
    // sudo with the user's HOME: a home of uid 4242 without ~/.config. Refused, and nothing made in it.
    const home = join(dir, 'home-4242');
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, 4242, 4242);
    assert.throws(() => saveSettings(join(home, '.config', 'memtop', 'config'), SAVED, 0), /home-4242 belongs to uid 4242, not to uid 0/);
    assert.deepEqual(readdirSync(home), []);
  } else {
    saveSettings(join(own, 'config'), SAVED);
  }
  assert.match(readFileSync(join(own, 'config'), 'utf8'), /^sort = VSIZE$/m);
});

test('in a pty: W saves the view, sort and interval, says where, and the next start comes back to them', { timeout: 60_000 }, async (t) => {
  const dir = temp(t);
  const xdg = join(dir, 'xdg');
  mkdirSync(join(xdg, 'memtop'), { recursive: true, mode: 0o700 });
  const file = join(xdg, 'memtop', 'config');
  writeFileSync(file, '# kept\nwindow = 30m\nview = disk # mine\n');
  // MEMTOP_STATE_DIR: no containment records, whatever other tests record in /run/memtop meanwhile.
  const env = { XDG_CONFIG_HOME: xdg, HOME: dir, MEMTOP_STATE_DIR: join(dir, 'no-state') };
  const header = (s: PtyScreen) => s.find(/^\s*PID /)?.line ?? '';
  let s = new PtyScreen(['600'], 160, 30, { env });
  try {
    await s.waitText(/since Boot/);
    await s.waitFor(() => /\bDSK\b/.test(header(s)), 'the disk view from the file');
    s.send('m');
    await s.waitFor(() => /\*RSIZE/.test(header(s)), 'the memory view');
    await s.answer('O', 'VSIZE');
    await s.waitFor(() => /\*VSIZE/.test(header(s)), 'sorted on VSIZE');
    await s.answer('i', '3');
    await s.settled();
    s.send('W');
    await s.waitText(new RegExp(`settings saved to ${file.replace(/[.]/g, '\\.')}: view memory, sort VSIZE, interval 3`));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# kept\nwindow = 30m\nview = memory +# mine\n/);
    assert.match(text, /^sort = VSIZE$/m);
    assert.match(text, /^interval = 3$/m);
    s.send('q');
    await s.exited;
  } finally {
    await s.close();
  }
  s = new PtyScreen([], 160, 30, { env });
  try {
    await s.waitText(/since Boot/);
    await s.waitFor(() => /MINFLT.*\*VSIZE/.test(header(s)), 'the memory view sorted on VSIZE, read back');
    s.send('i');
    await s.waitText(/Interval in seconds \(now 3;/);
    s.send(KEY.escape);
  } finally {
    await s.close();
  }
});

test('in a pty with --config /dev/null: W saves to the user\'s file, says the run read another, and leaves /dev/null alone', { timeout: 60_000 }, async (t) => {
  const dir = temp(t);
  const xdg = join(dir, 'xdg');
  const s = new PtyScreen(['--config', '/dev/null', '600'], 200, 30, { env: { XDG_CONFIG_HOME: xdg, HOME: dir, MEMTOP_STATE_DIR: join(dir, 'no-state') } });
  try {
    await s.waitText(/since Boot/);
    s.send('W');
    await s.waitText(/settings saved to .*xdg\/memtop\/config: view generic, sort CPU, interval 600, color yes, psize no, theme dark \(this run read --config \/dev\/null instead\)/);
    assert.match(readFileSync(join(xdg, 'memtop', 'config'), 'utf8'), /^view = generic$/m);
    assert.ok(lstatSync('/dev/null').isCharacterDevice());
  } finally {
    await s.close();
  }
});

test('what W saves in the cgroup view reads back: view = cgroup with a cgroup column\'s sort starts, sorted on it', (t) => {
  const dir = temp(t);
  const xdg = join(dir, 'xdg');
  saveSettings(join(xdg, 'memtop', 'config'), [['view', 'cgroup'], ['sort', 'MEMORY'], ['interval', '1'], ['color', 'yes'], ['psize', 'no']]);
  const r = spawnSync(process.execPath, [CLI, '--text', '--width', '160', '1', '1'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CONFIG_HOME: xdg, HOME: dir },
  });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^CGROUP\s+NPROCS\s+MEMORY\s+MEMMAX/m);
  // Sorted on MEMORY, not in tree order: flat, the largest group first.
  const rows = r.stdout.slice(r.stdout.search(/^CGROUP /m)).split('\n').slice(1).filter((l) => /^\S/.test(l) && !/^(MEMTOP|PRC|CPU)/.test(l));
  assert.ok(rows.length >= 2, r.stdout);
});
