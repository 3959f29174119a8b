/**
 * What a report tells, gathered from a recording's intervals in time order:
 * the system's memory by kind, paging and PSI, the forecast, every process's
 * resident + swapped size, its leak verdicts and fate, OOM kills and
 * containment as events, and the cgroups' sizes. One pass, kept as columns of
 * numbers (NaN where unknown); output/report.ts draws it.
 *
 * Cost: one number per process per sample (300 processes x 8,640 samples is
 * 2.6 M numbers, about 21 MB), nothing on the live per-sample path.
 */
import { MEM_FIELDS, PAG_FIELDS, SWP_FIELDS, type SysFieldDef } from '../columns/system.js';
import { isContainGroup } from '../procfs/cgroup.js';
import { UNLIMITED } from '../model/cgroups.js';
import type { Interval } from '../model/interval.js';

export interface ProcTrack {
  pid: number;
  cmd: string;
  /** For an interpreter, the script or module its command line names (the model's program). */
  program?: string;
  user: string;
  /** The memory cgroup it was first seen in (before any containment). */
  cgroup?: string;
  /** Index of its first sample; sizes[i] is sample first + i (NaN where it was not seen). */
  first: number;
  sizes: number[];
  /** Sample index ranges [from, to] in which it was a leak suspect. */
  suspect: [number, number][];
  maxTrate?: number;
  fate?: { kind: 'exited' | 'oom' | 'contained'; time: number };
  /** Still running at the end of the recording, or when it was last seen. */
  lastSeen: number;
}

export interface IncidentEvent {
  time: number;
  kind: 'oom' | 'contained';
  pid: number;
  cmd: string;
  /** Resident + swapped size at the time, when known. */
  size?: number;
  cgroup?: string;
}

export interface CgroupTrack {
  path: string;
  first: number;
  last: number;
  peak: number;
  limit?: number;
  oomKills: number;
  sizes: number[];
  start: number;
}

const fieldOf = <Part>(fields: readonly SysFieldDef<Part>[], name: string) => {
  const f = fields.find((x) => x.name === name);
  if (!f) throw new Error(`no system field ${name}`);
  return f;
};
/** The figures the memory chart stacks, from the system field registry. */
const MEM = {
  tot: fieldOf(MEM_FIELDS, 'tot'), free: fieldOf(MEM_FIELDS, 'free'), cache: fieldOf(MEM_FIELDS, 'cache'),
  buff: fieldOf(MEM_FIELDS, 'buff'), slab: fieldOf(MEM_FIELDS, 'slab'),
};
const SWP = { tot: fieldOf(SWP_FIELDS, 'tot'), free: fieldOf(SWP_FIELDS, 'free') };
/** PAG's reclaim figures, as the PAG line counts them. */
export const PAGING_FIELDS = ['scan', 'steal', 'stall', 'swin', 'swout'] as const;
const PAG = PAGING_FIELDS.map((name) => fieldOf(PAG_FIELDS, name));

/** A process that grew less than this over the recording is not a grower worth a line. */
const GROWER_MIN = 1024 * 1024;

const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? NaN : v);

export class IncidentCollector {
  readonly times: number[] = [];
  readonly elapsed: number[] = [];
  host = '';
  /** Memory by kind, bytes: used is what the others leave of MemTotal (anonymous memory, mostly). */
  readonly mem = { tot: [] as number[], free: [] as number[], cache: [] as number[], buff: [] as number[], slab: [] as number[], used: [] as number[], swapUsed: [] as number[] };
  /** Per second, in PAGING_FIELDS order. */
  readonly paging: number[][] = PAGING_FIELDS.map(() => []);
  readonly psi = { some: [] as number[], full: [] as number[] };
  /** Seconds until memory plus swap run out; NaN when nothing runs out. */
  readonly exhaust: number[] = [];
  readonly procs = new Map<string, ProcTrack>();
  readonly events: IncidentEvent[] = [];
  readonly cgroups = new Map<string, CgroupTrack>();
  private readonly livePid = new Map<number, ProcTrack>();

  add(iv: Interval): void {
    const i = this.times.length;
    this.times.push(iv.time);
    this.elapsed.push(iv.elapsed);
    this.host = iv.host;
    const m = this.mem;
    const tot = num(MEM.tot.get(iv.mem));
    const free = num(MEM.free.get(iv.mem));
    const cache = num(MEM.cache.get(iv.mem));
    const buff = num(MEM.buff.get(iv.mem));
    const slab = num(MEM.slab.get(iv.mem));
    m.tot.push(tot);
    m.free.push(free);
    m.cache.push(cache);
    m.buff.push(buff);
    m.slab.push(slab);
    m.used.push(Math.max(0, tot - free - cache - buff - slab));
    m.swapUsed.push(num(SWP.tot.get(iv.swp)) - num(SWP.free.get(iv.swp)));
    const per = iv.elapsed > 0 && !iv.sinceBoot ? iv.elapsed : NaN;
    PAG.forEach((f, k) => this.paging[k]!.push(num(f.get(iv.pag)) / per));
    // The first interval covers the time since boot: no rates or shares of it are drawn.
    this.psi.some.push(iv.sinceBoot ? NaN : num(iv.psi?.memsome));
    this.psi.full.push(iv.sinceBoot ? NaN : num(iv.psi?.memfull));
    this.exhaust.push(iv.forecast?.exhaust ?? NaN);
    this.addProcs(iv, i);
    this.addCgroups(iv, i);
  }

  private addProcs(iv: Interval, i: number): void {
    for (const p of iv.procs) {
      if (p.rsize === undefined || (p.rsize === 0 && (p.vsize ?? 0) === 0)) continue; // kernel threads
      const key = `${p.pid}:${p.starttime ?? ''}`;
      let tr = this.procs.get(key);
      if (!tr) {
        tr = { pid: p.pid, cmd: p.cmd, user: p.user, cgroup: p.cgroup, first: i, sizes: [], suspect: [], lastSeen: iv.time };
        this.procs.set(key, tr);
      }
      this.livePid.set(p.pid, tr);
      while (tr.first + tr.sizes.length < i) tr.sizes.push(NaN);
      tr.sizes.push(p.rsize + (p.swapsz ?? 0));
      tr.cmd = p.cmd;
      if (p.program) tr.program = p.program;
      tr.lastSeen = iv.time;
      if (p.trate !== undefined && (tr.maxTrate === undefined || p.trate > tr.maxTrate)) tr.maxTrate = p.trate;
      if (p.leak) {
        const last = tr.suspect.at(-1);
        if (last && last[1] === i - 1) last[1] = i;
        else tr.suspect.push([i, i]);
      }
      if (p.cgroup !== undefined && tr.cgroup === undefined) tr.cgroup = p.cgroup;
      if (p.cgroup !== undefined && isContainGroup(p.cgroup) && tr.fate?.kind !== 'contained') {
        tr.fate = { kind: 'contained', time: iv.time };
        this.events.push({ time: iv.time, kind: 'contained', pid: p.pid, cmd: p.cmd, size: tr.sizes.at(-1), cgroup: p.cgroup });
      }
    }
    for (const e of iv.exited) {
      const tr = this.livePid.get(e.pid);
      if (tr && tr.cmd === e.cmd) {
        tr.fate = { kind: e.oom ? 'oom' : 'exited', time: iv.time };
        this.livePid.delete(e.pid);
      }
      if (e.oom) {
        const size = e.rsize === undefined ? undefined : e.rsize + (e.swapsz ?? 0);
        this.events.push({ time: iv.time, kind: 'oom', pid: e.pid, cmd: e.cmd, size, cgroup: tr?.cgroup });
        // A victim killed between two samples is known from the kernel log alone: it still matters.
        if (!tr || tr.cmd !== e.cmd) {
          this.procs.set(`oom:${e.pid}:${iv.time}`, {
            pid: e.pid, cmd: e.cmd, user: '?', first: i, sizes: [size ?? NaN], suspect: [], lastSeen: iv.time,
            fate: { kind: 'oom', time: iv.time },
          });
        }
      }
    }
  }

  private addCgroups(iv: Interval, i: number): void {
    for (const g of iv.cgroups) {
      if (g.path === '/' || g.memory === undefined) continue;
      let tr = this.cgroups.get(g.path);
      if (!tr) {
        tr = { path: g.path, first: g.memory, last: g.memory, peak: g.memory, oomKills: 0, sizes: [], start: i };
        this.cgroups.set(g.path, tr);
      }
      while (tr.start + tr.sizes.length < i) tr.sizes.push(NaN);
      tr.sizes.push(g.memory);
      tr.last = g.memory;
      if (g.memory > tr.peak) tr.peak = g.memory;
      if (g.max !== undefined && g.max !== UNLIMITED) tr.limit = g.max;
      tr.oomKills += g.oomkill ?? 0;
    }
  }

  /** A track's growth over its life: last known size less the first. */
  static growth(tr: { sizes: number[] }): number {
    const known = tr.sizes.filter((v) => !Number.isNaN(v));
    return known.length < 2 ? 0 : known.at(-1)! - known[0]!;
  }

  /** Every process that was a leak suspect at some sample, fastest first. */
  suspects(): ProcTrack[] {
    return [...this.procs.values()].filter((t) => t.suspect.length > 0).sort((a, b) => (b.maxTrate ?? 0) - (a.maxTrate ?? 0));
  }

  /**
   * The processes that mattered: the leak suspects (fastest first), the OOM
   * victims that were seen, then the largest growers, at most `max`.
   */
  mattered(max = 10): ProcTrack[] {
    const all = [...this.procs.values()];
    const chosen = new Set<ProcTrack>();
    const add = (list: ProcTrack[]) => {
      for (const tr of list) if (chosen.size < max) chosen.add(tr);
    };
    add(this.suspects().slice(0, 6));
    add(all.filter((t) => t.fate?.kind === 'oom' || t.fate?.kind === 'contained'));
    add(all.filter((t) => IncidentCollector.growth(t) >= GROWER_MIN).sort((a, b) => IncidentCollector.growth(b) - IncidentCollector.growth(a)));
    return [...chosen];
  }
}
