/**
 * The exposition writer: one interval (and the sample it ends with) in, the
 * text a Prometheus scrape gets out. Pure and synchronous, no dependency:
 * the text format 0.0.4 and OpenMetrics 1.0 differ only in a few lines
 * (counter family names, # UNIT, # EOF), which a small writer states plainly.
 *
 * Gauges come from the interval (sizes now, rates over the last interval);
 * counters are the kernel's running totals from the sample, so rate() and
 * increase() work on them across scrapes and memtop restarts.
 */
import { allColumns, type Column, type ProcColumnName } from '../columns/process.js';
import { MEM_FIELDS, PAG_FIELDS, SWP_FIELDS, type SysFieldDef } from '../columns/system.js';
import { UNLIMITED, type CgroupInterval } from '../model/cgroups.js';
import type { Interval, ProcInterval } from '../model/interval.js';
import type { Sample } from '../sample.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

export interface ExpositionOptions {
  format: ExpositionFormat;
  /** Processes per ranking: the top K by resident size and the top K by resident growth; cgroups likewise by memory and growth. */
  top: number;
  /** How long taking the sample took, seconds (exported when given). */
  sampleSeconds?: number;
  /** OOM victims so far by command name (a running total the server keeps: OomVictims). */
  oomVictims?: ReadonlyMap<string, number>;
}

/** Running totals of OOM victims by command, for a counter: fed every interval, never reset while memtop runs. */
export class OomVictims {
  readonly byCommand = new Map<string, number>();

  add(iv: Interval): void {
    for (const e of iv.exited) if (e.oom) this.byCommand.set(e.cmd, (this.byCommand.get(e.cmd) ?? 0) + 1);
  }
}

type Labels = Record<string, string>;

interface Series {
  labels?: Labels;
  value: number;
}

interface Family {
  /** Without the `_total` of a counter. */
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** OpenMetrics # UNIT; the name ends in `_<unit>`. */
  unit?: string;
  series: Series[];
}

/** Label values: backslash, double quote and line feed are escaped (both formats). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** A kernel percentage with two decimals as a ratio, without binary rounding noise (8.93 -> 0.0893). */
function percentToRatio(pct: number): number {
  return Math.round(pct * 100) / 10000;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const key in labels) parts.push(`${key}="${escapeLabelValue(labels[key]!)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function writeFamily(out: string[], f: Family, format: ExpositionFormat): void {
  if (f.series.length === 0) return;
  const sampleName = f.type === 'counter' ? `${f.name}_total` : f.name;
  // 0.0.4 names the family by its sample name; OpenMetrics names a counter family without _total.
  const familyName = format === 'openmetrics' ? f.name : sampleName;
  out.push(`# HELP ${familyName} ${f.help}`);
  out.push(`# TYPE ${familyName} ${f.type}`);
  if (format === 'openmetrics' && f.unit) out.push(`# UNIT ${familyName} ${f.unit}`);
  for (const s of f.series) out.push(`${sampleName}${formatLabels(s.labels)} ${formatValue(s.value)}`);
}

/** Collects families in a fixed order; a metric whose value is unknown is left out, never exported as 0. */
class Families {
  readonly list: Family[] = [];

  add(name: string, type: Family['type'], help: string, unit?: string): Family {
    const f: Family = { name, type, help, unit, series: [] };
    this.list.push(f);
    return f;
  }

  /** A family with one unlabelled series, left empty when the value is unknown. */
  single(name: string, type: Family['type'], help: string, value: number | undefined, unit?: string): void {
    const f = this.add(name, type, help, unit);
    if (value !== undefined && Number.isFinite(value)) f.series.push({ value });
  }
}

/** Gauges of the interval's MEM and SWP fields, as the system field registry names them. */
function systemMemory(fs: Families, iv: Interval): void {
  const gauges = <Part>(fields: readonly SysFieldDef<Part>[], part: Part) => {
    for (const f of fields) if (f.gauge) fs.single(f.gauge.name, 'gauge', f.gauge.help, f.get(part), f.gauge.unit);
  };
  gauges(MEM_FIELDS, iv.mem);
  gauges(SWP_FIELDS, iv.swp);
}

/** The kernel's running paging totals, as counters. */
function paging(fs: Families, sample: Sample): void {
  for (const f of PAG_FIELDS) if (f.counter) fs.single(f.counter.name, 'counter', f.counter.help, f.counter.value(sample), f.counter.unit);
}

const DISK_CLASS: Record<string, string> = { dsk: 'disk', lvm: 'lvm', mdd: 'md' };

function disks(fs: Families, iv: Interval, sample: Sample): void {
  const byDevice = new Map([...iv.dsk, ...iv.lvm, ...iv.mdd].map((d) => [d.device, d]));
  const reads = fs.add('memtop_disk_reads', 'counter', 'Reads completed.');
  const writes = fs.add('memtop_disk_writes', 'counter', 'Writes completed.');
  const readBytes = fs.add('memtop_disk_read_bytes', 'counter', 'Bytes read.', 'bytes');
  const writtenBytes = fs.add('memtop_disk_written_bytes', 'counter', 'Bytes written.', 'bytes');
  const ioTime = fs.add('memtop_disk_io_time_seconds', 'counter', 'Time the device had I/O in flight.', 'seconds');
  const busy = fs.add('memtop_disk_busy_ratio', 'gauge', 'Share of the last interval the device was busy.', 'ratio');
  const avio = fs.add('memtop_disk_avio_seconds', 'gauge', 'Average time per request in the last interval.', 'seconds');
  for (const d of sample.disks) {
    const labels = { device: d.name, name: d.label, class: DISK_CLASS[d.class] ?? d.class };
    reads.series.push({ labels, value: d.reads });
    writes.series.push({ labels, value: d.writes });
    readBytes.series.push({ labels, value: d.readSectors * 512 });
    writtenBytes.series.push({ labels, value: d.writeSectors * 512 });
    ioTime.series.push({ labels, value: d.ioMs / 1000 });
    const di = byDevice.get(d.name);
    if (di) {
      busy.series.push({ labels, value: Math.min(1, di.busy / 100) });
      avio.series.push({ labels, value: di.avio / 1000 });
    }
  }
}

function pressure(fs: Families, sample: Sample): void {
  const psi = sample.psi;
  const someTotal = fs.add('memtop_pressure_some_seconds', 'counter',
    'Time in which at least one task was stalled on the resource (PSI some).', 'seconds');
  const fullTotal = fs.add('memtop_pressure_full_seconds', 'counter',
    'Time in which all non-idle tasks were stalled on the resource (PSI full).', 'seconds');
  const someRatio = fs.add('memtop_pressure_some_ratio', 'gauge',
    'Share of time at least one task was stalled, kernel average over the window (PSI some avgN).', 'ratio');
  const fullRatio = fs.add('memtop_pressure_full_ratio', 'gauge',
    'Share of time all non-idle tasks were stalled, kernel average over the window (PSI full avgN).', 'ratio');
  if (!psi) return;
  for (const resource of ['cpu', 'memory', 'io'] as const) {
    const p = psi[resource];
    if (!p) continue;
    const lines = [[p.some, someTotal, someRatio], [p.full, fullTotal, fullRatio]] as const;
    for (const [line, total, ratio] of lines) {
      if (!line) continue;
      total.series.push({ labels: { resource }, value: line.total / 1e6 });
      ratio.series.push({ labels: { resource, window: '10s' }, value: percentToRatio(line.avg10) });
      ratio.series.push({ labels: { resource, window: '60s' }, value: percentToRatio(line.avg60) });
      ratio.series.push({ labels: { resource, window: '300s' }, value: percentToRatio(line.avg300) });
    }
  }
}

/**
 * The processes exported: the top K by resident size, the top K that grew
 * (positive RGROW) in the last interval, and every leak suspect (LEAK,
 * beyond the top K: an alert on it must not depend on its rank), each once,
 * in pid order. Kernel threads (no resident memory) never count. Growth is
 * unknown for the first interval (it covers the time since boot), so then
 * only sizes rank.
 */
export function exportedProcesses(iv: Interval, top: number): ProcInterval[] {
  // A size or growth unknown (a damaged stat field) ranks as none.
  const user = iv.procs.filter((p) => (p.rsize ?? 0) > 0 || (p.vsize ?? 0) > 0);
  const chosen = new Map<number, ProcInterval>();
  const bySize = [...user].sort((a, b) => (b.rsize ?? 0) - (a.rsize ?? 0) || a.pid - b.pid);
  for (const p of bySize.slice(0, top)) chosen.set(p.pid, p);
  if (!iv.sinceBoot) {
    const growing = user.filter((p) => (p.rgrow ?? 0) > 0).sort((a, b) => b.rgrow! - a.rgrow! || a.pid - b.pid);
    for (const p of growing.slice(0, top)) chosen.set(p.pid, p);
  }
  for (const p of user) if (p.leak) chosen.set(p.pid, p);
  return [...chosen.values()].sort((a, b) => a.pid - b.pid);
}

/**
 * The process families, from the column registry's metrics: sizes (gauges)
 * before rates. The first seven keep the order the exposition always had, so
 * scrapes and their diffs stay the same; newer metrics follow in registry order.
 */
const FIRST_FAMILIES: readonly ProcColumnName[] = ['RSIZE', 'VSIZE', 'SWAPSZ', 'RGROW', 'VGROW', 'MINFLT', 'MAJFLT'];

const PROCESS_METRICS = (() => {
  const cols = allColumns().filter((c) => c.metric);
  const rank = (c: Column) => {
    const i = (FIRST_FAMILIES as readonly string[]).indexOf(c.name);
    return i < 0 ? FIRST_FAMILIES.length + cols.indexOf(c) : i;
  };
  return cols.sort((a, b) => Number(!!a.metric!.perSecond) - Number(!!b.metric!.perSecond) || rank(a) - rank(b));
})();

function processes(fs: Families, iv: Interval, top: number): void {
  const chosen = exportedProcesses(iv, top);
  const rates = !iv.sinceBoot && iv.elapsed > 0;
  for (const col of PROCESS_METRICS) {
    const m = col.metric!;
    if (m.perSecond && !rates) continue;
    const f = fs.add(`memtop_process_${m.name}`, m.total ? 'counter' : 'gauge', m.help, m.unit);
    for (const p of chosen) {
      const raw = m.total ? m.total(p) : col.get(p);
      if (typeof raw !== 'number') continue;
      const v = m.perSecond ? raw / iv.elapsed : raw;
      if (Number.isFinite(v)) f.series.push({ labels: procLabels(p), value: v });
    }
  }
  const suspect = fs.add('memtop_process_leak_suspect', 'gauge',
    'Leak suspect (LEAK): 1 when resident anonymous + swapped memory grew steadily over the window, else 0; every suspect is exported.');
  for (const p of chosen) suspect.series.push({ labels: procLabels(p), value: p.leak ? 1 : 0 });
}

/**
 * A process's labels: pid and comm, and for an interpreter the program it runs (`program="billing/index.js"`:
 * eight series of comm="node" tell nothing). Bounded: only the exported top K processes have series, and a
 * program name is at most PROGRAM_MAX characters.
 */
function procLabels(p: ProcInterval): Labels {
  return p.program === undefined ? { pid: String(p.pid), comm: p.cmd } : { pid: String(p.pid), comm: p.cmd, program: p.program };
}

/** The exhaustion forecast and the OOM victims by command. */
function memoryOutlook(fs: Families, iv: Interval, victims: ReadonlyMap<string, number> | undefined): void {
  const f = iv.forecast;
  fs.single('memtop_memory_exhaustion_seconds', 'gauge',
    'Seconds until available memory plus free swap run out at the current rate (absent when nothing is running out).',
    f?.exhaust ?? undefined, 'seconds');
  fs.single('memtop_memory_consumption_bytes_per_second', 'gauge',
    'Rate at which memory plus swap is being used up: the steady decline of the available, or the suspects\' summed TRATE.',
    f?.rate);
  if (!victims) return;
  const oom = fs.add('memtop_oom_victims', 'counter', 'Processes the OOM killer killed since memtop started, by command (from the kernel log).');
  for (const [comm, n] of victims) oom.series.push({ labels: { comm }, value: n });
}

/**
 * The memory cgroups exported: the top K by memory in use and the top K
 * that grew (positive CGROW) in the last interval, each once, in tree order.
 * The top of the hierarchy is the whole machine (the system families tell
 * it) and is left out; so are groups whose usage the kernel does not tell.
 */
export function exportedCgroups(iv: Interval, top: number): CgroupInterval[] {
  const groups = iv.cgroups.filter((g) => g.path !== '/' && g.memory !== undefined);
  const chosen = new Set<CgroupInterval>();
  for (const g of [...groups].sort((a, b) => b.memory! - a.memory!).slice(0, top)) chosen.add(g);
  if (!iv.sinceBoot) {
    const growing = groups.filter((g) => (g.cgrow ?? 0) > 0).sort((a, b) => b.cgrow! - a.cgrow!);
    for (const g of growing.slice(0, top)) chosen.add(g);
  }
  return iv.cgroups.filter((g) => chosen.has(g));
}

/** The cgroup families (label `cgroup`, the path below the hierarchy's mount point). */
function cgroups(fs: Families, iv: Interval, sample: Sample, top: number): void {
  const chosen = exportedCgroups(iv, top);
  const gauge = (name: string, help: string, get: (g: CgroupInterval) => number | undefined, unit?: string) => {
    const f = fs.add(name, 'gauge', help, unit);
    for (const g of chosen) {
      const v = get(g);
      if (v !== undefined && Number.isFinite(v)) f.series.push({ labels: { cgroup: g.path }, value: v });
    }
  };
  gauge('memtop_cgroup_memory_bytes', 'Memory in use by the cgroup and below (MEMORY: memory.current, v1 memory.usage_in_bytes).', (g) => g.memory, 'bytes');
  gauge('memtop_cgroup_limit_bytes', 'The cgroup\'s memory limit (MEMMAX: memory.max, v1 memory.limit_in_bytes), when one is set.',
    (g) => (g.max === UNLIMITED ? undefined : g.max), 'bytes');
  gauge('memtop_cgroup_swap_bytes', 'Swap in use by the cgroup (SWAP).', (g) => g.swap, 'bytes');
  gauge('memtop_cgroup_anon_bytes', 'Anonymous memory of the cgroup (ANON, memory.stat).', (g) => g.anon, 'bytes');
  gauge('memtop_cgroup_file_bytes', 'Page cache of the cgroup (FILE, memory.stat).', (g) => g.file, 'bytes');
  if (!iv.sinceBoot && iv.elapsed > 0) {
    gauge('memtop_cgroup_growth_bytes_per_second', 'Growth of the cgroup\'s memory over the last interval, per second (CGROW per second).',
      (g) => (g.cgrow === undefined ? undefined : g.cgrow / iv.elapsed));
  }
  // The kernel's running count, so that increase() works across scrapes.
  const kills = new Map(sample.cgroups?.groups.map((g) => [g.path, g.oomKills]));
  const f = fs.add('memtop_cgroup_oom_kills', 'counter', 'OOM kills in the cgroup and below since it was made (memory.events, v1 memory.oom_control).');
  for (const g of chosen) {
    const v = kills.get(g.path);
    if (v !== undefined) f.series.push({ labels: { cgroup: g.path }, value: v });
  }
}

/** The full exposition text of one interval. */
export function renderExposition(iv: Interval, sample: Sample, opts: ExpositionOptions): string {
  const fs = new Families();
  systemMemory(fs, iv);
  paging(fs, sample);
  disks(fs, iv, sample);
  pressure(fs, sample);
  processes(fs, iv, opts.top);
  cgroups(fs, iv, sample, opts.top);
  memoryOutlook(fs, iv, opts.oomVictims);
  fs.single('memtop_processes', 'gauge', 'Processes on the system.', iv.procs.length);
  fs.single('memtop_interval_seconds', 'gauge', 'Length of the last interval (the first one covers the time since boot).',
    iv.elapsed, 'seconds');
  fs.single('memtop_sample_timestamp_seconds', 'gauge', 'When the last sample was taken, seconds since the epoch.',
    sample.time / 1000, 'seconds');
  fs.single('memtop_sample_duration_seconds', 'gauge', 'How long taking the last sample took.', opts.sampleSeconds, 'seconds');
  const out: string[] = [];
  for (const f of fs.list) writeFamily(out, f, opts.format);
  if (opts.format === 'openmetrics') out.push('# EOF');
  return out.join('\n') + '\n';
}

/**
 * Content negotiation: OpenMetrics 1.0 when the Accept header asks for
 * application/openmetrics-text (version 1.0.0 or unspecified) at least as
 * much as for the text format; the text format 0.0.4 otherwise.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let om = -1;
  let text = -1;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const [k, v = ''] = p.split('=').map((s) => s.trim());
      if (k === 'q') q = Number(v);
      else if (k === 'version') version = v;
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) om = Math.max(om, q);
    else if (type === 'text/plain' || type === '*/*' || type === 'text/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'prometheus';
}
