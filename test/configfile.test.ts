/**
 * The configuration file: its lines (src/configfile.ts), where it is looked
 * for, and end to end through dist/bin.cjs its precedence (system file <
 * user's file < command line) and what a bad line does (one line naming the
 * file and line; exit 2 unless memtop can pass it over).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_MAX, defaultConfigFiles, parseConfigText, readConfigFiles, SYSTEM_CONFIG, type Setting, type SettingKey } from '../src/configfile.js';

const BIN = fileURLToPath(new URL('../dist/bin.cjs', import.meta.url));
const CASE = fileURLToPath(new URL('../fixtures/case-study', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memtop-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** memtop on the case study's 15:12:32 (text, one sample), with a config home of its own. */
function memtop(args: string[], xdg = join(dir, 'empty-home')) {
  const r = spawnSync(process.execPath, [BIN, '--text', '--width', '160', '--proc', `${CASE}/t151232`, '--sys', `${CASE}/sys`, ...args, '1', '1'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CONFIG_HOME: xdg },
  });
  const lines = r.stdout.split('\n');
  const head = lines.findIndex((l) => /^ +PID /.test(l));
  return { code: r.status, stderr: r.stderr, header: lines[head] ?? '', rows: lines.slice(head + 1).filter((l) => l.trim()) };
}

test('lines: KEY = VALUE, comments, quotes, the last line of a key wins; lines that set nothing are warnings', () => {
  const into = new Map<SettingKey, Setting>();
  const warnings = parseConfigText(
    '# memtop\n\nview = memory   # the leak hunter\n  CPUCRIT=95\n--top = "50"\ncolour = no\njust words\ncpucrit = 97\n',
    'F', into,
  );
  assert.deepEqual([...into.values()], [
    { key: 'view', value: 'memory', where: 'F:3' },
    { key: 'cpucrit', value: '97', where: 'F:8' },
    { key: 'top', value: '50', where: 'F:5' },
  ]);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /^F:6: unknown setting 'colour' passed over: valid settings are interval, view, sort, .*color/);
  assert.match(warnings[1]!, /^F:7: 'just words' sets nothing: write KEY = VALUE/);
});

test('where the files are: /etc/memtop/config, then $XDG_CONFIG_HOME/memtop/config, else ~/.config/memtop/config', () => {
  assert.deepEqual(defaultConfigFiles({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' }), [SYSTEM_CONFIG, '/x/conf/memtop/config']);
  assert.deepEqual(defaultConfigFiles({ HOME: '/home/u' }), [SYSTEM_CONFIG, '/home/u/.config/memtop/config']);
  // XDG: a relative path is invalid and ignored.
  assert.deepEqual(defaultConfigFiles({ XDG_CONFIG_HOME: 'conf', HOME: '/home/u' }), [SYSTEM_CONFIG, '/home/u/.config/memtop/config']);
  assert.equal(SYSTEM_CONFIG, '/etc/memtop/config');
});

test('files in order: a later file overrides an earlier one; a missing file is nothing, unless required', () => {
  const system = file('sys.conf', 'view = disk\ncpucrit = 80\n');
  const user = file('user.conf', 'view = memory\n');
  const r = readConfigFiles([system, join(dir, 'not-there'), user]);
  assert.equal(r.settings.get('view')?.value, 'memory');
  assert.equal(r.settings.get('view')?.where, `${user}:1`);
  assert.equal(r.settings.get('cpucrit')?.value, '80');
  assert.deepEqual(r.warnings, []);
  assert.throws(() => readConfigFiles([join(dir, 'not-there')], true), /cannot read --config .*not-there: no such file/);
  const asDir = readConfigFiles([dir]);
  assert.match(asDir.warnings[0]!, /cannot read .*, passed over/);
});

test('the user file sets view and sort; the command line overrides them', () => {
  const home = join(dir, 'home1');
  file('home1/memtop/config', 'view = memory\nsort = minflt\n');
  const plain = memtop([]);
  const fromFile = memtop([], home);
  const onCli = memtop(['-m', '--sort', 'minflt']);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromFile.stderr, '');
  assert.match(fromFile.header, /MINFLT.*VSTEXT.*RSIZE/, 'the memory view');
  assert.doesNotMatch(plain.header, /VSTEXT/, 'without the file: the generic view');
  assert.deepEqual(fromFile.rows, onCli.rows, 'as -m --sort minflt');
  const memRsize = memtop(['-m']);
  assert.notDeepEqual(memRsize.rows, onCli.rows, 'the case study orders MINFLT and RSIZE differently');
  const overridden = memtop(['-V', 'generic'], home);
  assert.equal(overridden.code, 0, overridden.stderr);
  assert.doesNotMatch(overridden.header, /VSTEXT/);
  // The file's sort is not in the generic view: said, and passed over.
  assert.match(overridden.stderr, /home1\/memtop\/config:2: sort MINFLT passed over: the generic view has no such column/);
});

test('a bad value: one line naming file and line, exit 2; passed over with a word when the command line sets it', () => {
  const bad = file('bad.conf', '# thresholds\ncpucrit = 150\n');
  const r = memtop(['--config', bad]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `memtop: ${bad}:2: invalid cpucrit '150': give a percentage from 0 (off) to 100\n`);
  const cli = memtop(['--config', bad, '--cpucrit', '95']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stderr, /bad\.conf:2: invalid cpucrit '150'.*\(passed over: the command line sets cpucrit\)/);
  const view = memtop(['--config', file('v.conf', 'view = tree\n')]);
  assert.equal(view.code, 2);
  assert.match(view.stderr, /v\.conf:1: unknown view 'tree': valid views are generic \(g\), memory/);
  const sw = memtop(['--config', file('s.conf', 'color = maybe\n')]);
  assert.equal(sw.code, 2);
  assert.match(sw.stderr, /s\.conf:1: invalid color 'maybe': give yes or no/);
  const win = memtop(['--config', file('w.conf', 'window = 5\n')]);
  assert.equal(win.code, 2);
  assert.match(win.stderr, /w\.conf:1: invalid window '5': give seconds or a number with s, m, h or d, from 10 s/);
  const atop = memtop(['--config', file('a.conf', 'sort-atop = perhaps\n')]);
  assert.equal(atop.code, 2);
  assert.match(atop.stderr, /a\.conf:1: invalid sort-atop 'perhaps': give yes or no/);
  const atopOk = memtop(['--config', file('a2.conf', 'sort-atop = yes\n')]);
  assert.equal(atopOk.code, 0, atopOk.stderr);
  assert.equal(memtop(['--sort-atop']).code, 0);
  const winOk = memtop(['--config', file('w2.conf', 'window = 30m\n')]);
  assert.equal(winOk.code, 0, winOk.stderr);
  const missing = memtop(['--config', join(dir, 'nowhere.conf')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^memtop: cannot read --config .*nowhere\.conf: no such file\n$/);
});

test('psize = yes is -R: PSIZE read and shown; a value other than yes or no is refused', () => {
  const on = memtop(['-m', '--config', file('p.conf', 'psize = yes\n')]);
  assert.equal(on.code, 0, on.stderr);
  assert.equal(on.stderr, '');
  assert.match(on.header, /RSIZE +PSIZE/, 'PSIZE after RSIZE in the memory view, as with -R');
  assert.deepEqual(on.header, memtop(['-m', '-R']).header);
  const off = memtop(['-m', '--config', file('p0.conf', 'psize = no\n')]);
  assert.doesNotMatch(off.header, /PSIZE/);
  const bad = memtop(['--config', file('p2.conf', 'psize = sometimes\n')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /p2\.conf:1: invalid psize 'sometimes': give yes or no/);
});

test('harmless lines (unknown key, no "=") are said and memtop runs with the rest', () => {
  const f = file('odd.conf', 'view = memory\nwindw = 30m\nverbose\n');
  const r = memtop(['--config', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.header, /VSTEXT/);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /odd\.conf:2: unknown setting 'windw' passed over/);
  assert.match(lines[1]!, /odd\.conf:3: 'verbose' sets nothing/);
});

test('interval from the file: JSON samples that far apart; an interval on the command line wins', async () => {
  const f = file('int.conf', 'interval = 0.3\n');
  const elapsed = (args: string[]) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, '--config', f, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => child.kill(), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n');
        if (lines.length > 2) {
          child.kill();
          clearTimeout(timer);
          resolve((JSON.parse(lines[1]!) as { elapsed: number }).elapsed);
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`memtop ended before two samples: ${out.slice(0, 200)}`));
      });
    });
  const fromFile = await elapsed([]);
  assert.ok(fromFile > 0.2 && fromFile < 2, `second sample covers ${fromFile} s (the file says 0.3)`);
  const fromCli = await elapsed(['2', '2']);
  assert.ok(fromCli > 1.5, `second sample covers ${fromCli} s (the command line says 2)`);
});

test('the live screen shows a line it passed over on its status line (stderr is under the screen)', { timeout: 60_000 }, async () => {
  const { PtyScreen } = await import('./tui-harness.js');
  const { CASE_STUDY: moment, makeFakeProc } = await import('./tui-fakeproc.js');
  const f = file('screen.conf', 'view = memory\nbogus = 1\n');
  const fake = makeFakeProc(moment);
  const s = new PtyScreen(['--proc', fake.dir, '--config', f, '600'], 100, 30);
  try {
    await s.waitText(/screen\.conf:2: unknown setting 'bogus' passed over/);
    await s.waitFor(() => !!s.find(/^\s*PID .*VSTEXT/), 'the memory view from the file');
  } finally {
    await s.close();
    fake.remove();
  }
});

test('a hostile file is read as /proc files are: a FIFO does not hang, /dev/zero and a giant are refused by kind and size, one line each', { timeout: 60_000 }, () => {
  const fifoHome = join(dir, 'fifo-home');
  mkdirSync(join(fifoHome, 'memtop'), { recursive: true });
  const fifo = join(fifoHome, 'memtop', 'config');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const started = Date.now();
  const r = memtop([], fifoHome);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `memtop: cannot read ${fifo}, passed over: a FIFO, not a regular file\n`);
  assert.ok(Date.now() - started < 30_000, 'no hang');
  assert.ok(r.rows.length > 0, 'and memtop ran');
  // A link to /dev/zero: never read (it is a device), so memory cannot grow with it.
  const zeroHome = join(dir, 'zero-home');
  mkdirSync(join(zeroHome, 'memtop'), { recursive: true });
  symlinkSync('/dev/zero', join(zeroHome, 'memtop', 'config'));
  const z = memtop([], zeroHome);
  assert.equal(z.code, 0, z.stderr);
  assert.equal(z.stderr, `memtop: cannot read ${join(zeroHome, 'memtop', 'config')}, passed over: a device, not a regular file\n`);
  // A sparse 4 GiB file: refused by its size, nothing read.
  const giant = file('giant/memtop/config', '');
  truncateSync(giant, 4 * 1024 ** 3);
  const g = memtop([], join(dir, 'giant'));
  assert.equal(g.code, 0, g.stderr);
  assert.equal(g.stderr, `memtop: cannot read ${giant}, passed over: longer than ${CONFIG_MAX} bytes\n`);
  // Given with --config, each is a usage error in one line.
  const given = memtop(['--config', fifo]);
  assert.equal(given.code, 2);
  assert.equal(given.stderr, `memtop: cannot read --config ${fifo}: a FIFO, not a regular file\n`);
  assert.equal(memtop(['--config', '/dev/null']).code, 0, '--config /dev/null still means no settings');
});

test('as root, a file another user could have written is ignored with one line: owned by another user, group- or world-writable, or in such a directory', (t) => {
  if (process.geteuid?.() !== 0) return t.skip('the rule is root\'s');
  const setUp = (name: string, prepare: (f: string) => void) => {
    const f = file(`${name}/memtop/config`, 'view = memory\n');
    prepare(f);
    return { f, r: memtop([], join(dir, name)) };
  };
  const cases: [string, (f: string) => void, RegExp][] = [
    ['other-owner', (f) => chownSync(f, 54321, 54321), /belongs to uid 54321, not root/],
    ['group-writable', (f) => chmodSync(f, 0o664), /is writable by its group/],
    ['world-writable', (f) => chmodSync(f, 0o666), /is writable by anyone/],
    ['open-dir', (f) => chmodSync(join(f, '..'), 0o777), /memtop is writable by anyone/],
    ['user-dir', (f) => chownSync(join(f, '..', '..'), 54321, 54321), /user-dir belongs to uid 54321, not root/],
  ];
  for (const [name, prepare, why] of cases) {
    const { f, r } = setUp(name, prepare);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^memtop: ignoring ${f}: memtop runs as root and another user could have written it \\(.*${why.source}\\)\\n$`), name);
    assert.doesNotMatch(r.header, /VSTEXT/, `${name}: its view = memory is not applied`);
  }
  // Root's own file, 0644 in root's directories: read.
  const own = setUp('root-own', () => {});
  assert.equal(own.r.stderr, '');
  assert.match(own.r.header, /VSTEXT/);
});
