/**
 * The k key's work: which signal the user means, sending it, and the
 * outcome in one line (EPERM and ESRCH said plainly, never thrown).
 */
import { constants } from 'node:os';
import { messageOf } from '../messages.js';

const SIGNALS = constants.signals as Record<string, number>;

/** A signal by number or name (15, TERM, SIGTERM, term); a message when unknown. */
export function parseSignal(text: string): number | string {
  const t = text.trim().toUpperCase();
  if (t === '') return SIGNALS.SIGTERM!;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n >= 1 && n <= 64 ? n : `no signal ${t}: give 1 to 64 or a name like TERM or KILL`;
  }
  const n = SIGNALS[t.startsWith('SIG') ? t : `SIG${t}`];
  return n ?? `no signal '${text.trim()}': give a number or a name like TERM, INT, HUP, KILL`;
}

export function signalName(sig: number): string {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === sig) ?? `signal ${sig}`;
}

/**
 * A pid the user typed: a number from 1 (0 and -1 would signal groups) to
 * `pidMax` (the model's largestPid: what the sampled kernel gives). What is
 * shown back is cut to a screenful.
 */
export function parsePid(text: string, pidMax: number): number | string {
  const t = text.trim();
  const shown = t.length > 20 ? `${t.slice(0, 20)}...` : t;
  if (!/^\d+$/.test(t)) return `not a pid: '${shown}'`;
  const n = Number(t);
  return n >= 1 && n <= pidMax ? n : `not a pid: '${shown}' (pids go from 1 to ${pidMax})`;
}

/** Sends the signal; returns the line to show. */
export function sendSignal(pid: number, sig: number, kill: (pid: number, sig: number) => void = (p, s) => process.kill(p, s)): string {
  const name = signalName(sig);
  try {
    kill(pid, sig);
    return `sent ${name} to ${pid}`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return `kill ${pid}: EPERM, not allowed to send ${name} to this process`;
    if (code === 'ESRCH') return `kill ${pid}: ESRCH, no such process (it has exited)`;
    return `kill ${pid}: ${code ?? messageOf(err)}`;
  }
}
