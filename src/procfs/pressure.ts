/** /proc/pressure/{cpu,memory,io} (PSI, kernel 4.20+). */
import { finiteOr0, kernelCount } from './number.js';

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Microseconds stalled since boot. */
  total: number;
}

export interface Pressure {
  some: PressureLine;
  /** Absent for cpu on kernels before 5.13. */
  full?: PressureLine;
}

function parseLine(line: string): PressureLine {
  const out: PressureLine = { avg10: 0, avg60: 0, avg300: 0, total: 0 };
  for (const part of line.split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const text = part.slice(eq + 1);
    if (key === 'avg10' || key === 'avg60' || key === 'avg300') out[key] = finiteOr0(text);
    else if (key === 'total') out.total = kernelCount(text) ?? 0;
  }
  return out;
}

/** Returns undefined when the text holds no "some" line (not a pressure file). */
export function parsePressure(text: string): Pressure | undefined {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('some ')) some = parseLine(line);
    else if (line.startsWith('full ')) full = parseLine(line);
  }
  return some ? { some, full } : undefined;
}
