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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
