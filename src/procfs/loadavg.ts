/** /proc/loadavg and /proc/uptime. */

export interface LoadAvg {
  avg1: number;
  avg5: number;
  avg15: number;
  running: number;
  total: number;
}

export function parseLoadavg(text: string): LoadAvg {
  const p = text.trim().split(/\s+/);
  const [running, total] = (p[3] ?? '0/0').split('/');
  return {
    avg1: Number(p[0]) || 0,
    avg5: Number(p[1]) || 0,
    avg15: Number(p[2]) || 0,
    running: Number(running) || 0,
    total: Number(total) || 0,
  };
}

/** Seconds since boot, from the first number of /proc/uptime. */
export function parseUptime(text: string): number {
  return Number(text.trim().split(/\s+/)[0]) || 0;
}
