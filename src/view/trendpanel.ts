/**
 * The trend panel's state on the screen: the history, kept from every
 * interval shown whether the panel is on or not; B on and off; loading
 * blessed-contrib on the first B; the panel's view, rebuilt only when the
 * history, the plotted process, the size or the colours change.
 *
 * A replay that moves other than one step forward (T, b, r) marks the
 * history stale; it is rebuilt from the recording when the panel shows.
 */
import type blessed from 'blessed';
import type { Interval } from '../model/interval.js';
import type { Recent } from '../feed.js';
import { HISTORY, holdsTime, refill, trendHistory, trendPoint } from './trend.js';
import { loadChartCanvases, type ChartCanvases } from './trendcanvas.js';
import { pickTarget, type Target } from './trendseries.js';
import { trendView, type PanelView } from './trendview.js';
import { messageOf } from '../messages.js';

export interface TrendHost {
  /** Replay only: the samples up to the current one (Feed.recording.recent). */
  recent?(count: number, known?: (time: number) => boolean): Recent[];
  /** A one-line message on the status line. */
  say(text: string): void;
  /** blessed-contrib loaded: the canvases to draw on, and a redraw wanted. */
  loaded(charts: ChartCanvases): void;
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

  toggle(screen: blessed.Widgets.Screen): void {
    if (this.charts === 'failed') return this.host.say('the trend panel is unavailable: blessed-contrib did not load');
    this.on = !this.on;
    if (!this.on) return;
    this.refill();
    if (this.charts !== undefined) return;
    this.charts = 'loading';
    loadChartCanvases(screen).then(
      (charts) => {
        this.charts = 'loaded';
        this.host.loaded(charts);
      },
      (err: unknown) => {
        this.charts = 'failed';
        this.on = false;
        this.host.say(`the trend panel is unavailable: blessed-contrib did not load (${messageOf(err)})`);
      },
    );
  }

  /** The panel for `iv` at this size; `followed`: the pid the user moved the highlight to. */
  view(iv: Interval, followed: number | undefined, width: number, rows: number, colorOn: boolean): PanelView {
    const target = (this.target = pickTarget(iv, followed, this.target));
    const levels = [iv.mem.level, iv.swp.level];
    const key = [this.history.version, target?.pid, target?.why, width, rows, colorOn, ...levels].join('|');
    if (this.cache?.key !== key) {
      this.cache = { key, view: trendView({ points: this.history.toArray(), target, levels }, width, rows, colorOn) };
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
