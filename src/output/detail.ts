/**
 * The detail of one process as text lines (memtop --detail, and the screen's
 * detail) and as one JSON object per sample (--detail --json). Sizes in
 * bytes in JSON, null where the kernel does not tell; `?` with the reason in
 * text, never 0.
 */
import { memStr } from '../format/units.js';
import { durationStr } from '../format/units.js';
import { KIND_NAMES, type Detail, type Grown, type KindName } from '../model/detail.js';
import { regionAdvice } from '../model/runtime.js';

/** The growth history memtop keeps of the process (the screen's): what its flag rests on. */
export interface DetailHistory {
  /** Bytes per second over the window (TRATE); undefined while too young. */
  trate?: number;
  /** Growth over the window (TGROW). */
  tgrow?: number;
  leak?: boolean;
  /** Seconds the growth judged has gone on (a suspect's). */
  growing?: number;
  /** The window, seconds. */
  window?: number;
}

const KIND_LABELS: Record<KindName, string> = {
  anon: 'resident anon',
  file: 'resident file',
  shmem: 'resident shmem',
  swap: 'swapped',
  locked: 'locked',
  pagetables: 'page tables',
};

const size = (v: number | undefined) => (v === undefined ? '?'.padStart(6) : memStr(v).padStart(6));
const growth = (v: number | undefined) => (v === undefined ? '?'.padStart(7) : v === 0 ? '0'.padStart(7) : (v > 0 ? '+' : '') + memStr(v).trim()).padStart(7);

/** The process's memory cgroup: its limits against its usage, its events, what went up in the interval. */
function cgroupLines(d: Detail, width: number): string[] {
  const c = d.cgroup;
  if (!c) return [];
  const head = `CGROUP    v${c.version}${c.contained ? ', contained by memtop' : ''}: `;
  // A deep path keeps its end, where the group's own name is.
  const room = Math.max(10, width - head.length);
  const lines = [head + (c.path.length > room ? '…' + c.path.slice(-(room - 1)) : c.path)];
  const pct = (v?: number) => (v !== undefined && c.memory !== undefined && v > 0 ? ` (${Math.round((c.memory / v) * 100)}%)` : '');
  const parts = [`${c.version === 1 ? 'usage' : 'current'} ${size(c.memory).trim()}`];
  if (c.version === 2) parts.push(`high ${c.high === undefined ? 'max' : size(c.high).trim() + pct(c.high)}`);
  parts.push(`${c.version === 1 ? 'limit' : 'max'} ${c.max === undefined ? 'max' : size(c.max).trim() + pct(c.max)}`);
  if (c.failcnt !== undefined) parts.push(`failcnt ${c.failcnt}`);
  for (const k of ['high', 'max', 'oom', 'oom_kill', 'under_oom']) if (c.events[k] !== undefined) parts.push(`${k} ${c.events[k]}`);
  if (c.psiSome !== undefined) parts.push(`pressure some ${c.psiSome.toFixed(1)}% full ${(c.psiFull ?? 0).toFixed(1)}%`);
  lines.push(`  ${parts.join('  ')}`);
  const news = d.cgroupNews;
  if (news?.oom_kill) lines.push(`  ** ${news.oom_kill} OOM kill${news.oom_kill > 1 ? 's' : ''} inside this group in the last interval **`);
  else if (news?.failcnt || news?.max || news?.high) lines.push(`  the group hit its limit in the last interval: the kernel reclaims${c.version === 2 && news.high ? ' and throttles' : ''} inside it`);
  return lines;
}

function trendLine(d: Detail): string {
  const t = d.trend;
  if (t.length < 2) return 'TREND     one reading so far';
  const a = t[0]!;
  const b = t[t.length - 1]!;
  const secs = (b.time - a.time) / 1000;
  const part = (label: string, x?: number, y?: number) =>
    x === undefined || y === undefined ? `${label} ?` : `${label} ${memStr(y).trim()} ${growth(y - x).trim()}`;
  return `TREND     ${Math.round(secs)}s: ${part('resident', a.rss, b.rss)}   ${part('swap', a.swap, b.swap)}   ${part('virtual', a.vsize, b.vsize)}`;
}

/** The history behind the flag: the window's rate and growth, and for how long, beside the trend since opened. */
function historyLine(h: DetailHistory | undefined): string | undefined {
  if (!h) return undefined;
  if (h.trate === undefined) return 'HISTORY   too young for a rate over the window yet';
  const rate = `${h.trate >= 0 ? '+' : ''}${memStr(h.trate).trim()}/s`;
  const over = h.window ? ` over the ${durationStr(h.window)} window` : '';
  const grow = h.tgrow === undefined ? '' : ` (${h.tgrow >= 0 ? '+' : ''}${memStr(h.tgrow).trim()}${over})`;
  return h.leak ? `HISTORY   leak suspect${h.growing === undefined ? '' : ` for ${durationStr(h.growing)}`}: ${rate}${grow}` : `HISTORY   ${rate}${grow}, not a suspect`;
}

/** Words of `text` in lines of at most `width`, the first after `head`, the others indented as far. */
function wrap(head: string, text: string, width: number): string[] {
  const room = Math.max(20, width - head.length);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > room) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.map((l, i) => (i === 0 ? head : ' '.repeat(head.length)) + l);
}

/**
 * A mapping's name in `w` characters: a long path keeps its end (the file's
 * name); a file name longer than that keeps its start and its end
 * (`_json.cpython-3…x86_64-linux-gnu.so`), so modules that differ only in
 * their first letters still look different.
 */
export function mappingName(name: string, w: number): string {
  if (name.length <= w) return name;
  const file = name.slice(name.lastIndexOf('/') + 1);
  if (file.length <= w - 1) return '…' + name.slice(-(w - 1));
  const head = Math.ceil((w - 1) / 2);
  return file.slice(0, head) + '…' + file.slice(file.length - (w - 1 - head));
}

/** The detail as text lines of at most `width` characters; `maxGroups` mapping groups at most; `history` from the screen. */
export function detailLines(d: Detail, width: number, maxGroups = 20, history?: DetailHistory): string[] {
  const lines: string[] = [];
  const when = new Date(d.time);
  const hhmmss = when.toTimeString().slice(0, 8);
  lines.push(`PID ${d.pid} ${d.cmd}  ${hhmmss}  open ${Math.round(d.opened)}s  ${d.elapsed ? `interval ${d.elapsed.toFixed(1)}s` : 'first reading'}${d.gone ? '  -- process ended' : ''}`);
  lines.push(`MEMORY              SIZE    GROW   SINCE`);
  const row = (label: string, g: Grown) => `  ${label.padEnd(16)}${size(g.value)} ${growth(g.grow)} ${growth(g.since)}`;
  lines.push(row('resident', d.rss));
  for (const k of KIND_NAMES) lines.push(row(KIND_LABELS[k], d.kinds[k]));
  lines.push(row('virtual', d.vsize));
  const why = d.smapsUnreadable ? `  (? ${d.smapsUnreadable})` : '';
  lines.push(`  PSS ${size(d.pss).trim()}   USS ${size(d.uss).trim()}   SwapPSS ${size(d.swappss).trim()}${why}`);
  lines.push(trendLine(d));
  const past = historyLine(history);
  if (past) lines.push(past);
  lines.push(...cgroupLines(d, width));
  if (d.mappings) {
    // The name takes what the figures (48 characters) leave, 20 to 100.
    const nameWidth = Math.max(20, Math.min(100, width - 50));
    lines.push(`${'MAPPINGS, largest growers first'.padEnd(nameWidth + 2)}KIND   MAPS   SIZE    RSS   SWAP    GROW   SINCE`);
    for (const g of d.mappings.slice(0, maxGroups)) {
      const name = mappingName(g.name, nameWidth - 1);
      lines.push(`  ${name.padEnd(nameWidth)}${g.kind.padEnd(7)}${String(g.count).padStart(4)} ${size(g.size)} ${size(g.rss)} ${size(g.swap)} ${growth(g.grow)} ${growth(g.since)}`);
    }
    if (d.mappings.length > maxGroups) lines.push(`  ... ${d.mappings.length - maxGroups} more groups`);
    // What the top grower means, in this runtime, and where to look next.
    const top = d.mappings[0];
    const advice = top && top.since > 0 ? regionAdvice(d.runtime, top.name) : undefined;
    if (advice) lines.push(...wrap('MEANS     ', advice, width));
  } else {
    lines.push(`MAPPINGS  ? ${d.smapsUnreadable ?? 'not read'}`);
  }
  return lines.map((l) => (l.length > width ? l.slice(0, width) : l));
}

const n = (v: number | undefined) => v ?? null;

/** One --detail --json object: the issue's schema, plus since (growth since opened) and the reason smaps was unreadable. */
export function detailJson(d: Detail): Record<string, unknown> {
  const c = d.cgroup;
  const kinds: Record<string, unknown> = {};
  for (const k of ['rss', ...KIND_NAMES, 'vsize'] as const) {
    const g = k === 'rss' ? d.rss : k === 'vsize' ? d.vsize : d.kinds[k];
    kinds[k] = { size: n(g.value), grow: n(g.grow), since: n(g.since) };
  }
  return {
    pid: d.pid,
    cmd: d.cmd,
    time: new Date(d.time).toISOString(),
    elapsed: Math.round(d.elapsed * 1000) / 1000,
    gone: d.gone,
    kinds,
    pss: n(d.pss),
    uss: n(d.uss),
    swappss: n(d.swappss),
    mappings: d.mappings
      ? d.mappings.map((g) => ({ name: g.name, kind: g.kind, count: g.count, size: g.size, rss: g.rss, swap: g.swap, grow: g.grow, since: g.since }))
      : null,
    unreadable: d.smapsUnreadable ?? null,
    cgroup: c
      ? {
          version: c.version, path: c.path, memory: n(c.memory), max: n(c.max), high: n(c.high), failcnt: n(c.failcnt),
          events: c.events, psi_some: n(c.psiSome), psi_full: n(c.psiFull), contained: c.contained,
        }
      : null,
  };
}
