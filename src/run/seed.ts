/**
 * A fresh live screen starts with a past: where a daily log is being written
 * (--log-dir, or the default directory the systemd unit writes), the records
 * of the last window (today's file, yesterday's when the window reaches back
 * past midnight) are fed to the live feed's memory history before the first
 * sample, so a leak already under way is judged on what was logged.
 *
 * Only records of this boot (wall time minus uptime within 5 s of ours) and
 * of the window; only files owned by root or by us and not writable by
 * others (a file another user prepared is not trusted). Read once at start:
 * nothing is added to the per-sample path.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { uptime } from 'node:os';
import { buildInterval } from '../model/interval.js';
import type { MemoryHistory } from '../model/leaks.js';
import type { Thresholds } from '../model/thresholds.js';
import { dailyFileFor, DEFAULT_LOG_DIR } from '../rawlog/daily.js';
import { fdSource, RawLog } from '../rawlog/reader.js';
import type { Sample } from '../sample.js';

/** Records fed at most (as a replay's jump): a 10-minute window at 1-s samples. */
const MAX_RECORDS = 600;
/** Boot times that differ by more than this are another boot. */
const BOOT_SLACK_MS = 5000;

export interface Seeded {
  /** The line the status line shows once. */
  note: string;
  records: number;
}

function openTrusted(path: string): RawLog | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const st = fstatSync(fd);
  const me = process.geteuid?.() ?? 0;
  if (!st.isFile() || (st.uid !== 0 && st.uid !== me) || (st.mode & 0o022) !== 0) {
    closeSync(fd);
    return undefined;
  }
  // Left open: records are decoded as they are fed (the process keeps one descriptor per file read, at most two).
  try {
    return new RawLog(fdSource(fd, st.size), path, () => {});
  } catch {
    closeSync(fd);
    return undefined;
  }
}

/**
 * The log directories of the daily loggers running now (`memtop --log-dir
 * DIR`, as root or as this user), so a logger started with a directory of
 * its own is found too. One pass over /proc's command lines, once at start.
 */
export function runningLogDirs(proc = '/proc'): string[] {
  const me = process.geteuid?.() ?? 0;
  const dirs = new Set<string>();
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      const uid = statSync(`${proc}/${pid}`).uid;
      if (uid !== 0 && uid !== me) continue;
      const argv = readFileSync(`${proc}/${pid}/cmdline`, 'latin1').split('\0');
      // memtop itself (`memtop`, `/usr/bin/memtop`) or node running its start (`.../dist/bin.cjs`): a log is checked anyway.
      if (!argv.slice(0, 2).some((a) => /(^|\/)memtop$|\/dist\/(bin\.cjs|cli\.js)$/.test(a))) continue;
      for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '--log-dir' && argv[i + 1]) dirs.add(argv[i + 1]!);
        else if (a.startsWith('--log-dir=')) dirs.add(a.slice('--log-dir='.length));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return [...dirs].filter((d) => d.startsWith('/'));
}

/**
 * Feeds `history` the logged records of the last `window` seconds; undefined
 * when there is no log (or nothing of this boot in the window).
 */
export function seedFromDailyLog(history: MemoryHistory, thresholds: Thresholds, window: number, logDir: string | undefined, now = Date.now()): Seeded | undefined {
  const dir = logDir ?? DEFAULT_LOG_DIR;
  const from = now - window * 1000;
  const boot = now - uptime() * 1000;
  const picked: { log: RawLog; i: number }[] = [];
  const files = [dailyFileFor('y', dir, now)!, dailyFileFor('', dir, now)!];
  const used: string[] = [];
  for (const path of files) {
    const log = openTrusted(path);
    if (!log) continue;
    let n = 0;
    for (let i = 0; i < log.length; i++) {
      const t = log.timeOf(i);
      if (t >= from && t <= now) {
        picked.push({ log, i });
        n++;
      }
    }
    if (n > 0) used.push(path);
  }
  if (picked.length === 0) return undefined;
  const step = Math.max(1, Math.ceil(picked.length / MAX_RECORDS));
  let before: Sample | undefined;
  let fed = 0;
  let first = NaN;
  for (let k = picked.length % step === 0 ? step - 1 : (picked.length % step) - 1; k < picked.length; k += step) {
    const { log, i } = picked[k]!;
    let s: Sample | undefined;
    try {
      s = log.get(i);
    } catch {
      s = undefined;
    }
    if (!s || Math.abs(s.time - s.uptime * 1000 - boot) > BOOT_SLACK_MS) {
      before = undefined;
      continue;
    }
    buildInterval(log.startsRun(i) ? undefined : before, s, { thresholds, history });
    before = s;
    if (fed === 0) first = s.time;
    fed++;
  }
  if (fed === 0) return undefined;
  const minutes = Math.max(1, Math.round((now - first) / 60000));
  return { note: `history of the last ${minutes} min from ${used.join(' and ')} (${fed} records): leak verdicts go on from there`, records: fed };
}
