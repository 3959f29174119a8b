/**
 * --text, and the output whenever stdout is not a terminal: each interval as
 * plain text like atop's screen (header, boxed system lines, process list).
 */
import { column } from '../columns/process.js';
import type { ViewDef } from '../columns/views.js';
import type { Interval } from '../model/interval.js';
import { cgroupLines } from './cgrouplist.js';
import { headerLine } from './header.js';
import { headerRow, layoutProcs, procRow } from './proclist.js';
import { plainSysLine } from './sysfield.js';
import { systemLines } from './syslines.js';

/** The flag field of the header; the text output has no interactive toggles. */
const TEXT_FLAGS = '-------';

export interface TextOptions {
  width: number;
  view: ViewDef;
  /** Column name to sort on; the view's default when undefined. */
  sort?: string;
  all?: boolean;
  /** Every process, not only the active ones (-a). */
  allProcs?: boolean;
  /** Processes as a tree (--tree): each under its parent, siblings sorted. */
  tree?: boolean;
  /** RGROW and TRATE sorted on the figure alone, as atop (--sort-atop). */
  sortAtop?: boolean;
  /** At most this many process rows (all when undefined). */
  maxProcs?: number;
}

export function renderText(iv: Interval, opts: TextOptions): string {
  const width = opts.width;
  const out: string[] = [headerLine(iv, width, TEXT_FLAGS)];
  for (const line of systemLines(iv, { all: opts.all })) out.push(plainSysLine(line, width));
  out.push('');
  if (iv.sinceBoot) out.push('*** System and Process Activity since Boot ***');
  if (opts.view.cgroups) {
    for (const line of cgroupLines(iv, width, opts.sort, opts.maxProcs)) out.push(line);
    return out.join('\n') + '\n';
  }
  const sort = column(opts.sort ?? opts.view.defaultSort)!;
  const { cols, rows } = layoutProcs(iv.procs, opts.view, width, sort, {
    pidWidth: iv.pidWidth, allProcs: opts.allProcs, exited: iv.exited, sortAtop: opts.sortAtop, tree: opts.tree,
  });
  out.push(headerRow(cols, width));
  const shown = opts.maxProcs === undefined ? rows : rows.slice(0, opts.maxProcs);
  for (const p of shown) out.push(procRow(p, cols, width));
  return out.join('\n') + '\n';
}
