/**
 * memtop -w FILE [interval [samples]] and memtop --log-dir DIR [interval]:
 * records raw samples (the counters, with the per-process files every view
 * needs), no screen. SIGUSR1 adds a sample at once; SIGUSR2 adds a last
 * one and stops. Stops at the sample count or on SIGINT/SIGTERM/SIGHUP (then,
 * the file closed, memtop ends by that signal: EndedBySignal); a
 * write that fails throws the writer's MemtopError (one line, exit 1), the
 * file readable up to its last whole record.
 */
import type { Config } from '../config.js';
import type { Sampler } from '../reader/sampler.js';
import type { Sample } from '../sample.js';
import { everyInterval, runUntilSignal } from './timer.js';
import { DailyLog } from '../rawlog/daily.js';
import { lockForWriting, type WriteLock } from '../rawlog/lock.js';
import { RawWriter, type WriterOptions } from '../rawlog/writer.js';
import { EndedBySignal, say, type EndSignal } from '../messages.js';
import { checkStdoutOpen } from './stdout.js';

/** What a replay's views may ask for: read them all while recording. */
/** Recordings hold what every view shows, the cgroup tree included (a replay's G view). */
export const RECORD_NEEDS = { io: true, cmdline: true, cgroups: true };

interface Sink {
  append(sample: Sample): void;
  close(): void;
}

export async function runRecord(sampler: Sampler, config: Config): Promise<void> {
  const opts: WriterOptions = { writer: 'memtop', onNote: say };
  if (config.write === '-') checkStdoutOpen();
  // A second recorder on the same file (or log directory) is refused: both would append and cut.
  let lock: WriteLock | undefined;
  if (config.write !== undefined && config.write !== '-') lock = await lockForWriting(config.write);
  const sink: Sink = config.write !== undefined ? new RawWriter(config.write, opts) : new DailyLog(config.logDir!, config.keep, opts);
  if (config.logDir !== undefined) lock = await lockForWriting(config.logDir, `the log directory ${config.logDir}`);
  let failure: unknown;
  const take = () => {
    if (failure !== undefined) return;
    try {
      sink.append(sampler.sample(RECORD_NEEDS));
    } catch (err) {
      failure = err;
      clock.stop();
    }
  };
  const clock = everyInterval(config.interval, config.samples, take);
  // As atop -w: SIGUSR1 takes a sample now (outside the count); SIGUSR2 takes a last one and
  // stops, which is what a log rotation sends before starting the next day's recorder.
  const last = () => {
    take();
    clock.stop();
  };
  process.on('SIGUSR1', take);
  process.once('SIGUSR2', last);
  let signal: EndSignal | undefined;
  try {
    signal = await runUntilSignal(clock);
  } finally {
    process.off('SIGUSR1', take);
    process.off('SIGUSR2', last);
  }
  sink.close();
  lock?.release();
  if (failure !== undefined) throw failure;
  if (signal) throw new EndedBySignal(signal);
}
