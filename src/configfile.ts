/**
 * The configuration file: defaults a user sets once, as `KEY = VALUE` lines
 * (`#` starts a comment). Read in order, a later file overriding an earlier
 * one: /etc/memtop/config (the system's, e.g. for the daily logger), then
 * $XDG_CONFIG_HOME/memtop/config (else ~/.config/memtop/config); --config
 * FILE reads that file alone. The command line overrides every file.
 *
 * A key is the long option it sets, without its dashes (`cpucrit = 95` is
 * `--cpucrit 95`, `psize = yes` is `-R`), plus `interval`, `color` and
 * atoprc's colour keys `colorinfo`, `coloralmost`, `colorcritical`. This file only reads and
 * splits lines; cli.ts checks each value with the option's own parser, so a
 * file and the command line accept the same values.
 *
 * Start-up stays lean: two small reads (or two failed opens), nothing else
 * (as root, the lstat of each directory above a file that is there).
 * The screen's W key writes the user's file (saveSettings), only then.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { MemtopError, reasonOf, usageError } from './messages.js';
import { readBounded, unsafeStat, untrustedDir } from './ownership.js';

/** What a file may set: the long options a user sets once (`color` for --no-color, `interval` for the argument). */
export const SETTINGS = [
  'interval', 'view', 'sort', 'sort-resets', 'sort-atop', 'color', 'psize',
  'cpucrit', 'memcrit', 'swpcrit', 'dskcrit', 'swoutcrit', 'almostcrit',
  'window', 'top', 'tree', 'theme', 'colorinfo', 'coloralmost', 'colorcritical',
] as const;

export type SettingKey = (typeof SETTINGS)[number];

/** One line that set a key: its value, and where it stands, for messages. */
export interface Setting {
  key: SettingKey;
  value: string;
  /** `FILE:LINE`, the start of any message about it. */
  where: string;
}

export interface ConfigFiles {
  /** The last line that set each key. */
  settings: Map<SettingKey, Setting>;
  /** Lines and files that set nothing and can be passed over, each a message ready to say. */
  warnings: string[];
}

/** The system file: read by every memtop before the user's file. */
export const SYSTEM_CONFIG = '/etc/memtop/config';

/** The files read when --config is not given, in order (XDG's base directory rules for the user's). */
export function defaultConfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return [SYSTEM_CONFIG, join(base, 'memtop', 'config')];
}

const KEY_LIST = SETTINGS.join(', ');

/** Splits one file's text into `into`; returns the warnings its lines give. */
export function parseConfigText(text: string, file: string, into: Map<SettingKey, Setting>): string[] {
  const warnings: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const eq = line.indexOf('=');
    if (eq < 0) {
      warnings.push(`${where}: '${line}' sets nothing: write KEY = VALUE, KEY one of ${KEY_LIST}`);
      return;
    }
    const key = line.slice(0, eq).trim().toLowerCase().replace(/^--/, '');
    const value = line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    if (!(SETTINGS as readonly string[]).includes(key)) {
      warnings.push(`${where}: unknown setting '${key}' passed over: valid settings are ${KEY_LIST}`);
      return;
    }
    into.set(key as SettingKey, { key: key as SettingKey, value, where });
  });
  return warnings;
}

/**
 * Reads `files` in order. A file that is not there (or cannot be seen) is
 * skipped without a word, unless `required` (--config FILE): then it is a
 * usage error (exit 2). A file that is there but cannot be read is a warning.
 */
export function readConfigFiles(files: string[], required = false): ConfigFiles {
  const settings = new Map<SettingKey, Setting>();
  const warnings: string[] = [];
  for (const file of files) {
    const text = readConfigFile(file);
    if (typeof text === 'string') {
      warnings.push(...parseConfigText(text, file, settings));
      continue;
    }
    if (required) throw usageError(`cannot read --config ${file}: ${text.why}`);
    // Said only of a file that is there: under a home it cannot enter (another user's HOME, as under
    // sudo -u) memtop cannot tell whether there is one.
    if (text.code !== 'ENOENT' && text.code !== 'ENOTDIR' && (text.code === undefined || exists(file))) warnings.push(text.ignored ? `ignoring ${file}: ${text.why}` : `cannot read ${file}, passed over: ${text.why}`);
  }
  return { settings, warnings };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Most bytes of a configuration file: a few hundred in practice. */
export const CONFIG_MAX = 64 * 1024;

/**
 * One file's text, read as /proc files are (a FIFO does not hang memtop, a
 * link to /dev/zero does not grow it: regular files of at most CONFIG_MAX
 * bytes only), or why not. As root, a file another user could have written
 * is not believed (`ignored`): under `sudo -E` the user's XDG_CONFIG_HOME
 * or HOME would otherwise set how root's memtop runs. Such a file is owned
 * by another user, writable by group or others, or in a directory that is.
 */
function readConfigFile(file: string): string | { why: string; code?: string; ignored?: boolean } {
  // `--config /dev/null`: no settings, the usual way to say so.
  if (file === '/dev/null') return '';
  const r = readBounded(file, CONFIG_MAX);
  if ('why' in r) return r;
  if (process.geteuid?.() !== 0) return r.text;
  const why = unsafeStat(file, r.stat, [0]) ?? untrustedDir(dirname(realpathOf(file)), [0]);
  return why ? { why: `memtop runs as root and another user could have written it (${why})`, ignored: true } : r.text;
}

function realpathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** `yes`/`no` and their usual spellings, for on/off settings; undefined when it is neither. */
export function parseSwitch(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (['yes', 'on', 'true', '1'].includes(v)) return true;
  if (['no', 'off', 'false', '0'].includes(v)) return false;
  return undefined;
}

/**
 * What the screen's W key saves (htop's F2, btop's o), in the order a new
 * file gets them: the one list of it (the key, its message and its test read
 * it). memtop's views are fixed sets of columns, so there are none to save.
 */
export const SAVED_SETTINGS = ['view', 'sort', 'interval', 'color', 'psize', 'theme'] as const satisfies readonly SettingKey[];

/**
 * `text` with each of `values` set: the last line that set a key is rewritten
 * in place (its comment kept), earlier ones for the same key are left, since
 * the last one wins; a key no line sets is appended. Other lines (comments,
 * other keys, lines memtop cannot use) stay as they are.
 */
export function withSettings(text: string, values: readonly (readonly [SettingKey, string])[]): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const lastLine = new Map<SettingKey, number>();
  lines.forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim().toLowerCase().replace(/^--/, '');
    if ((SETTINGS as readonly string[]).includes(key)) lastLine.set(key as SettingKey, i);
  });
  const added: string[] = [];
  for (const [key, value] of values) {
    const i = lastLine.get(key);
    if (i === undefined) {
      added.push(`${key} = ${value}`);
      continue;
    }
    const comment = /(^|\s)(#.*)$/.exec(lines[i]!)?.[2];
    lines[i] = comment ? `${key} = ${value}`.padEnd(21) + ` ${comment}` : `${key} = ${value}`;
  }
  if (added.length) lines.push(...(lines.length ? [''] : []), '# saved from the screen (W)', ...added);
  return `${lines.join('\n')}\n`;
}

/** A file bigger than this is not one memtop wrote or a user edits: not rewritten. */
const SAVE_MAX = 256 * 1024;

/**
 * Whether `dir` is a place only the user (or root) can change: a directory,
 * owned by `uid` or root, writable by no one else (a root-owned sticky
 * directory such as /tmp is allowed as an ancestor: others cannot replace
 * what is ours in it). Returns the reason when it is not.
 */
function unsafeDir(dir: string, uid: number, ancestor: boolean): string | undefined {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) return `${dir} is a symlink`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid && st.uid !== 0) return `${dir} belongs to uid ${st.uid}, not to uid ${uid}`;
  const othersWrite = (st.mode & 0o022) !== 0;
  if (othersWrite && !(ancestor && st.uid === 0 && (st.mode & 0o1000) !== 0)) return `${dir} is writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * Saves `values` into the user's config file `file` (its text kept as
 * withSettings keeps it), atomically: a new file beside it (O_EXCL,
 * O_NOFOLLOW), synced, then renamed over it. Written only where it is safe:
 * every directory above is the user's or root's and writable by no one else
 * (a user who could change them could make root write elsewhere), the file
 * is not a symlink (never written through) and is a regular file. Missing
 * directories are made private (0700). Throws a MemtopError saying why not.
 */
export function saveSettings(file: string, values: readonly (readonly [SettingKey, string])[], uid = process.geteuid?.() ?? 0): void {
  const fail = (why: string): never => {
    throw new MemtopError(`settings not saved to ${file}: ${why}`, 1);
  };
  if (!isAbsolute(file)) fail('not an absolute path');
  const dir = dirname(file);
  try {
    const checkUp = (from: string, ancestorsOnly: boolean) => {
      for (let d = from, first = !ancestorsOnly; ; first = false) {
        const why = unsafeDir(d, uid, !first);
        if (why) fail(why);
        const up = dirname(d);
        if (up === d) break;
        d = up;
      }
    };
    // What exists of the path is checked before anything is made in it (as root under sudo, HOME may be
    // another user's: nothing of root's is left there); then what was made, and the rest again.
    let existing = dirname(dir);
    while (!exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
    checkUp(realpathSync(existing), existing !== dirname(dir));
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    const base = realpathSync(dirname(dir));
    checkUp(base, false);
    const own = join(base, basename(dir));
    try {
      mkdirSync(own, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const why = unsafeDir(own, uid, false);
    if (why) fail(why);
    const target = join(own, basename(file));
    let text = '';
    let mode = 0o600;
    let st: Stats | undefined;
    try {
      st = lstatSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (st) {
      if (st.isSymbolicLink()) fail('it is a symlink, and memtop does not write through one');
      if (!st.isFile()) fail('it is not a regular file');
      if (st.size > SAVE_MAX) fail(`it is larger than ${SAVE_MAX / 1024} KiB`);
      const fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
      mode = st.mode & 0o644;
    }
    const temp = join(own, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      try {
        writeSync(fd, withSettings(text, values));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  } catch (err) {
    if (err instanceof MemtopError) throw err;
    fail(reasonOf(err));
  }
}
