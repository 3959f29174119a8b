import { readdirSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { classifyDisk, parseDiskstats } from '../procfs/diskstats.js';
import { parseLoadavg, parseUptime } from '../procfs/loadavg.js';
import { parseMeminfo } from '../procfs/meminfo.js';
import { parsePidIo, parsePidStat, parsePidStatus, type PidStatus } from '../procfs/pid.js';
import { parsePressure } from '../procfs/pressure.js';
import { netCounters, parseNetDev, parseSnmp, parseSnmp6 } from '../procfs/net.js';
import { parseSockstat } from '../procfs/sockstat.js';
import { parseStat } from '../procfs/stat.js';
import { pagingCounters, parseVmstat } from '../procfs/vmstat.js';
import type { DiskSample, ProcSample, Sample } from '../sample.js';
import { DENIED, readOptional, readText } from './readfile.js';

export interface SamplerOptions {
  /** Root of the proc filesystem (default /proc). */
  proc: string;
  /** Root of sysfs (default /sys). */
  sys: string;
  /** Clock ticks per second (USER_HZ); 100 on every Linux architecture in use. */
  hz?: number;
  pageSize?: number;
  /** Wall clock, injectable for tests and replays. */
  now?: () => number;
}

/** What the current outputs need beyond stat and status; each costs a file per process. */
export interface SampleNeeds {
  io?: boolean;
  cmdline?: boolean;
}

interface StatusCacheEntry {
  starttime: number;
  vsize: number;
  rss: number;
  minflt: number;
  majflt: number;
  status: PidStatus;
  age: number;
  /** The stat text this entry was built from, and the sample made of it (when no extra files were read). */
  statText?: string;
  sample?: ProcSample;
}

/** Status of an unchanged process is re-read at least this often (in samples). */
const STATUS_MAX_AGE = 10;

export class RootMissingError extends Error {}

/**
 * Reads the counters of a whole system from a proc root (the real /proc or a
 * fake tree). Per process it reads stat every sample, status only when stat
 * shows the process changed (or every STATUS_MAX_AGE samples), io and
 * cmdline only when asked: reading fewer files per process is the main lever
 * on a monitor's own cost.
 */
export class Sampler {
  readonly proc: string;
  readonly sys: string;
  private readonly hz: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  private statusCache = new Map<number, StatusCacheEntry>();
  private dmNames = new Map<string, string>();
  /** classifyDisk runs a table of patterns: once per device name is enough. */
  private diskClasses = new Map<string, ReturnType<typeof classifyDisk>>();
  private ifSpeeds = new Map<string, { speed: number; fullDuplex: boolean }>();
  private host: string | undefined;
  /** Facts that do not change while the system runs, read once. */
  private numaNodes: number | undefined;
  private pidMax: number | undefined;

  constructor(opts: SamplerOptions) {
    // Per-process paths are built by concatenation (path.join costs more than the reads at 2000 pids).
    this.proc = opts.proc.length > 1 ? opts.proc.replace(/\/+$/, '') : opts.proc;
    this.sys = opts.sys;
    this.hz = opts.hz ?? 100;
    this.pageSize = opts.pageSize ?? 4096;
    this.now = opts.now ?? Date.now;
    if (readOptional(join(this.proc, 'stat')) === undefined) {
      throw new RootMissingError(`cannot read ${join(this.proc, 'stat')}: not a proc root`);
    }
    const pidMax = Number(readOptional(join(this.proc, 'sys/kernel/pid_max'))?.trim());
    this.pidMax = Number.isInteger(pidMax) && pidMax > 0 ? pidMax : undefined;
    try {
      const nodes = readdirSync(join(this.sys, 'devices/system/node')).filter((n) => /^node\d+$/.test(n)).length;
      this.numaNodes = nodes > 0 ? nodes : undefined;
    } catch {
      this.numaNodes = undefined;
    }
  }

  sample(needs: SampleNeeds = {}): Sample {
    const time = this.now();
    const read = (name: string) => readOptional(join(this.proc, name)) ?? '';
    const cpu = parseStat(read('stat'));
    const mem = parseMeminfo(read('meminfo'));
    const pag = pagingCounters(parseVmstat(read('vmstat')));
    const load = parseLoadavg(read('loadavg'));
    const uptimeText = readOptional(join(this.proc, 'uptime'));
    const uptime = uptimeText !== undefined ? parseUptime(uptimeText) : cpu.btime > 0 ? time / 1000 - cpu.btime : 0;
    const procs = this.readProcesses(needs);
    return {
      time,
      host: this.hostname(),
      hz: this.hz,
      pageSize: this.pageSize,
      ncpu: Math.max(1, cpu.cpus.length),
      uptime,
      mem,
      pag,
      cpu,
      load,
      disks: this.readDisks(),
      psi: this.readPressure(),
      sock: this.readSockets(),
      net: this.readNet(),
      ifs: this.readInterfaces(),
      numaNodes: this.numaNodes,
      pidMax: this.pidMax,
      procs,
    };
  }

  private hostname(): string {
    if (this.host === undefined) {
      const fromRoot = readOptional(join(this.proc, 'sys/kernel/hostname'));
      this.host = fromRoot?.trim() || osHostname();
    }
    return this.host;
  }

  private readNet(): Sample['net'] {
    const v4 = readOptional(join(this.proc, 'net/snmp'));
    if (v4 === undefined) return undefined;
    return netCounters(parseSnmp(v4), parseSnmp6(readOptional(join(this.proc, 'net/snmp6')) ?? ''));
  }

  private readInterfaces(): Sample['ifs'] {
    const text = readOptional(join(this.proc, 'net/dev'));
    if (text === undefined) return undefined;
    return parseNetDev(text).map((d) => ({ ...d, ...this.ifSpeed(d.name) }));
  }

  /** Link speed and duplex from sysfs, read once per interface (-1 or unreadable: unknown). */
  private ifSpeed(name: string): { speed: number; fullDuplex: boolean } {
    let known = this.ifSpeeds.get(name);
    if (!known) {
      const speed = Number(readOptional(join(this.sys, 'class/net', name, 'speed'))?.trim());
      const duplex = readOptional(join(this.sys, 'class/net', name, 'duplex'))?.trim();
      known = { speed: Number.isFinite(speed) && speed > 0 ? speed : 0, fullDuplex: duplex !== 'half' };
      this.ifSpeeds.set(name, known);
    }
    return known;
  }

  private readSockets(): Sample['sock'] {
    const text = readOptional(join(this.proc, 'net/sockstat'));
    const mem = text === undefined ? undefined : parseSockstat(text);
    return mem && { tcp: mem.tcpPages * this.pageSize, udp: mem.udpPages * this.pageSize };
  }

  private readPressure(): Sample['psi'] {
    const get = (name: string) => {
      const text = readOptional(join(this.proc, 'pressure', name));
      return text === undefined ? undefined : parsePressure(text);
    };
    const cpu = get('cpu');
    const memory = get('memory');
    const io = get('io');
    return cpu || memory || io ? { cpu, memory, io } : undefined;
  }

  private readDisks(): DiskSample[] {
    const text = readOptional(join(this.proc, 'diskstats'));
    if (text === undefined) return [];
    const out: DiskSample[] = [];
    for (const d of parseDiskstats(text)) {
      let cls = this.diskClasses.get(d.name);
      if (cls === undefined) this.diskClasses.set(d.name, (cls = classifyDisk(d.name)));
      if (!cls) continue;
      // A device with no I/O since boot is never shown (atop skips it too).
      if (d.reads + d.writes === 0) continue;
      out.push({ ...d, class: cls, label: cls === 'lvm' ? this.dmName(d.name) : d.name });
    }
    return out;
  }

  /** /sys/block/dm-N/dm/name gives the LVM name (vg00-lvhome); dm-N when unknown. */
  private dmName(dev: string): string {
    let name = this.dmNames.get(dev);
    if (name === undefined) {
      name = readOptional(join(this.sys, 'block', dev, 'dm', 'name'))?.trim() || dev;
      this.dmNames.set(dev, name);
    }
    return name;
  }

  private readProcesses(needs: SampleNeeds): ProcSample[] {
    let entries: string[];
    try {
      entries = readdirSync(this.proc);
    } catch {
      return [];
    }
    const procs: ProcSample[] = [];
    const seen = new Set<number>();
    for (const entry of entries) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const dir = `${this.proc}/${entry}`;
      const statText = readText(`${dir}/stat`, true);
      if (typeof statText !== 'string') continue; // vanished between listing and reading
      // An idle process's stat does not change from one sample to the next: then its last
      // sample is still true (status included, up to STATUS_MAX_AGE), with nothing parsed or built.
      const known = this.statusCache.get(Number(entry));
      if (known?.sample && known.statText === statText && known.age < STATUS_MAX_AGE && !needs.io && !needs.cmdline) {
        known.age++;
        seen.add(known.sample.pid);
        procs.push(known.sample);
        continue;
      }
      const st = parsePidStat(statText);
      if (!st) continue;
      seen.add(st.pid);
      const status = this.statusFor(dir, st.pid, st.starttime, st.vsize, st.rss * this.pageSize, st.minflt, st.majflt);
      if (status === undefined) continue; // exited after its stat was read
      const p: ProcSample = {
        pid: st.pid,
        ppid: st.ppid,
        comm: st.comm,
        state: st.state,
        uid: status.uid,
        minflt: st.minflt,
        majflt: st.majflt,
        utime: st.utime,
        stime: st.stime,
        nice: st.nice,
        priority: st.priority,
        threads: st.threads,
        starttime: st.starttime,
        processor: st.processor,
        vsize: st.vsize,
        rss: st.rss * this.pageSize,
        vmExe: status.vmExe,
        vmLib: status.vmLib,
        vmData: status.vmData,
        vmStk: status.vmStk,
        vmLck: status.vmLck,
        vmSwap: status.vmSwap,
      };
      if (needs.io) {
        const ioText = readText(`${dir}/io`);
        const io = typeof ioText === 'string' ? parsePidIo(ioText) : undefined;
        if (io) {
          p.rddsk = io.readBytes;
          p.wrdsk = io.writeBytes;
          p.wcancl = io.cancelledWriteBytes;
        }
      }
      if (needs.cmdline) {
        const cmd = readOptional(`${dir}/cmdline`);
        if (cmd !== undefined) p.cmdline = cmd.replace(/\0+$/, '').replace(/\0/g, ' ');
      }
      procs.push(p);
      const cached = this.statusCache.get(st.pid)!;
      cached.statText = statText;
      cached.sample = needs.io || needs.cmdline ? undefined : p;
    }
    for (const pid of this.statusCache.keys()) if (!seen.has(pid)) this.statusCache.delete(pid);
    return procs;
  }

  /**
   * status changes only when the process's memory or faults do, which stat
   * already tells: reuse the last parse for a process whose stat figures
   * are unchanged. Returns undefined when the process is gone.
   */
  private statusFor(
    dir: string, pid: number, starttime: number, vsize: number, rss: number, minflt: number, majflt: number,
  ): PidStatus | undefined {
    const cached = this.statusCache.get(pid);
    if (
      cached && cached.starttime === starttime && cached.vsize === vsize && cached.rss === rss &&
      cached.minflt === minflt && cached.majflt === majflt && cached.age < STATUS_MAX_AGE
    ) {
      cached.age++;
      return cached.status;
    }
    const text = readText(`${dir}/status`, true);
    let status: PidStatus;
    if (typeof text === 'string') status = parsePidStatus(text);
    else if (text === DENIED) status = {}; // fields stay unknown, the process is still listed
    else return undefined;
    this.statusCache.set(pid, { starttime, vsize, rss, minflt, majflt, status, age: 0 });
    return status;
  }
}
