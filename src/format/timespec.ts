/**
 * Replay times: [YYYYMMDD[ ]]hh[:]mm[[:]ss], for -b, -e and the replay
 * screen's branch prompt. Without a date, the day of a reference time (the
 * first sample of the recording) is meant. Local time, as atop.
 */

export interface TimeSpec {
  date?: { year: number; month: number; day: number };
  hour: number;
  minute: number;
  second?: number;
}

const SPEC = /^(?:(\d{4})(\d{2})(\d{2})[ T]?)?(\d{1,2}):?(\d{2})(?::?(\d{2}))?$/;

export const TIME_FORMAT = '[YYYYMMDD ]hh:mm[:ss]';

/** Undefined when the text is not a valid time. */
export function parseTimeSpec(text: string): TimeSpec | undefined {
  const m = SPEC.exec(text.trim());
  if (!m) return undefined;
  const spec: TimeSpec = { hour: Number(m[4]), minute: Number(m[5]) };
  if (m[6] !== undefined) spec.second = Number(m[6]);
  if (spec.hour > 23 || spec.minute > 59 || (spec.second ?? 0) > 59) return undefined;
  if (m[1] !== undefined) {
    const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    const d = new Date(date.year, date.month - 1, date.day);
    if (d.getFullYear() !== date.year || d.getMonth() !== date.month - 1 || d.getDate() !== date.day) return undefined;
    spec.date = date;
  }
  return spec;
}

/**
 * The first millisecond the spec names (`end` false) or the last one (`end`
 * true: hh:mm covers the whole minute, hh:mm:ss the whole second).
 */
export function timeOfSpec(spec: TimeSpec, reference: number, end = false): number {
  const ref = new Date(reference);
  const { year, month, day } = spec.date ?? { year: ref.getFullYear(), month: ref.getMonth() + 1, day: ref.getDate() };
  const start = new Date(year, month - 1, day, spec.hour, spec.minute, spec.second ?? 0).getTime();
  return end ? start + (spec.second === undefined ? 59_999 : 999) : start;
}

/** parseTimeSpec and timeOfSpec in one: undefined when the text is not a valid time. */
export function parseReplayTime(text: string, reference: number, end = false): number | undefined {
  const spec = parseTimeSpec(text);
  return spec && timeOfSpec(spec, reference, end);
}
