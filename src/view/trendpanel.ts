/**
 * The trend panel's state on the screen: the history, kept from every
 * interval shown whether the panel is on or not; B on and off; loading
 * the charts (blessed-contrib) on the first B; the process plotted; the panel's view, rebuilt only when the
 * history, the plotted process, the size or the colours change.
 *
 * A replay that moves other than one step forward (T, b, r) marks the
 * history stale; it is rebuilt from the recording when the panel shows.
 */
import type { Interval, ProcInterval } from '../model/interval.js';
import type { Recent } from '../feed.js';
import { HISTORY, holdsTime, refill, trendHistory, trendPoint } from './trend.js';
import { pickTarget, type Target } from './trendseries.js';
import { trendView, type PanelView } from './trendview.js';
import { messageOf } from '../messages.js';

export interface TrendHost {
  /** Replay only: the samples up to the current one (Feed.recording.recent). */
  recent?(count: number, known?: (time: number) => boolean): Recent[];
  /** A one-line message on the status line. */
  say(text: string): void;
  /** Loads what draws the charts (blessed-contrib, 60-90 ms): on the first B only. */
  load(): Promise<void>;
  /** The charts loaded: the panel takes its rows from now on. */
  loaded(): void;
}

export class TrendPanel {
  on = false;
  private readonly history = trendHistory();
  private stale = false;
  private charts: 'loading' | 'loaded' | 'failed' | undefined;
  private target: Target | undefined;
  private cache: { key: string; view: PanelView } | undefined;

  constructor(private readonly host: TrendHost) {}

  /** On, and blessed-contrib loaded: the panel can be drawn. */
  get ready(): boolean {
    return this.on && this.charts === 'loaded';
  }

  /** Every interval the screen shows; `jump`: a replay moved other than one step forward. */
  keep(iv: Interval, jump: boolean): void {
    if (jump && this.host.recent) this.stale = true;
    else if (!this.stale) this.history.push(trendPoint(iv));
    if (this.on) this.refill();
  }

  toggle(): void {
    if (this.charts === 'failed') return this.host.say('the trend panel is unavailable: blessed-contrib did not load');
    this.on = !this.on;
    if (!this.on) return;
    this.refill();
    if (this.charts !== undefined) return;
    this.charts = 'loading';
    this.host.load().then(
      () => {
        this.charts = 'loaded';
        this.host.loaded();
      },
      (err: unknown) => {
        this.charts = 'failed';
        this.on = false;
        this.host.say(`the trend panel is unavailable: blessed-contrib did not load (${messageOf(err)})`);
      },
    );
  }

  /**
   * The process plotted for `iv`: `followed`, the pid the user moved the
   * highlight to, else the one that grew most. Kept between intervals so an
   * exited process keeps its name.
   */
  aim(iv: Interval, followed: number | undefined, candidates?: readonly ProcInterval[]): void {
    this.target = pickTarget(iv, followed, this.target, candidates);
  }

  /** The panel for `iv` at this size (`ascii`: charts in the lines, no braille) (changes nothing the screen shows: the view is kept for the next call). */
  view(iv: Interval, width: number, rows: number, colorOn: boolean, ascii = false): PanelView {
    const target = this.target;
    const levels = [iv.mem.level, iv.swp.level];
    const key = [this.history.version, target?.pid, target?.why, width, rows, colorOn, ascii, ...levels].join('|');
    if (this.cache?.key !== key) {
      this.cache = { key, view: trendView({ points: this.history.toArray(), target, levels }, width, rows, colorOn, ascii) };
    }
    return this.cache.view;
  }

  private refill(): void {
    if (!this.stale || !this.host.recent) return;
    this.stale = false;
    try {
      refill(this.history, this.host.recent(HISTORY, holdsTime(this.history)));
    } catch (err) {
      this.history.clear();
      this.host.say(`trend history not rebuilt: ${messageOf(err)}`);
    }
  }
}
