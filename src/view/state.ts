/**
 * The live screen's state, apart from any terminal: the user's choices
 * (view, a sort per view, filters, toggles), the interval shown and its rows,
 * the highlight and scroll, the open question or message. Keys are methods
 * (keys.ts's Actions, reached through press()); frame(width, height)
 * (frame.ts) says what the screen shows and changes nothing. The shell
 * (tui.ts) owns blessed, the clock and the signals: it hands keys, samples
 * and sizes in and draws the frames. Tests drive a ScreenState alone
 * (test/tui-state.test.ts, with test/helpers/screen.ts).
 *
 * The fields are public to read (frames and tests); they change only
 * through the methods. Adding a key: a line in keys.ts (Enter reaches the
 * table as 'enter'), its method in Actions and here; a method that changes
 * what the rows, the layout or the page depend on ends in settle(), which
 * keeps the highlight on the list and the trend panel aimed.
 */
import { CGROUP_TREE, CGROUP_VIEW, cgroupRows, fitCgroupColumns } from '../columns/cgroup.js';
import { column, sortProcs, type Column } from '../columns/process.js';
import type { CgroupInterval } from '../model/cgroups.js';
import { gainedNeeds, needsOf } from '../sample.js';
import { RESOURCE_COLUMNS, VIEWS, viewColumn, viewNeeds, withPsize, type ViewDef } from '../columns/views.js';
import { parseInterval, type Config } from '../config.js';
import { SAVED_SETTINGS } from '../configfile.js';
import { largestPid, type Interval, type ProcInterval } from '../model/interval.js';
import { exitedRow, isVarWidth, viewRows } from '../output/proclist.js';
import type { SysLine } from '../output/sysfield.js';
import { systemLines } from '../output/syslines.js';
import { SCREEN_TRACE_SECONDS } from './stackspane.js';
import type { Feed } from '../feed.js';
import { parseReplayTime, TIME_FORMAT } from '../format/timespec.js';
import { messageOf } from '../messages.js';
import { applyFilters, filterQuestion, setFilter, type FilterKind, type Filters } from './filters.js';
import { Frames, shownColumns, type Shown } from './frame.js';
import { dispatchKey, isBound, keyId, type Actions, type ScrollMove } from './keys.js';
import { parsePid, parseSignal, sendSignal, signalName } from './kill.js';
import { NICE_MAX, NICE_MIN, niceTarget, parseNice, processTarget, renice, stillThere, type NiceSystem } from './renice.js';
import { listRows, screenLayout } from './layout.js';
import { clampScroll, type Scroll } from './procview.js';
import { promptKey, type Prompt } from './prompt.js';
import type { Frame } from './framedata.js';
import type { KeyEvent } from './keyevent.js';
import { TrendPanel } from './trendpanel.js';
import { ALL_LEVELS, cgroupSortColumn, INDICATOR_ROOM, levelsShown } from './cgroupview.js';
import { containDialog, DetailPane, type ProcessAccess } from './detailpane.js';
import type { ContainRecord } from '../contain/facts.js';
import { Refusal, sameProcess } from '../contain/plan.js';
import { processTree, type ProcTree } from '../output/proctree.js';
import { ThreadPane } from './threadpane.js';

export type SavedSetting = (typeof SAVED_SETTINGS)[number];

/** A message stays until the next key, or a sample this many ms after it appeared. */
const MESSAGE_MS = 4000;
/** A note about a damaged input file (rare, and told only once) stays longer. */
const NOTE_MS = 15000;

/** Characters the command line moves per Left or Right. */
const SHIFT_STEP = 8;

/** What the state asks of the shell around it. */
export interface ScreenHost {
  /** q or Ctrl-C. */
  quit(): void;
  /** i: the interval changed (seconds); the clock follows. */
  setInterval(seconds: number): void;
  /** Loads what draws the trend panel's charts (the first B). */
  loadCharts(): Promise<void>;
  /** The state changed other than by a key or a sample (the charts loaded, or failed to): draw again. */
  changed(): void;
  /** Milliseconds since the epoch: messages age by it. */
  now(): number;
  /** The detail's reads and containment, on a live screen only. */
  access?: ProcessAccess;
  /** The live system's processes as k, n, F7 and F8 check and renice them (always /proc: signals and priorities act there). */
  nice?: NiceSystem;
  /** W: writes the settings to the user's config file; returns where (and what else to know), throws a MemtopError saying why not. */
  saveSettings?(values: readonly (readonly [SavedSetting, string])[]): { file: string; note?: string };
  /** What the terminal can show (tui.ts asks blessed's terminfo and the locale); all of it when absent. */
  terminal?: TerminalCaps;
}

export interface TerminalCaps {
  /** terminfo gives the terminal colours (vt100's entry has none): else none are sent, x cannot turn them on. */
  colors: boolean;
  /** How many colours terminfo gives the terminal (-1: none). */
  palette?: number;
  /** Braille can be drawn (a UTF-8 locale, not the Linux console): else the trend charts are ASCII. */
  braille: boolean;
  /** TERM, for messages. */
  name?: string;
}

/** The settings the screen starts from. */
export type ScreenSettings = Pick<Config, 'view' | 'sort' | 'all' | 'allProcs' | 'psize' | 'color' | 'interval' | 'sortResets' | 'sortAtop' | 'configNotes' | 'theme' | 'tree'>;

export class ScreenState implements Actions, Shown {
  // The user's choices.
  view: ViewDef;
  /** The sort column chosen in each view (by the view's name); a view not in it sorts on its default. */
  private readonly sorts = new Map<string, string>();
  /** atop's behaviour: a change of view sorts on the new view's default. */
  private readonly sortResets: boolean;
  private readonly sortAtop: boolean;
  readonly filters: Filters = {};
  all: boolean;
  allProcs: boolean;
  /** R (-R): PSIZE read and shown. */
  psize: boolean;
  color: boolean;
  /** The theme the screen started with (--theme, `theme =`), saved by W. */
  readonly theme: string;
  paused = false;
  /** Interval 0: samples only on t. */
  manual = false;
  interval: number;
  helpOpen = false;
  /** e, F5 (--tree): processes as a tree in the views of processes. */
  tree: boolean;
  /** Pids whose subtree is folded into their row (- and +). */
  private readonly folded = new Set<number>();
  // What is shown.
  iv: Interval | undefined;
  sysLines: SysLine[] = [];
  /** The process list's rows: filtered, aggregated, sorted (in tree order in the tree). */
  rows: ProcInterval[] = [];
  /** The tree the rows are in (its lines, the folded rows), while the tree is shown. */
  procTree: ProcTree | undefined;
  /** The cgroup view's rows, and how many levels of the tree it shows (2-9, atop's keys; 9: all). */
  cgroupRows: CgroupInterval[] = [];
  cgroupDepth = ALL_LEVELS;
  /** The process view Enter in the cgroup view goes back to. */
  private processView: ViewDef;
  // Navigation.
  scrollPos: Scroll = { selected: 0, top: 0 };
  /** Characters of the command line scrolled out at the left (Left and Right, command line view). */
  cmdShift = 0;
  /** The row the highlight follows once the user moved it (a pid, user or program). */
  private follow: string | undefined;
  /** The terminal's size, which paging and the fitted columns depend on. */
  width = 80;
  height = 24;
  // Dialogs.
  message: { text: string; at: number; ms: number } | undefined;
  /** Notes the feed told so far (damaged files under --proc/--sys): on stderr too when memtop ends. */
  private notesSeen = 0;
  prompt: Prompt | undefined;
  /** Lines over the screen until the next key (containment: what it means, what was done). */
  notice: string[] | undefined;
  /** The process shown in detail (Enter), read once per interval while open. */
  detail: DetailPane | undefined;
  /** The thread list of a process (y, H), read once per interval while open. */
  threads: ThreadPane | undefined;
  /** Containments memtop recorded whose pid is still the process contained, by pid: the list marks them (the rows carry no mark). */
  readonly contained = new Map<number, ContainRecord>();
  readonly trend: TrendPanel;
  private readonly frames = new Frames();

  constructor(
    private readonly feed: Feed,
    settings: ScreenSettings,
    private readonly host: ScreenHost,
  ) {
    this.view = settings.view;
    this.processView = settings.view.cgroups ? VIEWS.generic : settings.view;
    if (settings.sort !== undefined) this.sorts.set(settings.view.name, settings.sort);
    this.sortResets = !!settings.sortResets;
    this.sortAtop = !!settings.sortAtop;
    this.all = settings.all;
    this.allProcs = settings.allProcs;
    this.psize = !!settings.psize;
    this.color = settings.color && host.terminal?.colors !== false;
    this.theme = settings.theme ?? 'dark';
    this.tree = !!settings.tree;
    this.interval = settings.interval;
    this.trend = new TrendPanel({
      recent: feed.recording?.recent.bind(feed.recording),
      say: (text) => {
        this.say(text);
        this.host.changed();
      },
      load: () => this.host.loadCharts(),
      loaded: () => {
        this.settle();
        this.host.changed();
      },
    });
    this.updateNeeds();
    // Said on stderr too, but the screen covers that until it closes.
    const notes = settings.configNotes ?? [];
    if (notes.length) this.say(notes.length === 1 ? notes[0]! : `${notes[notes.length - 1]} (and ${notes.length - 1} more on stderr)`);
  }

  /** The column the list is sorted on: the one chosen in this view, else its default. */
  get sort(): string {
    return this.sorts.get(this.view.name) ?? this.view.defaultSort;
  }

  /** The timer's samples are taken (not paused, not interval 0). */
  get sampling(): boolean {
    return !this.paused && !this.manual;
  }

  // ---- input from the shell ------------------------------------------------

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    // What the sampler reads follows the columns shown, which follow the width.
    this.updateNeeds();
    this.settle();
  }

  /** A key as blessed reports it: `ch` the character typed, `key` its name. */
  press(ch: string | undefined, key: KeyEvent): void {
    if (key.full === 'C-c') return this.quit();
    if (this.prompt) {
      const asked = this.prompt;
      const notice = this.notice;
      const result = promptKey(asked, ch, key);
      if (result !== 'typing' && this.prompt === asked) this.prompt = undefined;
      // A notice shown for a question goes with its answer, unless the answer put up another.
      if (result !== 'typing' && this.notice === notice) this.notice = undefined;
      return;
    }
    const id = keyId(ch, key);
    if (this.notice && id !== undefined && id !== 'return') {
      this.notice = undefined;
      return;
    }
    if (this.detail && (id === 'escape' || id === 'enter')) {
      if (this.detail.stacks && id === 'escape') {
        // Esc leaves the stacks for the detail (stopping a running trace), a second Esc the detail.
        this.detail.close();
        this.detail.stacks = undefined;
        return;
      }
      this.detail.close();
      this.detail = undefined;
      return;
    }
    if (this.threads && (id === 'escape' || id === 'enter')) {
      this.threads = undefined;
      return;
    }
    // blessed sends 'return' before every 'enter'; Enter counts only where keys.ts binds it.
    if (id === undefined || id === 'return' || (id === 'enter' && !isBound(id))) return;
    if (this.helpOpen) {
      this.helpOpen = false;
      return;
    }
    this.message = undefined;
    if (!dispatchKey(id, this) && id.length === 1) this.say(`unknown key '${id}': h or ? lists the keys`);
  }

  /** The first interval: a replay's first sample (a live screen's clock takes its own). */
  start(): void {
    if (this.feed.recording) this.take(() => this.feed.next(), 'the recording holds no samples');
  }

  /** The clock's tick: the next sample, unless paused or at interval 0. */
  tick(): void {
    if (!this.sampling) return;
    this.take(() => this.feed.next());
    this.detail?.refresh();
    this.threads?.refresh();
  }

  /**
   * Shows the interval `get` returns; `none` is said when it returns
   * nothing. `jump`: a replay moved other than one step forward.
   */
  private take(get: () => Interval | undefined, none?: string, jump = false): void {
    let iv: Interval | undefined;
    try {
      iv = get();
    } catch (err) {
      this.say(`no sample: ${messageOf(err)}`);
      return;
    }
    if (!iv) {
      if (none) this.say(none);
      return;
    }
    this.iv = iv;
    this.trend.keep(iv, jump);
    this.readContained();
    if (this.message && this.host.now() - this.message.at > this.message.ms) this.message = undefined;
    this.showNotes();
    this.rebuildSys();
    this.rebuildRows();
  }

  private rebuildSys(): void {
    this.sysLines = this.iv ? systemLines(this.iv, { all: this.all }) : [];
    this.settle();
  }

  /** Rows of the list shown: cgroups in the cgroup view, else processes. */
  private get listLength(): number {
    return this.view.cgroups ? this.cgroupRows.length : this.rows.length;
  }

  /** What the highlight follows in the list shown: a cgroup's path, a pid, a user or a program. */
  private selectedKey(): string | undefined {
    if (this.view.cgroups) return this.cgroupRows[this.scrollPos.selected]?.path;
    return this.rowKey(this.rows[this.scrollPos.selected]);
  }

  private rowKey(p: ProcInterval | undefined): string | undefined {
    if (!p) return undefined;
    return this.view.aggregate === 'user' ? p.user : this.view.aggregate === 'program' ? p.cmd : String(p.pid);
  }

  private rebuildRows(): void {
    if (this.view.cgroups) {
      const col = cgroupSortColumn(this.sort) ?? cgroupSortColumn(CGROUP_TREE)!;
      this.cgroupRows = this.iv ? cgroupRows(this.iv.cgroups, col, levelsShown(this.cgroupDepth)) : [];
      if (this.follow !== undefined) {
        const i = this.cgroupRows.findIndex((g) => g.path === this.follow);
        if (i >= 0) this.scrollPos = { ...this.scrollPos, selected: i };
      }
      return this.settle();
    }
    const procs = this.iv ? applyFilters(this.iv.procs, this.filters) : [];
    const exited = this.iv ? applyFilters(this.iv.exited.map(exitedRow), this.filters) : [];
    // A cgroup's processes are listed whether active or not: Enter asked for them all.
    const listed = viewRows(procs, this.view, this.sort, this.allProcs || !!this.filters.cgroup, exited);
    const tree = this.tree && !this.view.aggregate && this.iv;
    this.procTree = tree ? processTree(listed, this.iv!.procs, column(this.sort)!, this.folded, this.sortAtop) : undefined;
    this.rows = this.procTree ? this.procTree.rows : sortProcs(listed, column(this.sort)!, this.sortAtop);
    if (this.follow !== undefined) {
      const i = this.rows.findIndex((p) => this.rowKey(p) === this.follow);
      if (i >= 0) this.scrollPos = { ...this.scrollPos, selected: i };
    }
    this.settle();
  }

  /** After a change of rows, layout or size: the highlight kept on the list and the page, the panel (when on) aimed. */
  private settle(): void {
    this.scrollPos = clampScroll(this.scrollPos, this.listLength, this.pageRows(this.height));
    // Like the status line's suspect: of the processes listed when the list shows processes (filters apply).
    if (this.iv && this.trend.on) this.trend.aim(this.iv, this.followedPid(), this.view.aggregate || this.view.cgroups ? undefined : this.rows);
  }

  /** The process the user moved the highlight to, when the list shows processes. */
  private followedPid(): number | undefined {
    return !this.view.aggregate && !this.view.cgroups && this.follow !== undefined ? Number(this.follow) : undefined;
  }

  /**
   * /proc/PID/io and cmdline are read only while a column or filter needs
   * them. When a key makes them needed, a sample is taken at once rather
   * than showing '?' until the next interval.
   */
  private updateNeeds(): void {
    if (this.feed.recording) return;
    const before = this.feed.needs;
    const shown = viewNeeds(this.view, this.sort, this.width);
    // The tree is read as deep as the cgroup view shows it (deeper groups' processes count in the
    // deepest group read), and whole for the CGROUP column and a cgroup filter.
    const levels = this.view.cgroups ? levelsShown(this.cgroupDepth) : Infinity;
    const cgroups = shown.cgroups || !!this.filters.cgroup ? (levels === Infinity ? true : { maxDepth: levels }) : false;
    const needs = { ...needsOf([shown, { cmdline: !!this.filters.cmdline }]), cgroups };
    this.feed.needs = needs;
    if (gainedNeeds(before, needs) && this.iv && !this.paused) this.take(() => this.feed.next());
  }

  /**
   * The containments recorded, read once a sample (one readdir): the list
   * marks them, and a contained process that is gone is reported (an OOM
   * kill inside its group, said plainly) and its empty group removed.
   */
  private readContained(): void {
    const access = this.host.access;
    if (!access || !this.iv) return;
    const before = new Set(this.contained.keys());
    this.contained.clear();
    const records = access.records();
    if (records.length === 0) return;
    const live = new Map(this.iv.procs.map((p) => [p.pid, p]));
    for (const r of records) {
      const p = live.get(r.pid);
      // A row with the pid but another start time is a later process the kernel gave the pid: not marked.
      if (p && sameProcess(r, p.starttime, () => access.inGroup(r))) {
        if (!before.has(r.pid)) this.feed.restartEvidence?.(r.pid);
        this.contained.set(r.pid, r);
      } else {
        const done = access.ended(r.pid);
        if (done) this.say(done instanceof Refusal ? done.message.split('\n')[0]! : done[0]!.replace(/^memtop: /, ''));
      }
    }
  }

  // ---- the frame -----------------------------------------------------------

  /** What the screen shows at this size (frame.ts). Changes nothing. */
  frame(width = this.width, height = this.height): Frame {
    return this.frames.frame(this, width, height);
  }

  /** Process rows on a page at this height. */
  private pageRows(height: number): number {
    return listRows(screenLayout(height, this.sysLines, this.trend.ready), height);
  }

  private shownColumns(width: number): Column[] {
    return shownColumns(this.view, this.sort, width, this.iv?.pidWidth, !!this.filters.cgroup);
  }

  // ---- dialogs -------------------------------------------------------------

  private say(text: string, ms = MESSAGE_MS): void {
    this.message = { text, at: this.host.now(), ms };
  }

  /** The newest note of the feed's in the status line, with how many there were (stderr has them all at the end). */
  private showNotes(): void {
    const fresh = this.feed.newNotes?.();
    if (!fresh?.length) return;
    this.notesSeen += fresh.length;
    const last = fresh[fresh.length - 1]!;
    this.say(this.notesSeen === 1 ? `note: ${last}` : `${this.notesSeen} notes (all on stderr at exit), the last: ${last}`, NOTE_MS);
  }

  private ask(question: string, answer: (value: string) => void, opts: { value?: string; single?: boolean } = {}): void {
    this.prompt = { question, value: opts.value ?? '', single: opts.single, answer };
  }

  /** The dialogs' view of the state (containDialog). */
  private readonly dialogs = {
    ask: (q: string, a: (v: string) => void, o?: { value?: string; single?: boolean }) => this.ask(q, a, o),
    say: (text: string) => this.say(text),
    notice: (lines: string[]) => {
      this.notice = lines;
    },
    containedChanged: () => {
      this.readContained();
      this.rebuildRows();
    },
  };

  // ---- actions (keys.ts) -----------------------------------------------------

  setView(view: ViewDef): void {
    view = withPsize(view, this.psize);
    if (!view.cgroups) this.processView = view;
    this.view = view;
    this.cmdShift = 0;
    if (this.sortResets) this.sorts.clear();
    this.resetScroll();
  }

  sortOn(name: string): void {
    if (this.view.cgroups) {
      const col = cgroupSortColumn(name);
      if (!col) return this.say(`the cgroup view has no ${name} column: O names one of ${CGROUP_VIEW.map((c) => c.name).join(' ')}`);
      name = col.name;
    }
    this.sorts.set(this.view.name, name);
    this.resetScroll();
  }

  /** After a change of view, sort or filter: top of the list, the feed reading what the view needs. */
  private resetScroll(): void {
    this.scrollPos = { selected: 0, top: 0 };
    this.follow = undefined;
    this.updateNeeds();
    this.rebuildRows();
  }

  askSortColumn(): void {
    this.ask('Column to sort on: ', (text) => {
      const name = text.trim();
      if (name === '') return;
      if (this.view.cgroups) return this.sortOn(name);
      const col = viewColumn(this.view, name) ?? (RESOURCE_COLUMNS.includes(name.toUpperCase()) ? column(name) : undefined);
      if (!col) {
        const names = this.view.columns.map((c) => c.name).join(' ');
        this.say(`no column '${name}' in the ${this.view.title} view; its columns: ${names}`);
        return;
      }
      this.sortOn(col.name);
    });
  }

  moveSort(step: -1 | 1): void {
    const cols: { name: string }[] = this.view.cgroups ? fitCgroupColumns(this.width - INDICATOR_ROOM) : this.shownColumns(this.width);
    const i = cols.findIndex((c) => c.name === this.sort);
    const next = i < 0 ? (step > 0 ? 0 : cols.length - 1) : Math.max(0, Math.min(cols.length - 1, i + step));
    this.sortOn(cols[next]!.name);
  }

  togglePause(): void {
    if (this.feed.recording) return this.say('replaying: no timer to pause (t and T step through the samples)');
    this.paused = !this.paused;
  }

  askInterval(): void {
    if (this.feed.recording) return this.say('replaying: no interval (t and T step through the samples)');
    this.ask(`Interval in seconds (now ${this.manual ? 0 : this.interval}; 0: only t samples): `, (text) => {
      const t = text.trim();
      if (t === '') return;
      if (Number(t) === 0 && /^[0.]+$/.test(t)) {
        this.manual = true;
        return;
      }
      try {
        this.interval = parseInterval(t);
      } catch (err) {
        this.say(messageOf(err));
        return;
      }
      this.manual = false;
      this.host.setInterval(this.interval);
    });
  }

  nextSample(): void {
    this.take(() => this.feed.next(), 'end of the recording (T goes back, r rewinds)');
  }

  prevSample(): void {
    const recording = this.feed.recording;
    if (!recording) return this.say('T steps back only when replaying a recording (memtop -r FILE)');
    this.take(() => recording.prev(), 'this is the first sample', true);
  }

  askBranch(): void {
    const recording = this.feed.recording;
    if (!recording) return this.say('b branches only when replaying a recording (memtop -r FILE)');
    this.ask(`Branch to time ${TIME_FORMAT}: `, (text) => {
      if (text.trim() === '') return;
      const time = parseReplayTime(text, this.iv?.time ?? this.host.now());
      if (time === undefined) return this.say(`not a time: '${text.trim()}' (give ${TIME_FORMAT})`);
      this.take(() => recording.branch(time), `no sample at or after ${text.trim()}: the recording ends before it`, true);
      if (recording.branchNote) this.say(recording.branchNote);
    });
  }

  rewind(): void {
    this.take(() => this.feed.rewind(), 'the recording holds no samples', true);
  }

  askFilter(kind: FilterKind): void {
    this.ask(filterQuestion(this.filters, kind), (text) => {
      const refused = setFilter(this.filters, kind, text);
      if (refused) return this.say(refused);
      this.resetScroll();
    });
  }

  askKill(): void {
    if (this.feed.recording) return this.say('k kills processes of the live system only');
    const highlighted = this.view.aggregate ? undefined : this.rows[this.scrollPos.selected]?.pid;
    const def = highlighted === undefined ? '' : ` [${highlighted}]`;
    this.ask(`PID to kill${def}: `, (text) => {
      const pid = parsePid(text.trim() || String(highlighted ?? ''), largestPid(this.iv));
      if (typeof pid === 'string') return this.say(pid);
      // On the live system: never pid 1, kernel threads or memtop itself, and the process read again
      // before the signal goes (a pid the kernel gave another process meanwhile gets nothing).
      const sys = this.host.nice;
      const target = sys ? processTarget(pid, sys, 'signalled') : undefined;
      if (typeof target === 'string') return this.say(target);
      const cmd = target?.comm ?? this.iv?.procs.find((p) => p.pid === pid)?.cmd;
      const who = cmd === undefined ? `${pid}` : `${pid} (${cmd})`;
      this.ask(`Signal for ${who} [TERM]: `, (sigText) => {
        const sig = parseSignal(sigText);
        if (typeof sig === 'string') return this.say(sig);
        this.ask(`Send ${signalName(sig)} to ${who}? (y/n) `, (yes) => {
          if (!/^y/i.test(yes)) return this.say('kill cancelled');
          const gone = sys && target ? stillThere(target, sys, 'signalled') : undefined;
          this.say(gone ?? sendSignal(pid, sig));
        }, { single: true });
      });
    });
  }

  askRenice(): void {
    const sys = this.host.nice;
    if (!sys) return this.say('n renices processes of the live system only');
    const highlighted = this.highlightedPid();
    const def = highlighted === undefined ? '' : ` [${highlighted}]`;
    this.ask(`PID to renice${def}: `, (text) => {
      const pid = parsePid(text.trim() || String(highlighted ?? ''), largestPid(this.iv));
      if (typeof pid === 'string') return this.say(pid);
      const target = niceTarget(pid, sys);
      if (typeof target === 'string') return this.say(target);
      this.ask(`Nice for ${pid} (${target.comm}), now ${target.nice} (${NICE_MIN} to ${NICE_MAX}): `, (niceText) => {
        if (niceText.trim() === '') return this.say('renice cancelled');
        const nice = parseNice(niceText);
        if (typeof nice === 'string') return this.say(nice);
        this.say(renice(target, nice, sys));
      });
    });
  }

  /** F7 / F8 (htop): the highlighted process's nice value one lower (more favoured) or higher. */
  stepNice(step: -1 | 1): void {
    const sys = this.host.nice;
    if (!sys) return this.say('F7 and F8 renice processes of the live system only');
    const pid = this.highlightedPid();
    if (pid === undefined) return this.say(this.view.aggregate ? 'F7 and F8 renice a process: g or m lists processes' : 'no process to renice');
    const target = niceTarget(pid, sys);
    if (typeof target === 'string') return this.say(target);
    const nice = Math.min(NICE_MAX, Math.max(NICE_MIN, target.nice + step));
    if (nice === target.nice) return this.say(`${pid} (${target.comm}) is at nice ${nice} already, the ${step < 0 ? 'lowest' : 'highest'}`);
    this.say(renice(target, nice, sys));
  }

  /** W: the settings of SAVED_SETTINGS as the screen has them now, written to the user's config file. */
  saveSettings(): void {
    const save = this.host.saveSettings;
    if (!save) return this.say('W saves settings from the screen only');
    const yesNo = (on: boolean) => (on ? 'yes' : 'no');
    // A Record, so that a key added to SAVED_SETTINGS does not compile without what the screen saves for it.
    const now: Record<SavedSetting, () => string> = {
      view: () => this.view.name,
      sort: () => this.sort,
      interval: () => String(this.interval),
      color: () => yesNo(this.color),
      psize: () => yesNo(this.psize),
      theme: () => this.theme,
    };
    const values = SAVED_SETTINGS.map((key) => [key, now[key]()] as const);
    try {
      const { file, note } = save(values);
      this.say(`settings saved to ${file}: ${values.map(([k, v]) => `${k} ${v}`).join(', ')} (${note ?? 'read at the next start'})`);
    } catch (err) {
      this.say(messageOf(err));
    }
  }

  /** The highlighted process's pid, when the list shows processes. */
  private highlightedPid(): number | undefined {
    return this.view.aggregate ? undefined : this.rows[this.scrollPos.selected]?.pid;
  }

  openDetail(): void {
    const access = this.host.access;
    if (!access) return this.say(this.feed.recording ? 'the detail reads a live process (smaps is not recorded): not in a replay' : 'no process detail here');
    const pid = this.highlightedPid();
    if (pid === undefined) return this.say(this.view.aggregate ? 'Enter opens the detail of a process: g or m lists processes' : 'no process to show');
    this.detail = new DetailPane(pid, access, this.host.now());
  }

  /** S in the detail: trace the process's allocation stacks (again S: stop early). */
  traceStacks(): void {
    const detail = this.detail;
    if (!detail) return this.say('S traces allocation stacks from a process\'s detail: Enter on it first');
    const toggle = () => {
      const refused = detail.toggleStacks(() => this.host.changed());
      if (refused) this.say(refused);
    };
    // Stopping is at once; starting asks first, since the probes slow every process on the same libc
    // (the whole SYSTEM_WIDE_COST note stands on the trace's progress pane).
    if (detail.stacks?.running) return toggle();
    this.ask(`Trace ${detail.pid} (${detail.last.cmd}) for ${SCREEN_TRACE_SECONDS} s? Every process on its libc slows on malloc/free meanwhile [y/N]`, (answer) => {
      if (answer === 'y' || answer === 'Y') toggle();
      else this.say('no trace started');
    }, { single: true });
  }

  askContain(): void {
    const access = this.host.access;
    if (!access) return this.say('K contains processes of the live system only');
    const pid = this.detail?.pid ?? this.highlightedPid();
    if (pid === undefined) return this.say('K contains a process: highlight one in a process view');
    const cmd = this.detail?.last.cmd ?? this.iv?.procs.find((p) => p.pid === pid)?.cmd ?? '?';
    containDialog(pid, cmd, access, this.dialogs, this.contained.get(pid));
  }

  scroll(move: ScrollMove): void {
    const page = Math.max(1, this.pageRows(this.height));
    let { selected, top } = this.scrollPos;
    switch (move) {
      case 'up': selected--; break;
      case 'down': selected++; break;
      case 'pageup': selected -= page; top -= page; break;
      case 'pagedown': selected += page; top += page; break;
      case 'home': selected = 0; top = 0; break;
      case 'end': selected = this.listLength - 1; break;
    }
    this.scrollPos = clampScroll({ selected, top }, this.listLength, page);
    // Home gives the top of the list back to the sort order; other moves hold on to the row.
    this.follow = move === 'home' ? undefined : this.selectedKey();
    this.settle();
  }

  toggleAll(): void {
    this.all = !this.all;
    this.rebuildSys();
  }

  shiftCommand(step: -1 | 1): void {
    const cmdCol = this.shownColumns(this.width).find(isVarWidth);
    if (!cmdCol) {
      this.say('Left and Right scroll the command line: c shows it');
      return;
    }
    // As far as the longest command line listed needs, eight characters a step.
    const longest = Math.max(0, ...this.rows.map((p) => cmdCol.format(p).length));
    this.cmdShift = Math.max(0, Math.min(this.cmdShift + step * SHIFT_STEP, Math.max(0, longest - SHIFT_STEP)));
  }

  /** atop's R: PSIZE gathered and shown (after RSIZE) or neither; a sample at once when it starts. */
  togglePsize(): void {
    this.psize = !this.psize;
    this.processView = withPsize(this.processView, this.psize);
    this.view = withPsize(this.view, this.psize);
    this.say(this.psize ? 'PSIZE gathered (smaps_rollup of each listed process)' : 'PSIZE no longer gathered');
    this.updateNeeds();
    this.rebuildRows();
  }

  toggleAllProcs(): void {
    this.allProcs = !this.allProcs;
    this.rebuildRows();
  }

  toggleColor(): void {
    const t = this.host.terminal;
    if (t && !t.colors) return this.say(`the terminal has no colours (terminfo of TERM=${t.name ?? '?'}): bold and reverse marks only`);
    this.color = !this.color;
  }

  /** The trend charts are drawn in ASCII (no braille on this terminal). */
  get ascii(): boolean {
    return this.host.terminal?.braille === false;
  }

  toggleTree(): void {
    this.tree = !this.tree;
    if (this.tree && (this.view.aggregate || this.view.cgroups)) this.say(`the tree shows in the views of processes (g m d c L); the ${this.view.title} view has none`);
    this.rebuildRows();
  }

  fold(folded: boolean): void {
    if (!this.procTree) return this.say('- and + fold and unfold a subtree of the process tree: e shows it');
    const p = this.rows[this.scrollPos.selected];
    if (!p) return;
    if (folded) this.folded.add(p.pid);
    else this.folded.delete(p.pid);
    this.follow = String(p.pid);
    this.rebuildRows();
    if (folded && !this.procTree?.folded.has(p.pid)) {
      this.folded.delete(p.pid);
      this.say(`${p.pid} (${p.cmd}) has no children listed: nothing to fold`);
    }
  }

  openThreads(): void {
    const access = this.host.access;
    if (!access?.readThreads) return this.say(this.feed.recording ? 'threads are read from a live process (not recorded): not in a replay' : 'no thread list here');
    // From the detail: the threads of the process shown there (Escape then goes back to the list).
    const pid = this.detail?.pid ?? this.highlightedPid();
    if (pid === undefined) return this.say(this.view.aggregate ? 'y lists the threads of a process: g or m lists processes' : 'no process to show');
    const cmd = this.iv?.procs.find((p) => p.pid === pid)?.cmd ?? '?';
    this.detail = undefined;
    this.threads = new ThreadPane(pid, cmd, { readThreads: (p) => access.readThreads!(p) });
  }

  toggleTrend(): void {
    this.trend.toggle();
    this.settle();
  }

  toggleHelp(): void {
    this.helpOpen = !this.helpOpen;
  }

  setDepth(levels: number): void {
    if (!this.view.cgroups) return this.say(`${levels}: levels of the cgroup tree, in the cgroup view (G)`);
    this.cgroupDepth = levels;
    this.updateNeeds();
    this.rebuildRows();
  }

  /** Enter: a process's detail; on a cgroup, the process view filtered to that group and its children (on the top: no filter). */
  choose(): void {
    if (!this.view.cgroups) return this.openDetail();
    const g = this.cgroupRows[this.scrollPos.selected];
    if (!g) return;
    if (g.path === '/') delete this.filters.cgroup;
    else setFilter(this.filters, 'cgroup', g.path);
    this.setView(this.processView);
  }

  quit(): void {
    this.detail?.close();
    this.host.quit();
  }
}
