/**
 * Runs memtop's CommonJS bundle with V8's code cache on a Node that has no
 * compile cache of its own (before 22.1, where bin.cts turns Node's on).
 *
 * Compiling the 480 KB bundle, and then each function the first screen
 * calls, is CPU spent again on every start: with the compiled code saved
 * by the first start and given back to V8 by the next, compiling the
 * bundle took 17 -> 5 ms and `--json 1 1` after it 90 -> 70 ms of CPU here.
 *
 * The cache holds compiled code memtop will run, so it is used only from a
 * directory that only this user can write: $XDG_CACHE_HOME/memtop (else
 * ~/.cache/memtop), made 0700, owned by the user, not writable by group
 * or others; the file itself likewise. The directory is opened once and
 * used through that descriptor (see cacheDir); as root, only where every
 * directory above it is root's. V8 checks the cache against the
 * source, V8's version and flags, and refuses a stale or damaged one
 * (`cachedDataRejected`): the bundle is then compiled as without a cache
 * and the cache written again. The file is named after Node's version and
 * the bundle's size and modification time, so an upgrade leaves the old
 * file unused rather than rejected each start (the newest four are kept:
 * two installs or Node versions in turn do not rewrite each other's).
 * MEMTOP_CODE_CACHE=off turns it off.
 */
import fs = require('node:fs');
import nodeModule = require('node:module');
import os = require('node:os');
import path = require('node:path');
import vm = require('node:vm');

/**
 * V8 caches the functions compiled by the time the cache is made: a cache
 * made when `memtop --version` exits holds little of the screen. So there
 * are two: `short`, written when a run that found none exits, and `full`,
 * written by a run that lasted this long (its first screens drawn), which
 * replaces the short one. A start reads the full one, else the short one.
 */
const FULL_AFTER_MS = 5000;

/** Runs the CommonJS file `bundle`, from the code cache when it can; falls back to require. */
export function runCached(bundle: string): void {
  const dir = process.env.MEMTOP_CODE_CACHE === 'off' ? undefined : cacheDir();
  let source: string;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(bundle);
    source = fs.readFileSync(bundle, 'utf8');
  } catch {
    require(bundle);
    return;
  }
  // The bundle's libraries are required, never import()ed: a vm.Script has no module loader on Node 20.
  if (!dir) {
    require(bundle);
    return;
  }
  const stem = path.join(dir, `bundle-${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}`);
  const full = `${stem}.full.v8cache`;
  const short = `${stem}.short.v8cache`;
  let found: 'full' | 'short' | undefined = 'full';
  let cachedData = readPrivate(full);
  if (!cachedData) {
    found = 'short';
    cachedData = readPrivate(short);
  }
  // The shebang is no JavaScript: a comment keeps the line numbers of stack traces.
  const script = new vm.Script(nodeModule.wrap(source.startsWith('#!') ? `//${source}` : source), {
    filename: bundle,
    cachedData,
  });
  if (cachedData && script.cachedDataRejected) {
    // Refused (damaged, or V8 flags unlike the run that made it): gone, so the next start does not read it
    // again before the other one, and this run writes a fresh one below.
    fs.rmSync(found === 'full' ? full : short, { force: true });
  }
  if (!cachedData || script.cachedDataRejected) found = undefined;
  if (found !== 'full') {
    const timer = setTimeout(() => {
      process.off('exit', atExit);
      if (save(script, dir, full)) fs.rmSync(short, { force: true });
    }, FULL_AFTER_MS);
    timer.unref();
    const atExit = () => {
      clearTimeout(timer);
      if (!found) save(script, dir, short);
    };
    process.once('exit', atExit);
  }
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, nodeModule.createRequire(bundle), module, bundle, path.dirname(bundle));
}

/**
 * The user's cache directory for memtop, made if missing, opened once:
 * what is returned is /proc/self/fd/N of that open directory, so every
 * later read, write, rename and removal happens in the directory checked
 * here, even if its path is swapped for a symbolic link meanwhile (Node has
 * no openat; /proc/self/fd/N resolves to the open directory itself).
 * Undefined when it is not private to the user, or /proc is not there. As
 * root, only in a root-owned place: every directory above it root's and
 * writable by no one else (under `sudo -E`, HOME and XDG_CACHE_HOME are a
 * user's, who could otherwise have root write into or prune a directory of
 * their choice).
 */
function cacheDir(): string | undefined {
  let fd: number | undefined;
  try {
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    const dir = path.join(base, 'memtop');
    if (process.getuid?.() === 0 && !rootsOnly(dir)) return undefined;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    const held = `/proc/self/fd/${fd}`;
    if (!isPrivate(fs.fstatSync(fd), true) || fs.statSync(held).ino !== fs.fstatSync(fd).ino) {
      fs.closeSync(fd);
      return undefined;
    }
    return held;
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    return undefined; // no home, a read-only file system, no /proc: no cache, nothing said
  }
}

/** Whether `dir` (or, where it is not there yet, what is) and every directory above it are root's and writable by no one else (sticky ones above excepted). */
function rootsOnly(dir: string): boolean {
  let p = dir;
  let first = true;
  for (;;) {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st) {
      if (st.isSymbolicLink() || !st.isDirectory() || st.uid !== 0) return false;
      if ((st.mode & 0o022) !== 0 && (first || (st.mode & 0o1000) === 0)) return false;
      first = false;
    }
    if (p === path.dirname(p)) return true;
    p = path.dirname(p);
  }
}

/** Owned by this user and writable by nobody else (a directory also not a symlink). */
function isPrivate(st: fs.Stats, directory: boolean): boolean {
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return false;
  if ((st.mode & 0o022) !== 0) return false;
  return directory ? st.isDirectory() : st.isFile();
}

function readPrivate(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!isPrivate(st, false) || st.size > 64 * 1024 * 1024) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Caches of other builds (another install, another Node): the newest few are kept, for each in use. */
const KEEP = 4;

function pruneOld(dir: string): void {
  const caches = fs.readdirSync(dir)
    .filter((f) => f.startsWith('bundle-') && f.endsWith('.v8cache'))
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of caches.slice(KEEP)) fs.rmSync(path.join(dir, f), { force: true });
}

/** Writes V8's cache of what `script` has compiled so far to `file` (atomically); false when it could not. */
function save(script: vm.Script, dir: string, file: string): boolean {
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}`);
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    pruneOld(dir);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}
