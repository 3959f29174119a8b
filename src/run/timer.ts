/**
 * The sampling clock: a tick at once (the sample covering the time since
 * boot), then one every interval. Timers, never a synchronous loop, so
 * output can flush between samples. The interval can change while running.
 */
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
 * Waits for the clock to finish, stopping it early on SIGINT or SIGTERM
 * (quietly, exit code 0). True when a signal stopped it.
 */
export async function runUntilSignal(clock: Clock): Promise<boolean> {
  let signalled = false;
  const stop = () => {
    signalled = true;
    clock.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await clock.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return signalled;
}
