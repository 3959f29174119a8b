/**
 * --json: one object per interval per line. Sizes in bytes (integers),
 * counts per interval, busy and mem in percent, avio in milliseconds,
 * process CPU time in seconds; null where the kernel did not tell.
 */
import { allColumns, round2 } from '../columns/process.js';
import { jsonFields, rowJson } from '../columns/registry.js';
import { cgroupJson } from '../columns/cgroup.js';
import { MEM_FIELDS, PAG_FIELDS, partJson, SWP_FIELDS } from '../columns/system.js';
import type { DiskInterval, Interval, ProcInterval } from '../model/interval.js';

/** The process fields of the JSON schema, in registry order; names and values come from the column registry. */
const PROC_FIELDS = jsonFields(allColumns());

/** `young`: the TRATE is the rate known so far, from less history than a verdict needs (the screen's `~`). */
const procJson = (p: ProcInterval) => {
  const row = rowJson(PROC_FIELDS, p);
  row.young = p.young === true;
  return row;
};

function diskJson(d: DiskInterval) {
  return {
    name: d.name,
    busy: round2(d.busy),
    read: d.read,
    write: d.write,
    kibr: d.kibr,
    kibw: d.kibw,
    avq: round2(d.avq),
    avio: Math.round(d.avio * 1000) / 1000,
    badness: d.badness,
  };
}

export function intervalJson(iv: Interval): Record<string, unknown> {
  const n = (v: number | undefined) => v ?? null;
  return {
    host: iv.host,
    time: new Date(iv.time).toISOString(),
    elapsed: Math.round(iv.elapsed * 1000) / 1000,
    mem: partJson(MEM_FIELDS, iv.mem),
    swp: partJson(SWP_FIELDS, iv.swp),
    pag: partJson(PAG_FIELDS, iv.pag),
    dsk: iv.dsk.map(diskJson),
    lvm: iv.lvm.map(diskJson),
    mdd: iv.mdd.map(diskJson),
    procs: iv.procs.map(procJson),
    exited: iv.exited.map((e) => ({ pid: e.pid, cmd: e.cmd, rsize: n(e.rsize), swapsz: n(e.swapsz), oom: e.oom })),
    forecast: iv.forecast ? { exhaust: iv.forecast.exhaust, rate: Math.round(iv.forecast.rate), left: iv.forecast.left } : null,
    cgroups: iv.cgroups.map(cgroupJson),
  };
}

export function intervalJsonLine(iv: Interval): string {
  return JSON.stringify(intervalJson(iv));
}
