/**
 * memtop -r FILE|YYYYMMDD|y...|- [-b TIME] [-e TIME]: opens a recording as a
 * feed for the same screen and outputs as live sampling. Warnings
 * about damage go to stderr once, one line each; exit 0 when at least one
 * sample was read, 1 when none or when the file is not a memtop log.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import { controllingTerminal } from './keyboard.js';
import type { Config, OutputMode } from '../config.js';
import { timeOfSpec } from '../format/timespec.js';
import { MemtopError, reasonOf, say, usageError } from '../messages.js';
import { ReplayFeed } from './feeds.js';
import { dailyFileFor, DEFAULT_LOG_DIR } from '../rawlog/daily.js';
import { fdSource, RawLog, type ByteSource } from '../rawlog/reader.js';

/** A recording on a pipe is held in memory: at most this much of it. */
const MAX_STDIN = 1024 ** 3;

/**
 * stdin's recording: a file given with < is read where needed, as -r FILE
 * reads it (any size); a pipe is read whole, up to MAX_STDIN.
 */
async function readStdin(): Promise<Buffer | ByteSource> {
  try {
    const st = fstatSync(0);
    if (st.isFile()) return fdSource(0, st.size);
  } catch {
    // no stdin to look at: read it as a stream below
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_STDIN) {
        throw new MemtopError(`-r -: more than ${MAX_STDIN / 1024 ** 3} GiB on stdin: replay a recording that large from its file (memtop -r FILE)`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof MemtopError) throw err;
    throw new MemtopError(`cannot read stdin: ${reasonOf(err)}`);
  }
  return Buffer.concat(chunks);
}

/** The recording (stdin's bytes, or a file read where needed) and the name to use in messages. */
async function load(arg: string, logDir: string | undefined, now: number): Promise<{ data: Buffer | ByteSource; name: string }> {
  if (arg === '-') {
    if (process.stdin.isTTY) throw usageError('-r -: stdin is a terminal, not a recording (memtop -r - < FILE)');
    return { data: await readStdin(), name: 'stdin' };
  }
  const daily = dailyFileFor(arg, logDir ?? DEFAULT_LOG_DIR, now);
  const path = daily ?? arg;
  try {
    // Without blocking: a FIFO would wait for a writer before the check below could refuse it.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(path), { code: 'EISDIR' });
    if (!st.isFile()) {
      closeSync(fd);
      // A device or FIFO has no size to index by (/dev/zero would read as an endless empty log).
      throw new MemtopError(`${path} is not a regular file: not a memtop log (a recording on a pipe: memtop -r - < FILE)`);
    }
    // Left open for the replay's lifetime: samples are read from it when shown.
    return { data: fdSource(fd, st.size), name: path };
  } catch (err) {
    if (err instanceof MemtopError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new MemtopError(daily ? `no daily log for ${arg ? `'${arg}'` : 'today'}: ${path} does not exist` : `cannot open ${path}: no such file`);
    }
    throw new MemtopError(`cannot open ${path}: ${reasonOf(err)}`);
  }
}

export interface Replay {
  feed: ReplayFeed;
  /** The output: the screen unless the recording comes on stdin and no terminal is there for keys. */
  mode: OutputMode;
  /** With the recording on stdin, the screen's keys come from the controlling terminal, as less does. */
  keyboard?: ReadStream;
}

/** The recording's feed; a MemtopError when there is nothing to replay. */
export async function openReplay(config: Config): Promise<Replay> {
  const { data, name } = await load(config.read!, config.logDir, Date.now());
  const log = new RawLog(data, name, say);
  for (const w of log.warnings) say(w);
  if (log.length === 0) throw new MemtopError(`${log.name} holds no complete sample`);
  const ref = log.timeOf(0);
  const from = config.begin ? timeOfSpec(config.begin.spec, ref) : -Infinity;
  const to = config.end ? timeOfSpec(config.end.spec, ref, true) : Infinity;
  let first = -1;
  let last = -1;
  for (let i = 0; i < log.length; i++) {
    const t = log.timeOf(i);
    if (t < from || t > to) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) {
    throw new MemtopError(`${log.name}: no sample between ${config.begin?.text ?? 'the start'} and ${config.end?.text ?? 'the end'}`);
  }
  const feed = new ReplayFeed(log, config.thresholds, { first, last }, { window: config.window });
  if (config.mode !== 'tui' || config.read !== '-') return { feed, mode: config.mode };
  const keyboard = controllingTerminal();
  return { feed, mode: keyboard ? 'tui' : 'text', keyboard };
}

