/**
 * The sampling clock: a sample at once (covering the time since boot), then
 * one every interval, each turned into an interval by the model and handed
 * to the output. Timers, never a synchronous loop, so outputs can flush.
 */
import { buildInterval, type Interval } from '../model/interval.js';
import type { Thresholds } from '../model/thresholds.js';
import type { SampleNeeds, Sampler } from '../reader/sampler.js';
import type { Sample } from '../sample.js';

export interface LoopOptions {
  interval: number;
  samples?: number;
  thresholds: Thresholds;
  needs: () => SampleNeeds;
}

export interface LoopHandle {
  stop(): void;
  /** Resolves when the requested number of samples is done or stop() was called. */
  done: Promise<void>;
}

export function runLoop(
  sampler: Sampler, opts: LoopOptions, onInterval: (iv: Interval, sample: Sample) => void,
): LoopHandle {
  let prev: Sample | undefined;
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const start = Date.now();

  const tick = () => {
    if (stopped) return;
    const cur = sampler.sample(opts.needs());
    const iv = buildInterval(prev, cur, { thresholds: opts.thresholds });
    prev = cur;
    count++;
    onInterval(iv, cur);
    if (opts.samples !== undefined && count >= opts.samples) {
      stopped = true;
      finish();
      return;
    }
    // Aim at start + n x interval so the rhythm does not drift with the work done.
    const next = start + count * opts.interval * 1000;
    timer = setTimeout(tick, Math.max(0, next - Date.now()));
  };
  timer = setTimeout(tick, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      finish();
    },
    done,
  };
}
