/** /proc/loadavg and /proc/uptime. */
import { finiteOr0, kernelCount } from './number.js';

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
    avg1: finiteOr0(p[0]),
    avg5: finiteOr0(p[1]),
    avg15: finiteOr0(p[2]),
    running: kernelCount(running) ?? 0,
    total: kernelCount(total) ?? 0,
  };
}

/** Seconds since boot, from the first number of /proc/uptime. */
export function parseUptime(text: string): number {
  const v = finiteOr0(text.trim().split(/\s+/)[0]);
  return v > 0 ? v : 0;
}
