/**
 * The package as a user gets it: `npm pack` (of the dist/ that `npm test`
 * just built), installed with `npm install -g` into a temporary prefix, then
 * the installed `memtop` run from another directory: --version, --help,
 * --text 1 1, every example of --help and every `memtop` line of the README's
 * code blocks; every README link into the package resolves in the installed
 * copy, and the manual page is where `man` looks for it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

let dir = '';
let prefix = '';
let installed = '';
let bin = '';
let env: NodeJS.ProcessEnv = {};
let installWarnings = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtop-install-'));
  prefix = join(dir, 'prefix');
  // --ignore-scripts: pack the dist/ npm test built instead of building it a second time.
  const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    cwd: root, encoding: 'utf8', timeout: 120_000,
  }).trim().split('\n').pop()!;
  // The dependencies come from npm's cache when npm ci filled it (--prefer-offline), else from the registry.
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, tgz)], {
    cwd: dir, encoding: 'utf8', timeout: 240_000,
  });
  assert.equal(install.status, 0, install.stderr);
  installWarnings = install.stderr;
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  bin = join(prefix, 'bin', 'memtop');
  env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, npm_config_prefix: prefix };
}, { timeout: 400_000 });

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed after its first output: a command that runs until stopped. */
  stopped: boolean;
}

/**
 * Runs the installed memtop with `args` from the temp directory (not the
 * clone). A command that is still running a few seconds after its first
 * output is one that runs until stopped: it is stopped, and counts as working.
 */
function run(args: string[], timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    let grace: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = true;
      child.kill('SIGTERM');
    };
    const limit = setTimeout(stop, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      grace ??= setTimeout(stop, 3000);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(limit);
      clearTimeout(grace);
      resolve({ code, stdout, stderr, stopped });
    });
  });
}

/** `memtop a b | c` -> ['a', 'b'] (what follows a pipe is another program). */
function memtopArgs(line: string): string[] {
  const words = line.split('|')[0]!.trim().split(/\s+/);
  assert.equal(words[0], 'memtop', line);
  return words.slice(1);
}

test('the installed memtop: --version, --help, --text 1 1', async () => {
  // memtop has no install script of its own (it builds at prepack): npm has none to warn about.
  assert.doesNotMatch(installWarnings, /install-scripts|memtop@/);
  const version = await run(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  const help = await run(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: memtop /);
  const text = await run(['--text', '1', '1']);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stopped, false);
  assert.match(text.stdout, /^MEMTOP - /);
  assert.match(text.stdout, /^ +PID /m);
  assert.equal(text.stderr, '');
});

test('every example of --help and every memtop line of the README works from the installed copy', async () => {
  const help = (await run(['--help'])).stdout;
  const examples = help.slice(help.indexOf('\nExamples:')).split('\n').filter((l) => /^ {2}memtop\b/.test(l))
    .map((l) => l.trim().split(/ {2,}/)[0]!);
  assert.ok(examples.length >= 4, `examples read from --help: ${examples.join(' / ')}`);
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const readmeLines = blocks.flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => /^memtop\s/.test(l) && !l.includes('['));
  assert.ok(readmeLines.length >= 2, `memtop lines read from the README: ${readmeLines.join(' / ')}`);
  for (const line of [...examples, ...readmeLines]) {
    const args = memtopArgs(line);
    // A live screen needs a terminal: without one memtop prints text, which is what is checked here.
    const r = await run(args);
    assert.equal(r.stderr, '', `${line}: ${r.stderr}`);
    assert.ok(r.stopped || r.code === 0, `${line}: exit code ${r.code}`);
    assert.ok(r.stdout.length > 0, `${line}: no output`);
    if (args.includes('--json')) for (const l of r.stdout.trim().split('\n')) assert.ok('mem' in JSON.parse(l), line);
    if (args.includes('--proc')) assert.match(r.stdout, /^MEMTOP - sammy /m, `${line}: the case study's host`);
  }
});

test('every README link into the package resolves in the installed copy, and the manual page is installed', () => {
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l) && !l.startsWith('#'));
  assert.ok(links.length >= 3, `links read: ${links.join(' ')}`);
  for (const link of links) {
    const path = decodeURIComponent(link.split('#')[0]!);
    assert.ok(existsSync(join(installed, path)), `README links to ${link}, missing from the installed package`);
  }
  const page = join(prefix, 'share', 'man', 'man1', 'memtop.1');
  assert.ok(existsSync(page), `no manual page at ${page}`);
  let man: string | undefined;
  try {
    man = execFileSync('man', ['-M', join(prefix, 'share', 'man'), '-P', 'cat', 'memtop'], {
      encoding: 'utf8', env: { ...process.env, MANWIDTH: '80' }, stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    // no man(1) on this machine: the file's place was checked above
  }
  if (man !== undefined) assert.match(man, /memtop\s+-\s+terminal system monitor/);
});

/**
 * The arguments of `pid`'s process once it runs node (the installed command execs
 * /bin/sh, then node, in the same process), or undefined after `ms`.
 */
async function nodeOf(pid: number, script: string, ms: number): Promise<string[] | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes(script) && /node$/.test(argv[0]!)) return argv;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

test('the installed memtop starts where /usr/bin/env and /bin/sh are busybox\'s, with its flags and without NODE_EXTRA_CA_CERTS', async (t) => {
  const busybox = '/usr/bin/busybox';
  if (process.getuid?.() !== 0 || !existsSync(busybox) || spawnSync('unshare', ['--version']).status !== 0) {
    t.skip('needs root, busybox and unshare (a mount namespace of the test\'s own)');
    return;
  }
  // busybox acts as the applet its argv[0] names: bound over /usr/bin/env it is env, in this namespace only.
  // And /bin/sh too, as on Alpine (busybox's ash), where memtop's first line starts it.
  const script = [
    `mount --bind ${busybox} /usr/bin/env`,
    `mount --bind ${busybox} /bin/sh`,
    '/bin/sh --help 2>&1 | grep -q BusyBox || { echo "sh is not busybox" >&2; exit 9; }',
    // The check that the place is busybox's: the shebang memtop had (env -S) is refused here.
    'if /usr/bin/env -S true 2>/dev/null; then echo "env -S accepted" >&2; exit 9; fi',
    '/usr/bin/env --help 2>&1 | grep -q BusyBox || { echo "not busybox" >&2; exit 9; }',
    'exec "$@"',
  ].join('\n');
  const inNs = (args: string[]) => ['--mount', 'sh', '-c', script, 'sh', bin, ...args];
  const version = spawnSync('unshare', inNs(['--version']), { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(version.stderr, '');
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), pkg.version);
  // The gains the shebang exists for: node runs with the small young generation and without the CA bundle.
  const child = spawn('unshare', inNs(['--text', '1', '3']), {
    cwd: dir, env: { ...env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const argv = await nodeOf(child.pid!, bin, 30_000);
  let environ = '';
  try {
    environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
  } catch {
    // ended already: argv below says so
  }
  const code = await closed;
  assert.ok(argv, `never saw node run memtop (stderr: ${stderr})`);
  assert.ok(argv.includes('--max-semi-space-size=4'), argv.join(' '));
  assert.ok(environ.includes('\0PATH=') || environ.startsWith('PATH='), 'read the environment of memtop\'s node');
  assert.doesNotMatch(environ, /(^|\0)NODE_EXTRA_CA_CERTS=/);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  assert.equal(stdout.match(/^MEMTOP - /gm)?.length, 3);
});

test('the systemd unit: its manual, and it runs when node and memtop are on a PATH of their own (nvm, a user prefix)', async (t) => {
  const unit = readFileSync(join(installed, 'contrib', 'memtop.service'), 'utf8');
  assert.match(unit, /^Documentation=man:memtop\(1\)$/m);
  const execStart = unit.match(/^ExecStart=(.*)$/m)![1]!.trim().split(/\s+/);
  // The drop-in the unit documents: Environment=PATH= the directory of memtop (and node, under nvm).
  assert.match(unit, /^#\s+Environment=PATH=\S+/m);
  // As under nvm: node and memtop in directories of their own, nothing of /usr/bin on PATH.
  const nodeDir = join(dir, 'nvm-bin');
  spawnSync('mkdir', ['-p', nodeDir]);
  spawnSync('ln', ['-sf', process.execPath, join(nodeDir, 'node')]);
  const logDir = join(dir, 'unit-logs');
  const args = execStart.slice(1).map((a) => (a === '/var/log/memtop' ? logDir : a));
  assert.ok(args.includes(logDir), `the unit's --log-dir: ${execStart.join(' ')}`);
  const child = spawn(execStart[0]!, args, {
    cwd: '/', env: { PATH: `${join(prefix, 'bin')}:${nodeDir}`, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (code, signal) => r([code, signal])));
  let files: string[] = [];
  for (const end = Date.now() + 30_000; Date.now() < end && files.length === 0; await new Promise((r) => setTimeout(r, 100))) {
    files = existsSync(logDir) ? readdirSync(logDir).filter((f) => /^memtop_\d{8}$/.test(f)) : [];
  }
  child.kill('SIGTERM');
  const [code, signal] = await closed;
  assert.equal(files.length, 1, `no daily log in ${logDir} (stderr: ${stderr})`);
  // memtop ends by the signal once the last record is whole (systemd's clean stop for KillSignal=SIGTERM).
  assert.ok(signal === 'SIGTERM' || code === 0, `ended with ${code ?? signal}: ${stderr}`);
  assert.equal(stderr, '');
  // systemd's own check of the unit, where systemd-analyze is installed: its man: link resolves to the installed page.
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
    t.diagnostic('no systemd-analyze: the unit file was checked by its lines only');
    return;
  }
  const verify = spawnSync('systemd-analyze', ['verify', join(installed, 'contrib', 'memtop.service')], {
    encoding: 'utf8', env: { ...process.env, MANPATH: join(prefix, 'share', 'man') },
  });
  assert.equal(verify.status, 0, verify.stderr);
});
