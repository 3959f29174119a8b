/**
 * The sampling clock: a tick at once (the sample covering the time since
 * boot), then one every interval. Timers, never a synchronous loop, so
 * output can flush between samples. The interval can change while running.
 */
import { END_SIGNALS, type EndSignal } from '../messages.js';

export interface Clock {
  stop(): void;
  /** Changes the interval from the next tick on. */
  setInterval(seconds: number): void;
  /** Resolves when `count` ticks are done or stop() was called. */
  done: Promise<void>;
}

export function everyInterval(seconds: number, count: number | undefined, tick: () => void): Clock {
  let interval = seconds;
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let base = Date.now();
  let sinceBase = 0;

  const run = () => {
    if (stopped) return;
    tick();
    n++;
    sinceBase++;
    if (count !== undefined && n >= count) {
      stopped = true;
      finish();
      return;
    }
    // Aim at base + k x interval so the rhythm does not drift with the work done.
    const next = base + sinceBase * interval * 1000;
    timer = setTimeout(run, Math.max(0, next - Date.now()));
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      finish();
    },
    setInterval(s: number) {
      interval = s;
      base = Date.now();
      sinceBase = 0;
      if (timer && !stopped) {
        clearTimeout(timer);
        timer = setTimeout(run, interval * 1000);
        sinceBase = 1;
      }
    },
    done,
  };
}

/**
 * Calls `stop` with the first of SIGINT, SIGTERM or SIGHUP that comes;
 * returns what removes the listeners again.
 */
export function onEndSignal(stop: (signal: EndSignal) => void): () => void {
  const handlers = (Object.keys(END_SIGNALS) as EndSignal[]).map((signal) => {
    const handler = () => stop(signal);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

/**
 * Waits for the clock to finish, stopping it early on SIGINT, SIGTERM or
 * SIGHUP. The signal that stopped it, if one did (the caller finishes up and
 * throws EndedBySignal).
 */
export async function runUntilSignal(clock: Clock): Promise<EndSignal | undefined> {
  let signalled: EndSignal | undefined;
  const off = onEndSignal((signal) => {
    signalled ??= signal;
    clock.stop();
  });
  try {
    await clock.done;
  } finally {
    off();
  }
  return signalled;
}
