/**
 * /proc/PID/limits: the soft limit on open files, the number of fds a
 * process may hold ("Max open files  1024  524288  files").
 * Undefined when the line is missing; Infinity for "unlimited".
 */
export function parseOpenFileLimit(text: string): number | undefined {
  const m = text.match(/^Max open files\s+(\d+|unlimited)\s/m);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}
