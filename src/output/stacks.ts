/**
 * The stacks report as text: `memtop --stacks` prints it, the detail pane
 * shows it after a trace. Stacks largest first, each with its outstanding
 * bytes, allocation count and rate over the trace, then its frames.
 */
import { memStr } from '../format/units.js';
import { printable } from '../format/text.js';
import type { StacksReport } from '../trace/report.js';

const size = (n: number) => memStr(n).trim();

/** The lines of the report; `maxStacks`/`maxFrames` bound what a pane shows. */
export function stacksLines(r: StacksReport, width: number, maxStacks = 20, maxFrames = 12): string[] {
  const fit = (s: string) => (s.length > width ? s.slice(0, Math.max(1, width - 1)) + '>' : s);
  const out: string[] = [];
  const total = r.stacks.reduce((t, s) => t + s.bytes, 0);
  out.push(`allocations of ${r.pid} (${printable(r.cmd)}) still outstanding after ${r.seconds.toFixed(1)} s of trace: ${size(total)} in ${r.stacks.length} stack${r.stacks.length === 1 ? '' : 's'}`);
  if (r.stoppedEarly) out.push(`(${r.stoppedEarly})`);
  if (r.sampled > 1) out.push(`sampled: 1 in ${r.sampled} allocations below 64K recorded, figures scaled back (larger ones all)`);
  for (const line of r.runtimes) out.push(line);
  if (r.stacks.length === 0) out.push('nothing allocated during the trace is still held');
  for (const s of r.stacks.slice(0, maxStacks)) {
    const rate = r.seconds > 0 ? `, ${memStr(s.bytes, 'B', r.seconds).trim()}` : '';
    out.push('');
    out.push(`${size(s.bytes)} in ${s.count} allocation${s.count === 1 ? '' : 's'}${rate}`);
    for (const f of s.frames.slice(0, maxFrames)) out.push(`    ${printable(f)}`);
    if (s.frames.length > maxFrames) out.push(`    ... ${s.frames.length - maxFrames} more`);
  }
  if (r.stacks.length > maxStacks) out.push('', `... ${r.stacks.length - maxStacks} smaller stacks (--json lists all)`);
  return out.map(fit);
}
