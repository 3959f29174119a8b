/**
 * --csv: atopsar's use, for spreadsheets and pandas. One header line, then
 * either one line per sample of the system figures (time, MEM, SWP, PAG,
 * PSI, per-disk busy), or with a view (-V NAME, -m) one line per listed
 * process per sample: time, pid, cmd and the view's columns (with -V cgroup,
 * one line per memory cgroup per sample). Fields and
 * their names come from the registries (columns/system.ts, columns/process.ts):
 * the JSON key where a field has one, in the JSON's units (sizes in bytes,
 * counts per interval, CPU time in seconds, percentages); empty where unknown.
 */
import { cgroupColumns } from '../columns/cgroup.js';
import { column, columnOf, type Column } from '../columns/process.js';
import { MEM_FIELDS, PAG_FIELDS, SWP_FIELDS, type SysFieldDef } from '../columns/system.js';
import { listsAllProcs, type ViewDef } from '../columns/views.js';
import type { Interval, PsiInterval } from '../model/interval.js';
import { viewRows, exitedRow } from './proclist.js';
import { sortProcs } from '../columns/process.js';

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (fields: readonly unknown[]) => fields.map(csvField).join(',') + '\n';

/** The system fields of a part, without atop's badness (a colour, not a figure). */
const sysFields = <Part>(fields: readonly SysFieldDef<Part>[]) => fields.filter((f) => f.name !== 'badness');

/** PSI has no registry of its own: the interval's stall shares, percent of the interval. */
const PSI: { name: string; get(p: PsiInterval): number | undefined }[] = [
  { name: 'psi_cpu_some', get: (p) => p.cpusome },
  { name: 'psi_mem_some', get: (p) => p.memsome },
  { name: 'psi_mem_full', get: (p) => p.memfull },
  { name: 'psi_io_some', get: (p) => p.iosome },
  { name: 'psi_io_full', get: (p) => p.iofull },
];

/** The system columns: name and value, the disks' from the first interval (a disk added later has no column). */
export function systemColumns(first: Interval): { name: string; get(iv: Interval): unknown }[] {
  const disks = [...first.dsk, ...first.lvm, ...first.mdd].map((d) => d.name);
  return [
    { name: 'time', get: (iv) => new Date(iv.time).toISOString() },
    { name: 'elapsed', get: (iv) => iv.elapsed },
    ...sysFields(MEM_FIELDS).map((f) => ({ name: `mem_${f.name}`, get: (iv: Interval) => f.get(iv.mem) })),
    ...sysFields(SWP_FIELDS).map((f) => ({ name: `swp_${f.name}`, get: (iv: Interval) => f.get(iv.swp) })),
    ...sysFields(PAG_FIELDS).map((f) => ({ name: `pag_${f.name}`, get: (iv: Interval) => f.get(iv.pag) })),
    ...PSI.map((p) => ({ name: p.name, get: (iv: Interval) => (iv.psi ? p.get(iv.psi) : undefined) })),
    ...disks.map((name) => ({
      name: `dsk_${name}_busy`,
      get: (iv: Interval) => [...iv.dsk, ...iv.lvm, ...iv.mdd].find((d) => d.name === name)?.busy,
    })),
  ];
}

/** A process column's CSV name: its JSON key, else its name in lower case. */
export const csvName = (c: Column) => c.json ?? c.name.toLowerCase().replace(/-/g, '_');

/** A process column's CSV value: its JSON value where it has one (units of --json), else its sort value. */
const csvValue = (c: Column, p: Parameters<Column['get']>[0]) => (c.json && c.toJson ? c.toJson(p) : c.get(p));

/** The view's columns after time, pid and cmd (which lead every row; an aggregate view's rows have no pid). */
export function processColumns(view: ViewDef): Column[] {
  const lead = new Set(['PID', 'CMD']);
  return view.columns.map((c) => columnOf(c.name)).filter((c) => !lead.has(c.name));
}

export interface CsvOptions {
  /** Process rows of this view; system rows when undefined. */
  view?: ViewDef;
  sort?: string;
  allProcs?: boolean;
}

/** Writes the header before the first interval's rows; one instance per output. */
export class CsvOutput {
  private sys?: ReturnType<typeof systemColumns>;
  private headed = false;

  constructor(private readonly opts: CsvOptions = {}) {}

  /** The interval's lines, the header first on the first call. */
  lines(iv: Interval): string {
    const view = this.opts.view;
    if (!view) {
      this.sys ??= systemColumns(iv);
      const head = this.headed ? '' : line(this.sys.map((c) => c.name));
      this.headed = true;
      return head + line(this.sys.map((c) => c.get(iv)));
    }
    if (view.cgroups) return this.cgroupLines(iv);
    const cols = processColumns(view);
    const sortName = this.opts.sort ?? view.defaultSort;
    const sort = column(sortName)!;
    let out = '';
    if (!this.headed) out += line(['time', 'pid', 'cmd', ...cols.map(csvName)]);
    this.headed = true;
    const time = new Date(iv.time).toISOString();
    const listed = listsAllProcs(view, sortName, !!this.opts.allProcs);
    const rows = sortProcs(viewRows(iv.procs, view, sortName, listed, iv.exited.map(exitedRow)), sort);
    for (const p of rows) out += line([time, view.aggregate ? undefined : p.pid, p.cmd, ...cols.map((c) => csvValue(c, p))]);
    return out;
  }

  /** -V cgroup: a line per memory cgroup per sample, in tree order, the cgroup registry's JSON fields. */
  private cgroupLines(iv: Interval): string {
    const cols = cgroupColumns().filter((c) => c.json);
    let out = this.headed ? '' : line(['time', ...cols.map((c) => c.json)]);
    this.headed = true;
    const time = new Date(iv.time).toISOString();
    for (const g of iv.cgroups) out += line([time, ...cols.map((c) => (c.toJson ? c.toJson(g) : c.get(g)))]);
    return out;
  }
}
