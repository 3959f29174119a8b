/**
 * The system lines (PRC, CPU, cpu, CPL, MEM, SWP, PAG, PSI, LVM, MDD, DSK)
 * built from an interval: atop's fields, formats, priorities, visibility
 * rules and colours. The text output and the TUI both draw these.
 *
 * Priorities are atop's defaults (2.8.1's PRC line); the MEM, SWP and PAG
 * lines are laid out from the system field registry (columns/system.ts).
 */
import { avioStr, cFixed, cpuStr, durationStr, fixed, valStr } from '../format/units.js';
import { LINE_LAYOUTS, MEM_FIELDS, PAG_FIELDS, SWP_FIELDS, type SysFieldDef } from '../columns/system.js';
import type { CpuLine, DiskInterval, Interval } from '../model/interval.js';
import { DISK_FIELDS, type DiskLineField } from '../columns/disk.js';
import { netLines } from './netlines.js';
import { blankField, countField, sizeField, textField, wideField, type SysField, type SysLine } from './sysfield.js';

export interface SysLineOptions {
  /** atop's `f`: show lines and devices even when idle. */
  all?: boolean;
}

/** "%6.0f%%" and friends: a rounded percentage with its sign. */
const pct = (v: number) => `${cFixed(v, 0)}%`;

function prcLine(iv: Interval): SysLine {
  const p = iv.prc;
  const zombie = p.nzombie > 50 ? 'crit' : p.nzombie > 30 ? 'almost' : undefined;
  return {
    label: 'PRC',
    level: 'ok',
    fields: [
      textField('sys', cpuStr(p.sys), 8),
      textField('user', cpuStr(p.user), 8),
      blankField(),
      countField('#proc', p.nproc, 7),
      countField('#trun', p.ntrun, 5),
      countField('#tslpi', p.ntslpi, 5, undefined, 4),
      countField('#tslpu', p.ntslpu, 5, undefined, 4),
      countField('#zombie', p.nzombie, 5, zombie),
      countField('clones', p.clones, 4),
      blankField(),
      countField('#exit', p.nexit, 6),
    ],
  };
}

function cpuFields(c: CpuLine, waitField: SysField): SysField[] {
  // Only sys, user and irq take the line's colour, and only above 1%.
  const col = (v: number) => (v > 1 ? 'line' : undefined);
  return [
    textField('sys', pct(c.sys), 9, col(c.sys)),
    textField('user', pct(c.user), 8, col(c.user)),
    textField('irq', pct(c.irq), 6, col(c.irq)),
    blankField(),
    textField('idle', pct(c.idle), 7),
    waitField,
    textField('steal', pct(c.steal), 2),
    textField('guest', pct(c.guest), 3),
    blankField(),
  ];
}

function cpuLines(iv: Interval, opts: SysLineOptions): SysLine[] {
  const lines: SysLine[] = [
    { label: 'CPU', level: iv.cpu.level, fields: cpuFields(iv.cpu, textField('wait', pct(iv.cpu.wait), 7)) },
  ];
  if (iv.cpu.ncpu > 1) {
    for (const c of iv.cpu.cpus) {
      // A CPU that was only idle or waiting is suppressed unless `f`.
      if (!opts.all && c.sys + c.user + c.irq + c.steal <= 0) continue;
      const wait = { prio: 7, text: `cpu${String(c.id).padStart(3, '0')} w${cFixed(c.wait, 0).padStart(3)}%` };
      lines.push({ label: 'cpu', level: c.level, fields: cpuFields(c, wait) });
    }
  }
  return lines;
}

function cplLine(iv: Interval): SysLine {
  const c = iv.cpl;
  const avg = (v: number, w: number, max: number) =>
    v > max ? `>${max}` : v > 999 ? fixed(v, w, 0) : fixed(v, w, 2);
  return {
    label: 'CPL',
    level: 'ok',
    fields: [
      countField('numcpu', c.numcpu, 7),
      blankField(),
      textField('avg1', avg(c.avg1, 7, 999999), 4),
      textField('avg5', avg(c.avg5, 7, 999999), 3),
      textField('avg15', avg(c.avg15, 6, 99999), 2, c.avg15High ? 'almost' : undefined),
      blankField(),
      countField('csw', c.csw, 6),
      countField('intr', c.intr, 5),
    ],
  };
}

/** A line's fields as its layout names them, from the system field registry. */
function registryFields<Part>(fields: readonly SysFieldDef<Part>[], layout: readonly { name: string; prio: number }[], part: Part): SysField[] {
  const out: SysField[] = [];
  for (const { name, prio } of layout) {
    if (name === '_') {
      out.push(blankField(prio));
      continue;
    }
    const f = fields.find((x) => x.name === name)!;
    const v = f.get(part);
    if (f.shown ? !f.shown(part) : v === undefined) continue;
    const color = typeof f.color === 'function' ? f.color(part) : f.color;
    out.push(
      f.kind === 'count' ? countField(name, v ?? 0, prio, color)
        : f.kind === 'duration' ? textField(name, durationStr(v ?? 0), prio, color)
        : sizeField(name, v ?? 0, prio, color),
    );
  }
  return out;
}

function memLines(iv: Interval): SysLine[] {
  const m = iv.mem;
  return [
    { label: 'MEM', level: m.level, fields: registryFields(MEM_FIELDS, LINE_LAYOUTS.mem1, m) },
    { label: 'MEM', level: m.level, fields: registryFields(MEM_FIELDS, LINE_LAYOUTS.mem2, m) },
  ];
}

function swpLine(iv: Interval): SysLine {
  return { label: 'SWP', level: iv.swp.level, fields: registryFields(SWP_FIELDS, LINE_LAYOUTS.swp, iv.swp) };
}

function pagLine(iv: Interval): SysLine {
  return { label: 'PAG', level: iv.pag.level, fields: registryFields(PAG_FIELDS, LINE_LAYOUTS.pag, iv.pag) };
}

/**
 * PAG is shown when the kernel paged at all. atop also counts socket memory
 * here (so its PAG line almost never hides); memtop does not.
 */
function pagVisible(iv: Interval): boolean {
  const g = iv.pag;
  return g.scan + g.steal + g.stall + g.compact + g.pgin + g.pgout + g.swin + g.swout + g.migrate + g.numamig > 0 || g.oomkill > 0;
}

function psiLine(iv: Interval): SysLine | undefined {
  const p = iv.psi;
  if (!p) return undefined;
  const total = (name: string, v: number | undefined, prio: number): SysField[] =>
    v === undefined ? [] : [{ prio, text: `${name.padEnd(7)} ${String(Math.trunc(v)).padStart(3)}%`, color: v >= 1 ? 'almost' : undefined }];
  const avgs = (name: string, a: { avg10: number; avg60: number; avg300: number } | undefined, prio: number): SysField[] => {
    if (!a) return [];
    let text = [a.avg10, a.avg60, a.avg300].map((v) => cFixed(v, 0)).join('/');
    if (text.length > 9) text = [a.avg10, a.avg60, a.avg300].map((v) => cFixed(Math.min(99, v), 0)).join('/');
    return [{ prio, text: `${name} ${text.padStart(9)}` }];
  };
  return {
    label: 'PSI',
    level: p.level,
    fields: [
      ...total('cpusome', p.cpusome, 7),
      ...total('memsome', p.memsome, 7),
      ...total('memfull', p.memfull, 8),
      ...total('iosome', p.iosome, 7),
      ...total('iofull', p.iofull, 8),
      ...avgs('cs', p.cpu, 6),
      ...avgs('ms', p.mem, 5),
      ...avgs('mf', p.memFull, 3),
      ...avgs('is', p.io, 4),
      ...avgs('if', p.ioFull, 2),
      blankField(),
    ],
  };
}

function psiVisible(iv: Interval): boolean {
  const p = iv.psi;
  const nz = (a?: { avg10: number; avg60: number; avg300: number }) => !!a && a.avg10 + a.avg60 + a.avg300 > 0;
  return !!p && (nz(p.cpu) || nz(p.mem) || nz(p.io));
}

/** avio in 12 columns: "avio 0.59 ms"; from 10 s on, whole seconds. */
function avioField(ms: number): SysField {
  const text = ms >= 9995 ? `${valStr(ms / 1000, 5)} s` : avioStr(ms);
  return { prio: 6, text: `avio ${text.padStart(7)}`, color: 'line' };
}

/** One box of a device's line, as its registry entry (columns/disk.ts) says. */
function diskField(name: string, f: DiskLineField, d: DiskInterval): SysField {
  const colour = f.lineColour ? 'line' : undefined;
  switch (f.kind) {
    case 'device':
      return { prio: f.prio, text: f.text!(d).padStart(12), color: colour };
    case 'count':
      return countField(name, f.count!(d), f.prio, colour, ...(f.width === undefined ? [] : [f.width]));
    case 'text':
      return textField(name, f.text!(d), f.prio, colour);
    case 'wide':
      return wideField(name, f.text!(d), f.prio, colour);
    case 'avio':
      return avioField(f.count!(d));
  }
}

/** A device's line: the disk registry's line fields, in its order. */
function diskLine(label: string, d: DiskInterval): SysLine {
  const fields: SysField[] = [];
  for (const f of DISK_FIELDS) if (f.line && (!f.line.shown || f.line.shown(d))) fields.push(diskField(f.name, f.line, d));
  return { label, level: d.level, fields };
}

/** All system lines of an interval, in atop's order, with atop's visibility rules. */
export function systemLines(iv: Interval, opts: SysLineOptions = {}): SysLine[] {
  const lines: SysLine[] = [prcLine(iv), ...cpuLines(iv, opts), cplLine(iv), ...memLines(iv), swpLine(iv)];
  if (opts.all || pagVisible(iv)) lines.push(pagLine(iv));
  const psi = psiLine(iv);
  if (psi && (opts.all || psiVisible(iv))) lines.push(psi);
  // Devices without I/O in the interval are hidden unless `f`.
  const active = (d: DiskInterval) => opts.all || d.read + d.write > 0;
  for (const d of iv.lvm.filter(active)) lines.push(diskLine('LVM', d));
  for (const d of iv.mdd.filter(active)) lines.push(diskLine('MDD', d));
  for (const d of iv.dsk.filter(active)) lines.push(diskLine('DSK', d));
  lines.push(...netLines(iv.net, iv.ifs, !!opts.all));
  return lines;
}
