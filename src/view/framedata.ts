/**
 * What one frame of the screen shows, as lines of text: made by frame.ts
 * (pure, no terminal), drawn by screen.ts (blessed). Its own module so that
 * the pure side imports no blessed.
 */
import type { PanelView } from './trendview.js';

export interface Frame {
  header: string;
  sys: string[];
  status: string;
  procHead: string;
  rows: string[];
  /** The trend panel (B), under the system lines. */
  panel?: PanelView;
  /** The help overlay, when open. */
  help?: string[];
  /** Shown alone when the terminal is too small to draw. */
  tooSmall?: string[];
}
