/**
 * memtop --detail PID [interval [samples]]: one process in detail, a sample
 * every interval, as text or JSON lines, until the samples are done, the
 * process ends or a signal stops it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { usageError } from '../messages.js';
import { DetailTracker } from '../model/detail.js';
import { detailJson, detailLines } from '../output/detail.js';
import { goneLine } from '../contain/apply.js';
import { readRecord } from '../contain/facts.js';
import { DetailReader } from '../reader/detail.js';
import { checkStdoutOpen, StdoutSink } from './stdout.js';
import { everyInterval, runUntilSignal } from './timer.js';

export async function runDetail(pid: number, config: Config): Promise<void> {
  if (!existsSync(join(config.proc, String(pid), 'stat'))) throw usageError(`no process ${pid} in ${config.proc}`);
  checkStdoutOpen();
  const out = new StdoutSink(() => clock.stop());
  const tracker = new DetailTracker(Date.now());
  const reader = new DetailReader(config.proc, config.sys);
  let gone = false;
  const clock = everyInterval(config.interval, config.samples, () => {
    const d = tracker.update(reader.read(pid));
    out.write(config.mode === 'json' ? JSON.stringify(detailJson(d)) + '\n' : detailLines(d, config.width, 30).join('\n') + '\n\n');
    if (d.gone) {
      gone = true;
      clock.stop();
    }
  });
  const signal = await runUntilSignal(clock);
  if (signal) await out.endOnSignal(signal);
  await out.flush();
  if (gone) {
    // A process memtop contained may have been OOM-killed inside its group: say so plainly.
    const record = readRecord(pid);
    process.stderr.write(`memtop: ${record ? goneLine(record) : `process ${pid} ended`}\n`);
  }
}
