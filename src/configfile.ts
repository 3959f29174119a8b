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
 */
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { usageError } from './messages.js';
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
