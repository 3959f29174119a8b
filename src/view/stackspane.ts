/**
 * The detail pane's allocation trace (S in the detail): traces the process
 * shown for a while through the shell's ProcessAccess, with its progress,
 * S again or Esc to stop early, and the stacks (output/stacks.ts) shown in
 * the pane when it is done.
 */
import type { TraceProgress } from '../run/stacks.js';
import type { StacksReport } from '../trace/report.js';
import { stacksLines } from '../output/stacks.js';
import { SYSTEM_WIDE_COST } from '../trace/script.js';
import { messageOf } from '../messages.js';

/** A trace as the screen drives it (run/stacks.ts's StackTrace; faked in tests). */
export interface TraceHandle {
  stop(): void;
  done: Promise<StacksReport>;
}

export type StartTrace = (pid: number, onProgress: (p: TraceProgress) => void) => TraceHandle;

/** Seconds the screen's trace runs unless stopped early. */
export const SCREEN_TRACE_SECONDS = 20;

export class StacksPane {
  private handle: TraceHandle | undefined;
  private progress: TraceProgress = { phase: 'attaching' };
  report: StacksReport | undefined;
  error: string | undefined;

  constructor(readonly pid: number, start: StartTrace, changed: () => void) {
    this.handle = start(pid, (p) => {
      this.progress = p;
      changed();
    });
    this.handle.done.then((r) => {
      this.report = r;
    }, (err: unknown) => {
      this.error = messageOf(err);
    }).finally(() => {
      this.handle = undefined;
      changed();
    });
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  stop(): void {
    this.handle?.stop();
  }

  lines(width: number, height: number): string[] {
    if (this.error) return [`ALLOCATION STACKS: ${this.error}`, '', 'S traces again, Esc back'];
    if (this.report) {
      return ['ALLOCATION STACKS (S traces again, Esc back)', ...stacksLines(this.report, width, Math.max(1, Math.floor((height - 6) / 5)), 4)].slice(0, height);
    }
    const p = this.progress;
    const what = p.phase === 'attaching' ? 'attaching probes (bpftrace)...' : p.phase === 'reading' ? 'reading and naming the stacks...'
      : `tracing: ${Math.floor(p.elapsed)}/${p.seconds} s${p.every > 1 ? `, sampled 1 in ${p.every}` : ''}`;
    return [`ALLOCATION STACKS of ${this.pid}: ${what}`, '', 'S or Esc stops the trace early (the stacks so far are shown)', '', `Note: ${SYSTEM_WIDE_COST}`];
  }
}
