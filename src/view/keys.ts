/**
 * Every key of the live screen, in one table: what it does and the line the
 * help overlay shows for it. Printable keys are matched by their character,
 * the others by blessed's key name. A key is bound once (a test checks):
 * a key whose meaning depends on the view, as Enter will, gets one action
 * that decides by the view.
 */
import { VIEWS, type ViewDef } from '../columns/views.js';
import type { FilterKind } from './filters.js';

export type ScrollMove = 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end';

/** What keys can ask of the screen (implemented by the Tui). */
export interface Actions {
  setView(view: ViewDef): void;
  sortOn(column: string): void;
  askSortColumn(): void;
  moveSort(step: -1 | 1): void;
  togglePause(): void;
  askInterval(): void;
  nextSample(): void;
  prevSample(): void;
  askBranch(): void;
  rewind(): void;
  askFilter(kind: FilterKind): void;
  askKill(): void;
  askRenice(): void;
  stepNice(step: -1 | 1): void;
  saveSettings(): void;
  openDetail(): void;
  askContain(): void;
  traceStacks(): void;
  scroll(move: ScrollMove): void;
  shiftCommand(step: -1 | 1): void;
  toggleAll(): void;
  toggleAllProcs(): void;
  togglePsize(): void;
  toggleColor(): void;
  toggleTrend(): void;
  toggleHelp(): void;
  /** 2-9: levels of the cgroup tree shown. */
  setDepth(levels: number): void;
  /** e, F5: processes as a tree (children under their parent), or as a list. */
  toggleTree(): void;
  /** - and +: the highlighted process's subtree folded into its row (its figures summed) or unfolded. */
  fold(folded: boolean): void;
  /** y, H: the highlighted process's threads, per-thread CPU and state. */
  openThreads(): void;
  /** Enter: the highlighted process's detail; in the cgroup view, the highlighted group's processes. */
  choose(): void;
  quit(): void;
}

export interface KeyDef {
  keys: string[];
  /** As shown in the help overlay. */
  label: string;
  help: string;
  /** `key`: which of `keys` was pressed. */
  run(a: Actions, key: string): void;
}

const scroll = (a: Actions, key: string) => a.scroll(key as ScrollMove);

const viewKey = (v: ViewDef): KeyDef => ({
  keys: [v.key], label: v.key, help: `${v.title} view`, run: (a) => a.setView(v),
});

/**
 * The keys in the order the help overlay lists them. The manual's KEYS
 * section and the help overlay are held to this table
 * (test/keys-consistency.test.ts): a key added here needs its .TP there.
 */
export const KEYS: KeyDef[] = [
  ...Object.values(VIEWS).map(viewKey),
  { keys: ['C', 'M', 'D'], label: 'C M D', help: 'sort on CPU / MEM / DSK', run: (a, k) => a.sortOn(k === 'C' ? 'CPU' : k === 'M' ? 'MEM' : 'DSK') },
  { keys: ['O'], label: 'O', help: 'sort on a named column', run: (a) => a.askSortColumn() },
  { keys: ['<', '>'], label: '< >', help: 'sort on left/right column', run: (a, k) => a.moveSort(k === '<' ? -1 : 1) },
  { keys: ['e', 'f5'], label: 'e F5', help: 'process tree / list', run: (a) => a.toggleTree() },
  { keys: ['-', '+'], label: '- +', help: 'tree: fold / unfold subtree', run: (a, k) => a.fold(k === '-') },
  { keys: ['P'], label: 'P', help: 'filter program (regex)', run: (a) => a.askFilter('program') },
  { keys: ['U'], label: 'U', help: 'filter user (regex)', run: (a) => a.askFilter('user') },
  { keys: ['/'], label: '/', help: 'filter cmd line (regex)', run: (a) => a.askFilter('cmdline') },
  // One line for related keys (here, C M D, t T, f a, n F7 F8): 38 lines at most leave the help at 80x24 two columns of 19.
  { keys: ['I', 'F'], label: 'I F', help: 'filter pids / cgroup, name', run: (a, k) => a.askFilter(k === 'I' ? 'pids' : 'cgroup') },
  { keys: ['k'], label: 'k', help: 'kill (highlighted pid)', run: (a) => a.askKill() },
  {
    keys: ['n', 'f7', 'f8'], label: 'n F7 F8', help: 'renice; nice -1 / +1',
    run: (a, k) => (k === 'n' ? a.askRenice() : a.stepNice(k === 'f7' ? -1 : 1)),
  },
  // In the cgroup view (G) Enter lists the highlighted group's processes instead (its status line says so).
  { keys: ['enter'], label: 'Enter', help: 'process detail (Esc back)', run: (a) => a.choose() },
  { keys: ['y', 'H'], label: 'y H', help: 'threads of the process', run: (a) => a.openThreads() },
  { keys: ['K'], label: 'K', help: 'contain / release (limit)', run: (a) => a.askContain() },
  { keys: ['S'], label: 'S', help: 'detail: allocation stacks', run: (a) => a.traceStacks() },
  { keys: ['z'], label: 'z', help: 'pause / continue', run: (a) => a.togglePause() },
  { keys: ['i'], label: 'i', help: 'interval (0: manual)', run: (a) => a.askInterval() },
  { keys: ['t', 'T'], label: 't T', help: 'sample now/next; previous', run: (a, k) => (k === 't' ? a.nextSample() : a.prevSample()) },
  { keys: ['b'], label: 'b', help: 'branch to time (replay)', run: (a) => a.askBranch() },
  { keys: ['r'], label: 'r', help: 'since boot / rewind', run: (a) => a.rewind() },
  { keys: ['up', 'down'], label: 'Up Down', help: 'move the highlight', run: scroll },
  { keys: ['pageup', 'pagedown'], label: 'PgUp PgDn', help: 'page up / down', run: scroll },
  { keys: ['home', 'end'], label: 'Home End', help: 'first / last row', run: scroll },
  { keys: ['left', 'right'], label: 'Left Right', help: 'scroll the command line', run: (a, k) => a.shiftCommand(k === 'left' ? -1 : 1) },
  { keys: ['f', 'a'], label: 'f a', help: 'all lines; all processes', run: (a, k) => (k === 'f' ? a.toggleAll() : a.toggleAllProcs()) },
  { keys: ['R'], label: 'R', help: 'PSIZE gathered / not', run: (a) => a.togglePsize() },
  { keys: ['x'], label: 'x', help: 'colours off / on', run: (a) => a.toggleColor() },
  { keys: ['B'], label: 'B', help: 'trend panel (suspect)', run: (a) => a.toggleTrend() },
  { keys: ['2', '3', '4', '5', '6', '7', '8', '9'], label: '2-9', help: 'G: tree levels (9: all)', run: (a, k) => a.setDepth(Number(k)) },
  { keys: ['W'], label: 'W', help: 'write settings (config)', run: (a) => a.saveSettings() },
  { keys: ['h', '?'], label: 'h ?', help: 'this help', run: (a) => a.toggleHelp() },
  { keys: ['q', 'C-c'], label: 'q ^C', help: 'quit', run: (a) => a.quit() },
];

const BY_KEY = new Map<string, KeyDef>();
for (const k of KEYS) for (const key of k.keys) BY_KEY.set(key, k);

/** The table's name for a key press: its character when printable, else blessed's name. */
export function keyId(ch: string | undefined, key: { name?: string; full?: string }): string | undefined {
  if (ch && ch.length === 1 && ch >= ' ' && ch <= '~') return ch;
  return key.full === 'C-c' ? 'C-c' : key.name;
}

/** The key table has an action for this key. */
export function isBound(id: string): boolean {
  return BY_KEY.has(id);
}

/** Runs the key's action; false when the key means nothing. */
export function dispatchKey(id: string | undefined, actions: Actions): boolean {
  const def = id === undefined ? undefined : BY_KEY.get(id);
  if (!def) return false;
  def.run(actions, id!);
  return true;
}

/** The help overlay's entries: a key's label and what it does. */
export function helpEntries(): { label: string; help: string }[] {
  return KEYS.map((k) => ({ label: k.label, help: k.help }));
}
