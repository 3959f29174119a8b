/**
 * memtop -w FILE [interval [samples]] and memtop --log-dir DIR [interval]:
 * records raw samples (the counters, with the per-process files every view
 * needs), no screen. SIGUSR1 adds a sample at once; SIGUSR2 adds a last
 * one and stops. Stops at the sample count or on SIGINT/SIGTERM; a
 * write that fails ends memtop with one line and exit 1, the file readable
 * up to its last whole record.
 */
import type { Config } from '../config.js';
import { UsageError } from '../config.js';
import type { Sampler } from '../reader/sampler.js';
import type { Sample } from '../sample.js';
import { everyInterval, runUntilSignal } from './timer.js';
import { DailyLog } from '../rawlog/daily.js';
import { RawLogError } from '../rawlog/format.js';
import { RawWriter, type WriterOptions } from '../rawlog/writer.js';
import { say } from '../messages.js';

/** What a replay's views may ask for: read them all while recording. */
export const RECORD_NEEDS = { io: true, cmdline: true };

interface Sink {
  append(sample: Sample): void;
  close(): void;
}

export async function runRecord(sampler: Sampler, config: Config): Promise<void> {
  if (config.write !== undefined && config.logDir !== undefined) {
    throw new UsageError('-w and --log-dir exclude each other: record to one file or to daily files');
  }
  const opts: WriterOptions = { writer: 'memtop', onNote: say };
  let sink: Sink;
  try {
    sink = config.write !== undefined ? new RawWriter(config.write, opts) : new DailyLog(config.logDir!, config.keep, opts);
  } catch (err) {
    if (err instanceof RawLogError) return stop(err);
    throw err;
  }
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
  try {
    await runUntilSignal(clock);
  } finally {
    process.off('SIGUSR1', take);
    process.off('SIGUSR2', last);
  }
  sink.close();
  if (failure === undefined) return;
  if (failure instanceof RawLogError) return stop(failure);
  throw failure;
}

function stop(err: RawLogError): void {
  if (err.message) say(err.message);
  process.exitCode = err.exitCode;
}
