/**
 * memtop -r FILE --report OUT.html [-b TIME] [-e TIME]: replays the
 * recording (daily files and --log-dir as -r takes them) through the model,
 * gathers the incident (output/incident.ts) and writes the page
 * (output/report.ts). The file is written beside its final name and renamed
 * into place: a reader never sees half a report, and a symbolic link at the
 * name is replaced, never followed.
 */
import { closeSync, constants, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { MemtopError, reasonOf, say, usageError } from '../messages.js';
import { dailyFileFor, DEFAULT_LOG_DIR } from '../rawlog/daily.js';
import { IncidentCollector } from '../output/incident.js';
import { renderReport } from '../output/report.js';
import { openReplay } from './replay.js';

/** Writes `text` to `path` through a new file of its own in the same directory, then renames it over. */
export function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    // O_EXCL: never into a file (or through a link) someone prepared at the temporary name.
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    throw new MemtopError(`cannot write the report beside ${path}: ${reasonOf(err)}`);
  }
  try {
    writeSync(fd, text);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new MemtopError(`cannot write the report to ${path}: ${reasonOf(err)}`);
  }
}

/** A report written over the recording it is made from would lose the recording: refused. */
function refuseOverwritingTheLog(config: Config): void {
  const out = statOrUndefined(config.report!);
  if (!out || config.read === '-') return;
  const daily = dailyFileFor(config.read!, config.logDir ?? DEFAULT_LOG_DIR, Date.now());
  const log = statOrUndefined(daily ?? config.read!);
  if (log && log.dev === out.dev && log.ino === out.ino) throw usageError(`--report ${config.report} is the recording itself: give another file`);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** `version`: memtop's, for the page's footer. */
export async function runReport(config: Config, version: string): Promise<void> {
  const started = performance.now();
  refuseOverwritingTheLog(config);
  const replay = await openReplay({ ...config, mode: 'json' });
  const incident = new IncidentCollector();
  for (let iv = replay.feed.next(); iv; iv = replay.feed.next()) incident.add(iv);
  if (incident.times.length === 0) throw new MemtopError(`${config.read}: no interval to report`);
  const first = incident.times[0]!;
  const html = renderReport(incident, {
    // A daily file by its path: 'y' would name another day tomorrow, and the command lines must stay true.
    file: config.read === '-' ? '-' : dailyFileFor(config.read!, config.logDir ?? DEFAULT_LOG_DIR, Date.now()) ?? config.read!,
    tzOffsetMin: -new Date(first).getTimezoneOffset(),
    version,
  });
  writeAtomically(config.report!, html);
  const seconds = (performance.now() - started) / 1000;
  say(`report: ${config.report} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${incident.times.length} samples, ${seconds.toFixed(1)} s)`);
}
