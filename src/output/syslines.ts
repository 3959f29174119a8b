/**
 * The system lines (PRC, CPU, cpu, CPL, MEM, SWP, PAG, PSI, LVM, MDD, DSK)
 * built from an interval, with atop's fields, priorities, visibility rules
 * and colours. The text output and the TUI both draw these.
 */
import { avioStr, cpuStr, fixed } from '../format/units.js';
import type { CpuLine, DiskInterval, Interval } from '../model/interval.js';
import { blankField, countField, sizeField, textField, type SysField, type SysLine } from './sysfield.js';

export interface SysLineOptions {
  /** atop's `f`: show lines and devices even when idle. */
  all?: boolean;
}

const pctText = (v: number) => `${Math.round(v)}%`;

function prcLine(iv: Interval): SysLine {
  const p = iv.prc;
  const zombieColor = p.nzombie > 50 ? 'crit' : p.nzombie > 30 ? 'almost' : undefined;
  return {
    label: 'PRC',
    level: 'ok',
    fields: [
      textField('sys', cpuStr(p.sys), 6),
      textField('user', cpuStr(p.user), 6),
      blankField(), blankField(),
      countField('#proc', p.nproc, 5),
      countField('#trun', p.ntrun, 1),
      countField('#tslpi', p.ntslpi, 2),
      countField('#tslpu', p.ntslpu, 2),
      countField('#zombie', p.nzombie, 4, zombieColor),
      countField('clones', p.clones, 3),
      blankField(), blankField(),
      countField('#exit', p.nexit, 5),
    ],
  };
}

function cpuFields(c: CpuLine, waitName: string): SysField[] {
  // Only sys, user and irq take the line's colour, and only above 1%.
  const col = (v: number) => (v > 1 ? 'line' : undefined);
  return [
    textField('sys', pctText(c.sys), 6, col(c.sys)),
    textField('user', pctText(c.user), 6, col(c.user)),
    blankField(),
    textField('irq', pctText(c.irq), 4, col(c.irq)),
    blankField(),
    textField('idle', pctText(c.idle), 5),
    textField(waitName, pctText(c.wait), 5),
    blankField(),
    textField('steal', pctText(c.steal), 2),
    textField('guest', pctText(c.guest), 2),
  ];
}

function cpuLines(iv: Interval, opts: SysLineOptions): SysLine[] {
  const lines: SysLine[] = [{ label: 'CPU', level: iv.cpu.level, fields: cpuFields(iv.cpu, 'wait') }];
  if (iv.cpu.ncpu > 1) {
    for (const c of iv.cpu.cpus) {
      // Idle CPUs are suppressed unless `f`.
      if (!opts.all && c.idle >= 99.5 && c.wait < 0.5) continue;
      lines.push({
        label: 'cpu',
        level: c.level,
        fields: cpuFields(c, `cpu${String(c.id).padStart(3, '0')} w`),
      });
    }
  }
  return lines;
}

function cplLine(iv: Interval): SysLine {
  const c = iv.cpl;
  const avg = (v: number, w: number) => (v > 999 ? fixed(v, w, 0) : fixed(v, w, 2));
  return {
    label: 'CPL',
    level: 'ok',
    fields: [
      countField('numcpu', c.numcpu, 7),
      blankField(), blankField(),
      textField('avg1', avg(c.avg1, 7), 6),
      blankField(),
      textField('avg5', avg(c.avg5, 7), 5),
      textField('avg15', avg(c.avg15, 6), 4, c.avg15High ? 'almost' : undefined),
      blankField(), blankField(), blankField(),
      countField('csw', c.csw, 5),
      countField('intr', c.intr, 5),
    ],
  };
}

function memLines(iv: Interval): SysLine[] {
  const m = iv.mem;
  const opt = (name: string, v: number | undefined, prio: number, color?: SysField['color']) =>
    v === undefined ? [] : [sizeField(name, v, prio, color)];
  // Fields whose source is absent (old kernels, no hugepages) are dropped, as atop's validity checks do.
  const line1: SysField[] = [
    sizeField('tot', m.tot, 8, 'line'),
    sizeField('free', m.free, 9, 'line'),
    ...opt('avail', m.avail, 7, 'line'),
    sizeField('cache', m.cache, 7, 'line'),
    ...opt('dirty', m.dirty, 5),
    sizeField('buff', m.buff, 6, 'line'),
    sizeField('slab', m.slab, 6, 'line'),
    ...opt('slrec', m.slrec, 2, 'line'),
    ...opt('hptot', m.hptot, 4, 'line'),
    ...opt('hpuse', m.hpuse, 1, 'line'),
  ];
  const line2: SysField[] = [
    ...opt('shmem', m.shmem, 6, 'line'),
    ...opt('pgtab', m.pgtab, 5, 'line'),
    ...opt('anthp', m.anthp || undefined, 4, 'line'),
  ];
  const lines = [{ label: 'MEM', level: m.level, fields: line1 }];
  if (line2.length) lines.push({ label: 'MEM', level: m.level, fields: line2 });
  return lines;
}

function swpLine(iv: Interval): SysLine {
  const s = iv.swp;
  const opt = (name: string, v: number | undefined, prio: number, color?: SysField['color']) =>
    v === undefined ? [] : [sizeField(name, v, prio, color)];
  return {
    label: 'SWP',
    level: s.level,
    fields: [
      sizeField('tot', s.tot, 6, 'line'),
      sizeField('free', s.free, 5, 'line'),
      ...opt('swcac', s.swcac, 3, 'line'),
      blankField(),
      ...opt('vmcom', s.vmcom, 4, s.overcommitted ? 'almost' : undefined),
      ...opt('vmlim', s.vmlim, 4, s.overcommitted ? 'info' : undefined),
    ],
  };
}

/**
 * memtop keeps scan, stall, swin and swout at 80 columns, the figures the
 * memory-leak story is told with; atop 2.8 drops scan and stall first.
 */
function pagLine(iv: Interval): SysLine {
  const g = iv.pag;
  const fields: SysField[] = [
    countField('scan', g.scan, 8),
    countField('steal', g.steal, 4),
    countField('stall', g.stall, 7),
    countField('compact', g.compact, 3),
    countField('numamig', g.numamig, 1),
    countField('migrate', g.migrate, 2),
    countField('pgin', g.pgin, 4),
    countField('pgout', g.pgout, 4),
  ];
  if (g.zswin > 0 || g.zswout > 0) {
    fields.push(countField('zswin', g.zswin, 3), countField('zswout', g.zswout, 5, 'line'));
  }
  fields.push(countField('swin', g.swin, 8), countField('swout', g.swout, 9, 'line'));
  if (g.oomkill >= 0) fields.push(countField('oomkill', g.oomkill, 7, g.oomkill > 0 ? 'crit' : undefined));
  return { label: 'PAG', level: g.level, fields };
}

function pagVisible(iv: Interval): boolean {
  const g = iv.pag;
  return (
    g.scan + g.steal + g.stall + g.compact + g.pgin + g.pgout + g.swin + g.swout + g.migrate + g.zswin + g.zswout > 0 ||
    g.oomkill > 0
  );
}

function psiLine(iv: Interval): SysLine | undefined {
  const p = iv.psi;
  if (!p) return undefined;
  const pctF = (name: string, v: number | undefined, prio: number) =>
    v === undefined ? [] : [textField(name, `${Math.trunc(v)}%`, prio, v >= 1 ? 'almost' : undefined)];
  const avgs = (name: string, a: { avg10: number; avg60: number; avg300: number } | undefined, prio: number) => {
    if (!a) return [];
    let text = `${a.avg10.toFixed(0)}/${a.avg60.toFixed(0)}/${a.avg300.toFixed(0)}`;
    if (text.length > 9) text = [a.avg10, a.avg60, a.avg300].map((v) => Math.min(99, Math.round(v))).join('/');
    return [textField(name, text, prio)];
  };
  return {
    label: 'PSI',
    level: p.level,
    fields: [
      ...pctF('cpusome', p.cpusome, 7),
      ...pctF('memsome', p.memsome, 8),
      ...pctF('memfull', p.memfull, 8),
      blankField(),
      ...pctF('iosome', p.iosome, 7),
      ...pctF('iofull', p.iofull, 7),
      ...avgs('cs', p.cpu, 3),
      ...avgs('ms', p.mem, 3),
      ...avgs('mf', p.memFull, 3),
      ...avgs('is', p.io, 3),
      blankField(),
      ...avgs('if', p.ioFull, 3),
    ],
  };
}

function psiVisible(iv: Interval): boolean {
  const p = iv.psi;
  if (!p) return false;
  const nz = (a?: { avg10: number; avg60: number; avg300: number }) => !!a && a.avg10 + a.avg60 + a.avg300 > 0;
  return nz(p.cpu) || nz(p.mem) || nz(p.io) || (p.cpusome ?? 0) + (p.memsome ?? 0) + (p.iosome ?? 0) > 0;
}

function diskLine(label: string, d: DiskInterval): SysLine {
  const name = d.name.length > 12 ? d.name.slice(-12) : d.name;
  return {
    label,
    level: d.level,
    fields: [
      { prio: 9, text: name.padStart(12), color: 'line' },
      textField('busy', `${fixed(d.busy, 6, 0).trim()}%`, 8, 'line'),
      countField('read', d.read, 7, 'line'),
      countField('write', d.write, 7, 'line'),
      ...(d.discard >= 0 ? [countField('discrd', d.discard, 2, 'line')] : []),
      countField('KiB/r', d.kibr, 4),
      countField('KiB/w', d.kibw, 4),
      textField('MBr/s', fixed(d.mbrs, 6, 1), 2),
      textField('MBw/s', fixed(d.mbws, 6, 1), 2),
      countField('inflt', d.inflight, 1),
      textField('avq', fixed(d.avq, 8, 2), 1),
      textField('avio', avioStr(d.avio), 6, 'line'),
    ],
  };
}

/** All system lines of an interval, in atop's order, with atop's visibility rules. */
export function systemLines(iv: Interval, opts: SysLineOptions = {}): SysLine[] {
  const lines: SysLine[] = [prcLine(iv), ...cpuLines(iv, opts), cplLine(iv), ...memLines(iv), swpLine(iv)];
  if (opts.all || pagVisible(iv)) lines.push(pagLine(iv));
  const psi = psiLine(iv);
  if (psi && (opts.all || psiVisible(iv))) lines.push(psi);
  // Disks without I/O in the interval are hidden unless `f`.
  const active = (d: DiskInterval) => opts.all || d.read + d.write > 0;
  for (const d of iv.lvm.filter(active)) lines.push(diskLine('LVM', d));
  for (const d of iv.mdd.filter(active)) lines.push(diskLine('MDD', d));
  for (const d of iv.dsk.filter(active)) lines.push(diskLine('DSK', d));
  return lines;
}
