/**
 * How the screen's rows are shared between the system lines, the trend
 * panel (B) and the process list, below the header and above the status
 * line and the process header.
 *
 * The panel sits between the system lines and the process list when all of
 * them but the per-CPU lines still fit with LIST_ROWS process rows left (200x50
 * and most tall terminals). Otherwise it replaces the system lines (80x24):
 * its legend repeats free, cache, used and swap with their values, and the
 * rows kept for the process list are where the leaker shows; a cut set of
 * system lines would hide PAG and DSK without saying so.
 */
import type { SysLine } from '../output/sysfield.js';
import { fitSysLines } from './sysview.js';

/** Header, status line and process header. */
export const FIXED_ROWS = 3;
/** Process rows kept on screen however many system lines there are. */
export const MIN_PROC_ROWS = 3;
/** The panel's height: a share of the rows, within these bounds. */
export const PANEL_MIN_ROWS = 8;
export const PANEL_MAX_ROWS = 16;
const PANEL_SHARE = 0.4;
/** Process rows kept under the panel when the system lines stay too. */
export const LIST_ROWS = 8;

export interface Layout {
  sys: readonly SysLine[];
  /** 0: no panel. */
  panelRows: number;
  /** The panel is wanted but the terminal is too short for it. */
  panelTooShort: boolean;
}

/** The fewest terminal rows that show the panel. */
export const PANEL_MIN_HEIGHT = FIXED_ROWS + PANEL_MIN_ROWS + MIN_PROC_ROWS;

export function screenLayout(height: number, lines: readonly SysLine[], panel: boolean): Layout {
  const room = height - FIXED_ROWS;
  const without: Layout = { sys: fitSysLines(lines, room - MIN_PROC_ROWS), panelRows: 0, panelTooShort: false };
  if (!panel) return without;
  if (height < PANEL_MIN_HEIGHT) return { ...without, panelTooShort: true };
  const panelRows = Math.min(PANEL_MAX_ROWS, Math.max(PANEL_MIN_ROWS, Math.floor(room * PANEL_SHARE)));
  const sysRoom = room - panelRows - LIST_ROWS;
  const essential = lines.filter((l) => l.label !== 'cpu').length;
  if (essential <= sysRoom) return { sys: fitSysLines(lines, sysRoom), panelRows, panelTooShort: false };
  return { sys: [], panelRows, panelTooShort: false };
}

/** The process rows on a page: what the layout leaves of the height. */
export function listRows(layout: Layout, height: number): number {
  return height - FIXED_ROWS - layout.sys.length - layout.panelRows;
}
