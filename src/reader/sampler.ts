import { readdirSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { classifyDisk, parseDiskstats } from '../procfs/diskstats.js';
import { parseLoadavg, parseUptime } from '../procfs/loadavg.js';
import { parseMeminfo } from '../procfs/meminfo.js';
import { parsePidIo, parsePidStat, parsePidStatus, PID_STAT_MAX, PID_STATUS_MAX, type PidStat, type PidStatus } from '../procfs/pid.js';
import { parsePressure } from '../procfs/pressure.js';
import { netCounters, parseNetDev, parseSnmp, parseSnmp6 } from '../procfs/net.js';
import { parseSockstat } from '../procfs/sockstat.js';
import { parseZramMmStat } from '../procfs/zram.js';
import { parseStat } from '../procfs/stat.js';
import { pagingCounters, parseVmstat } from '../procfs/vmstat.js';
import { isInterpreter, programOfCmdline } from '../procfs/program.js';
import { parseSmaps, parseSmapsRollup, sumMappings } from '../procfs/smaps.js';
import type { OomKill } from '../procfs/kmsg.js';
import type { DiskSample, ProcSample, Sample, SampleNeeds } from '../sample.js';
import { KernelLog } from './kmsg.js';
import { parseOpenFileLimit } from '../procfs/limits.js';
import { kernelCount, U64_LIMIT } from '../procfs/number.js';
import { CgroupReader, type CgroupReadOptions } from './cgroups.js';
import {
  DAMAGED, DENIED, GONE, isProcfs, lastDamage, memoText, OpenFiles, readText, UNCHANGED, type Memo, type ReadOptions, type ReadResult,
} from './readfile.js';
import { UserNames } from './users.js';
import { usageError } from '../messages.js';

export interface SamplerOptions {
  /** Root of the proc filesystem (default /proc). */
  proc: string;
  /** Root of sysfs (default /sys). */
  sys: string;
  /** Where container runtimes keep their state (/var/lib/docker, /var/log/pods...): `/`, or a fake tree's root. */
  stateRoot?: string;
  /** Clock ticks per second (USER_HZ); 100 on every Linux architecture in use. */
  hz?: number;
  pageSize?: number;
  /** Wall clock, injectable for tests and replays. */
  now?: () => number;
  /** Where login names come from (default /etc/passwd). */
  passwd?: string;
  /** Told once per file that is not what the kernel would hold there (a FIFO, a giant). */
  onNote?: (message: string) => void;
  /**
   * The kernel log read for OOM victims: a path (default /dev/kmsg when the
   * proc root is /proc), or false not to read one (a fake or saved tree).
   */
  kmsg?: string | false;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Most bytes the kernel writes into each file, with a wide margin: tables
 * that grow with the machine (CPUs, interrupts, devices, interfaces) get
 * megabytes, one-line files kilobytes. Anything longer is damaged.
 */
const SYSTEM_MAX: Record<string, number> = {
  stat: 16 * MiB, // a line per CPU and the intr line's count per interrupt
  diskstats: 16 * MiB,
  'net/dev': 16 * MiB,
  meminfo: 64 * KiB,
  vmstat: 64 * KiB,
  'net/snmp': 64 * KiB,
  'net/snmp6': 64 * KiB,
};
const SMALL_MAX = 4 * KiB;
/** Arguments are bounded by a quarter of the stack limit: generous, the view shows one line of it. */
const PID_CMDLINE_MAX = 4 * MiB;
/** smaps (the fallback before 4.14): about 1.5 KB per mapping, max_map_count 65530 by default. */
const PID_SMAPS_MAX = 256 * MiB;

/** What the sampler remembers of a process between samples. */
interface ProcMemory {
  /** The last sample that listed this pid. */
  seenIn: number;
  /** The stat bytes of the last read. */
  stat: Memo;
  /** stat figures the status below was read with (undefined where stat's field was unknown). */
  starttime: number | undefined;
  vsize: number | undefined;
  rss: number | undefined;
  minflt: number | undefined;
  majflt: number | undefined;
  status?: PidStatus;
  /** Samples since status was read. */
  age: number;
  /** The sample built from these stat bytes, when no extra files were read for it. */
  sample?: ProcSample;
  /** An interpreter's program (programName), and the comm and start time it was read for. */
  program?: { comm: string; starttime: number | undefined; name: string | undefined };
}

/**
 * Status of a process whose stat is unchanged is re-read at least this often
 * (in samples): mlock of resident pages changes VmLck and nothing in stat.
 * A new process starts at an age of its own (pid modulo this), so that these
 * re-reads spread over the samples instead of all falling in one.
 */
export const STATUS_MAX_AGE = 30;

/** Samples the kernel log is read for after the oom_kill counter moved. */
const OOM_POLLS = 3;

/** An OOM victim the kernel log named while its process was still listed (a zombie), and for how many samples. */
interface PendingKill {
  kill: OomKill;
  waited: number;
}

/**
 * Reads the counters of a whole system from a proc root (the real /proc or a
 * fake tree). Per process it reads stat every sample, status only when stat
 * shows the process changed (or every STATUS_MAX_AGE samples), io and
 * cmdline only when asked: reading fewer files per process, and keeping the
 * stat files open between samples (on procfs), are the main levers on a
 * monitor's own cost.
 */
export class Sampler {
  readonly proc: string;
  readonly sys: string;
  private readonly hz: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  private known = new Map<number, ProcMemory>();
  private pidBuffer = new Uint32Array(1024);
  private samples = 0;
  private dmNames = new Map<string, string>();
  /** classifyDisk runs a table of patterns: once per device name is enough. */
  private diskClasses = new Map<string, ReturnType<typeof classifyDisk>>();
  private ifSpeeds = new Map<string, { speed: number; fullDuplex: boolean }>();
  private host: string | undefined;
  private readonly userNames: UserNames;
  /** Facts that do not change while the system runs, read once. */
  private numaNodes: number | undefined;
  private pidMax: number | undefined;
  /** The system files by name and each process's stat by pid, kept open on a real procfs. */
  private readonly systemFiles: OpenFiles<string>;
  private readonly statFiles: OpenFiles<number>;
  /** Made at the first sample that needs the cgroup tree. */
  private cgroupReader: CgroupReader | undefined;
  private readonly cgroupFdLimit: number;
  /** How the per-process files are read (trusted on a real procfs: no type check). */
  private readonly statusRead: ReadOptions;
  private readonly ioRead: ReadOptions;
  private readonly cmdlineRead: ReadOptions;
  private readonly smapsRead: ReadOptions;
  private readonly onNote: (message: string) => void;
  /** Damaged files already told about: one note each. */
  private readonly noted = new Set<string>();
  /** Where OOM victims are named; undefined when not read. */
  private readonly kernelLog: KernelLog | undefined;
  private pendingKills: PendingKill[] = [];
  private startUptime: number | undefined;
  private oomCount = 0;
  private readonly stateRoot: string;
  /** Whether the sys root has KSM: unknown before the first sample, which finds out. */
  private hasKsm: boolean | undefined;
  /** zram devices that have done I/O, from the last diskstats. */
  private zramDevices: string[] = [];
  private oomPolls = 0;

  constructor(opts: SamplerOptions) {
    // Per-process paths are built by concatenation (path.join costs more than the reads at 2000 pids).
    this.proc = opts.proc.length > 1 ? opts.proc.replace(/\/+$/, '') : opts.proc;
    this.sys = opts.sys;
    this.stateRoot = opts.stateRoot ?? '/';
    this.hz = opts.hz ?? 100;
    this.pageSize = opts.pageSize ?? 4096;
    this.now = opts.now ?? Date.now;
    this.userNames = new UserNames(opts.passwd);
    this.onNote = opts.onNote ?? (() => {});
    const kmsg = opts.kmsg ?? (this.proc === '/proc' ? '/dev/kmsg' : false);
    this.kernelLog = kmsg === false ? undefined : new KernelLog(kmsg);
    const stat = this.optional(join(this.proc, 'stat'), { max: SYSTEM_MAX.stat });
    if (stat === undefined) {
      throw usageError(`cannot read ${join(this.proc, 'stat')}: not a proc root (give --proc a directory like /proc)`);
    }
    // /proc/self (or /proc/PID) has a stat too, one process's: its figures would all read as zero.
    // The kernel's /proc/stat starts with the cpu line; a process's starts with its pid, and its
    // command name may hold a newline and "cpu " (prctl PR_SET_NAME), so no later line counts.
    if (!/^cpu\s/.test(stat)) {
      throw usageError(`${join(this.proc, 'stat')} does not start with a cpu line: ${this.proc} is not a proc root (a process's directory?)`);
    }
    const pidMax = Number(this.optional(join(this.proc, 'sys/kernel/pid_max'))?.trim());
    this.pidMax = Number.isInteger(pidMax) && pidMax > 0 ? pidMax : undefined;
    // Half of this process's fd limit may stay open on stat files; the rest is left for
    // the terminal, logs and sockets. Past it, stat files are opened and closed each time.
    const procfs = isProcfs(this.proc);
    const trusted = procfs;
    const fdLimit = parseOpenFileLimit(this.optional('/proc/self/limits', { max: 64 * KiB }) ?? '') ?? 1024;
    const systemRead = new Map(Object.entries(SYSTEM_MAX).map(([name, max]) => [name, { max, trusted }]));
    const smallRead: ReadOptions = { max: SMALL_MAX, trusted };
    this.systemFiles = new OpenFiles((name) => `${this.proc}/${name}`, procfs ? Infinity : 0, (name) => systemRead.get(name) ?? smallRead);
    const statRead: ReadOptions = { oneRead: true, max: PID_STAT_MAX, trusted };
    this.statFiles = new OpenFiles(
      (pid) => `${this.proc}/${pid}/stat`, procfs ? Math.floor(Math.min(fdLimit, 1 << 20) / 2) : 0, () => statRead,
    );
    this.statusRead = { oneRead: true, max: PID_STATUS_MAX, trusted };
    this.ioRead = { max: SMALL_MAX, trusted };
    this.cmdlineRead = { max: PID_CMDLINE_MAX, trusted };
    this.smapsRead = { max: PID_SMAPS_MAX, trusted };
    // A quarter of the fd limit for the cgroup files (about one per group; all of a group's when it changes).
    this.cgroupFdLimit = Math.floor(Math.min(fdLimit, 1 << 20) / 4);
    try {
      const nodes = readdirSync(join(this.sys, 'devices/system/node')).filter((n) => /^node\d+$/.test(n)).length;
      this.numaNodes = nodes > 0 ? nodes : undefined;
    } catch {
      this.numaNodes = undefined;
    }
  }

  /** Gives back the fds kept open; the sampler still works after, opening files again. */
  close(): void {
    this.systemFiles.closeAll();
    this.statFiles.closeAll();
    this.cgroupReader?.close();
  }

  /** A file of the proc root read every sample (stat, meminfo, net/dev...): undefined when unreadable. */
  private systemFile(name: string): string | undefined {
    const r = this.systemFiles.read(name);
    if (r === DAMAGED) this.damaged(`${this.proc}/${name}`);
    return typeof r === 'string' ? r : undefined;
  }

  /** A file read once or seldom (sysfs, kernel settings): its text, or undefined. */
  private optional(path: string, opts: ReadOptions = { max: SMALL_MAX }): string | undefined {
    return this.checked(path, readText(path, opts));
  }

  /** The text of a read, noting a damaged file. */
  private checked(path: string, r: ReadResult): string | undefined {
    if (r === DAMAGED) this.damaged(path);
    return typeof r === 'string' ? r : undefined;
  }

  /** One note per damaged file: its figures are unknown from now on, which the note explains. */
  private damaged(path: string, what = `${lastDamage()}: its figures are unknown`): void {
    if (this.noted.has(path)) return;
    this.noted.add(path);
    this.onNote(`${path} ${what}`);
  }

  /** Pages as bytes; unknown stays unknown, as does a count whose bytes would pass 2^64. */
  private bytesOf(pages: number | undefined): number | undefined {
    return pages !== undefined && pages <= U64_LIMIT / this.pageSize ? pages * this.pageSize : undefined;
  }

  sample(needs: SampleNeeds = {}): Sample {
    const time = this.now();
    const read = (name: string) => this.systemFile(name) ?? '';
    const cpu = parseStat(read('stat'));
    const mem = parseMeminfo(read('meminfo'));
    const pag = pagingCounters(parseVmstat(read('vmstat')));
    const load = parseLoadavg(read('loadavg'));
    const uptimeText = this.systemFile('uptime');
    const uptime = uptimeText !== undefined ? parseUptime(uptimeText) : cpu.btime > 0 ? time / 1000 - cpu.btime : 0;
    // The kernel log before the processes: a victim it names is dead by now, a zombie at most.
    const kills = this.oomKills(pag.oomkill, uptime);
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
      ...this.readCompression(mem),
      net: this.readNet(),
      ifs: this.readInterfaces(),
      numaNodes: this.numaNodes,
      pidMax: this.pidMax,
      cgroups: needs.cgroups ? this.readCgroups(needs.cgroups) : undefined,
      users: this.userNames.namesFor(procs),
      procs,
      oomKills: kills || this.pendingKills.length > 0 ? this.goneVictims(kills ?? [], procs) : undefined,
    };
  }

  private readCgroups(opts: boolean | CgroupReadOptions): Sample['cgroups'] {
    this.cgroupReader ??= new CgroupReader({ proc: this.proc, sys: this.sys, keepOpen: this.cgroupFdLimit, stateRoot: this.stateRoot });
    return this.cgroupReader.read(typeof opts === 'object' ? opts : {}) ?? null;
  }

  /**
   * OOM victims to report with this sample: those no longer listed (a
   * victim still a zombie waits for the sample its process is gone from, so
   * the model finds it among the exited). A victim waits at most 10 samples.
   */
  /**
   * The kernel log is read for victims only after the oom_kill counter
   * moved (and for OOM_POLLS samples after, as the kernel counts a kill
   * before it logs it); on kernels without the counter, every sample.
   * Kills logged before memtop started are not news.
   */
  private oomKills(counter: number, uptime: number): OomKill[] | undefined {
    if (!this.kernelLog) return undefined;
    if (this.startUptime === undefined) {
      this.startUptime = uptime;
      this.oomCount = counter;
      if (counter >= 0) return undefined;
    }
    if (counter < 0 || counter > this.oomCount) this.oomPolls = OOM_POLLS;
    this.oomCount = counter;
    if (this.oomPolls === 0) return undefined;
    this.oomPolls--;
    return this.kernelLog.oomKills(this.startUptime);
  }

  private goneVictims(kills: OomKill[], procs: readonly ProcSample[]): OomKill[] {
    for (const kill of kills) this.pendingKills.push({ kill, waited: 0 });
    if (this.pendingKills.length === 0) return [];
    const listed = new Set(procs.map((p) => p.pid));
    const gone: OomKill[] = [];
    this.pendingKills = this.pendingKills.filter((w) => {
      if (listed.has(w.kill.pid) && w.waited++ < 10) return true;
      gone.push(w.kill);
      return false;
    });
    return gone;
  }

  private hostname(): string {
    if (this.host === undefined) {
      const fromRoot = this.optional(join(this.proc, 'sys/kernel/hostname'));
      this.host = fromRoot?.trim() || osHostname();
    }
    return this.host;
  }

  private readNet(): Sample['net'] {
    const v4 = this.systemFile('net/snmp');
    if (v4 === undefined) return undefined;
    return netCounters(parseSnmp(v4), parseSnmp6(this.systemFile('net/snmp6') ?? ''));
  }

  private readInterfaces(): Sample['ifs'] {
    const text = this.systemFile('net/dev');
    if (text === undefined) return undefined;
    return parseNetDev(text).map((d) => ({ ...d, ...this.ifSpeed(d.name) }));
  }

  /** Link speed and duplex from sysfs, read once per interface (-1 or unreadable: unknown). */
  private ifSpeed(name: string): { speed: number; fullDuplex: boolean } {
    let known = this.ifSpeeds.get(name);
    if (!known) {
      const speed = Number(this.optional(join(this.sys, 'class/net', name, 'speed'))?.trim());
      const duplex = this.optional(join(this.sys, 'class/net', name, 'duplex'))?.trim();
      known = { speed: Number.isFinite(speed) && speed > 0 ? speed : 0, fullDuplex: duplex !== 'half' };
      this.ifSpeeds.set(name, known);
    }
    return known;
  }

  private readSockets(): Sample['sock'] {
    const text = this.systemFile('net/sockstat');
    const mem = text === undefined ? undefined : parseSockstat(text);
    return mem && { tcp: mem.tcpPages * this.pageSize, udp: mem.udpPages * this.pageSize };
  }

  /**
   * KSM, zram and zswap (`ksm`, `zram`, `zswap` of the sample): two small
   * sysfs reads where the kernel has KSM (found at the first sample), one per
   * zram device that has done I/O (from diskstats, read anyway), one where
   * meminfo has Zswap: 50 us a sample for the four reads on the loaded 2-core test machine.
   */
  private readCompression(mem: Sample['mem']): Pick<Sample, 'ksm' | 'zram' | 'zswap'> {
    const out: Pick<Sample, 'ksm' | 'zram' | 'zswap'> = {};
    if (this.hasKsm !== false) {
      const pages = (name: string) => kernelCount(this.optional(join(this.sys, 'kernel/mm/ksm', name))?.trim());
      const shared = this.bytesOf(pages('pages_shared'));
      const sharing = this.bytesOf(pages('pages_sharing'));
      this.hasKsm ??= shared !== undefined;
      if (shared !== undefined && sharing !== undefined) out.ksm = { shared, sharing };
    }
    let zram: Sample['zram'];
    for (const dev of this.zramDevices) {
      const text = this.optional(join(this.sys, 'block', dev, 'mm_stat'));
      const st = text === undefined ? undefined : parseZramMmStat(text);
      if (!st) continue;
      zram ??= { orig: 0, compr: 0, used: 0 };
      zram.orig += st.origData;
      zram.compr += st.comprData;
      zram.used += st.memUsed;
    }
    if (zram) out.zram = zram;
    if (mem.Zswap !== undefined) {
      const on = this.optional(join(this.sys, 'module/zswap/parameters/enabled'))?.trim();
      if (on !== undefined) out.zswap = on === 'Y' || on === '1';
    }
    return out;
  }

  private readPressure(): Sample['psi'] {
    const get = (name: string) => {
      const text = this.systemFile(`pressure/${name}`);
      return text === undefined ? undefined : parsePressure(text);
    };
    const cpu = get('cpu');
    const memory = get('memory');
    const io = get('io');
    return cpu || memory || io ? { cpu, memory, io } : undefined;
  }

  private readDisks(): DiskSample[] {
    const text = this.systemFile('diskstats');
    if (text === undefined) return [];
    const out: DiskSample[] = [];
    this.zramDevices = [];
    for (const d of parseDiskstats(text)) {
      if (/^zram\d+$/.test(d.name) && d.reads + d.writes > 0) this.zramDevices.push(d.name);
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
      name = this.optional(join(this.sys, 'block', dev, 'dm', 'name'))?.trim() || dev;
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
    const now = ++this.samples;
    const reuse = !needs.io && !needs.cmdline && !needs.pss;
    const procs: ProcSample[] = [];
    for (const pid of this.pidsOf(entries)) {
      let mem = this.known.get(pid);
      const isNew = mem === undefined;
      mem ??= { seenIn: 0, stat: { length: 0 }, starttime: -1, vsize: 0, rss: 0, minflt: 0, majflt: 0, age: 0 };
      const read = this.statFiles.read(pid, mem.stat);
      if (read === DAMAGED) this.damaged(`${this.proc}/${pid}/stat`);
      if (read === GONE || read === DENIED || read === DAMAGED) continue; // vanished between listing and reading
      if (isNew) this.known.set(pid, mem);
      // An idle process's stat does not change from one sample to the next: then its last
      // sample is still true (status included, up to STATUS_MAX_AGE), with nothing parsed or built.
      if (read === UNCHANGED && mem.sample && reuse && mem.age < STATUS_MAX_AGE) {
        mem.age++;
        mem.seenIn = now;
        procs.push(mem.sample);
        continue;
      }
      // The memo now holds bytes the kept sample was not built from (or the sample needs io/cmdline).
      mem.sample = undefined;
      const text = read === UNCHANGED ? memoText(mem.stat) : read;
      const st = parsePidStat(text);
      if (!st) {
        // An empty read is a process that exited meanwhile; other text is no stat line.
        if (text !== '') this.damaged(`${this.proc}/${pid}/stat`, 'is not a stat line: the process is left out');
        continue;
      }
      const dir = `${this.proc}/${pid}`;
      const status = this.statusOf(mem, dir, st, isNew);
      if (status === undefined) continue; // exited after its stat was read
      mem.seenIn = now;
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
        rss: this.bytesOf(st.rss),
        vmExe: status.vmExe,
        vmLib: status.vmLib,
        vmData: status.vmData,
        vmStk: status.vmStk,
        vmLck: status.vmLck,
        vmSwap: status.vmSwap,
        rssAnon: status.rssAnon,
      };
      if (needs.io) {
        const ioText = this.checked(`${dir}/io`, readText(`${dir}/io`, this.ioRead));
        const io = ioText !== undefined ? parsePidIo(ioText) : undefined;
        if (io) {
          p.rddsk = io.readBytes;
          p.wrdsk = io.writeBytes;
          p.wcancl = io.cancelledWriteBytes;
        }
      }
      let raw: string | undefined;
      if (needs.cmdline) {
        raw = this.checked(`${dir}/cmdline`, readText(`${dir}/cmdline`, this.cmdlineRead));
        if (raw !== undefined) p.cmdline = raw.replace(/\0+$/, '').replace(/\0/g, ' ');
      }
      // An interpreter's program, from its command line: read once per process (again after an exec
      // changes its comm), and only for interpreters' comms: one small read per new node or python.
      if (isInterpreter(st.comm)) {
        const known = mem.program;
        if (!known || known.comm !== st.comm || known.starttime !== st.starttime) {
          raw ??= this.checked(`${dir}/cmdline`, readText(`${dir}/cmdline`, this.cmdlineRead));
          mem.program = { comm: st.comm, starttime: st.starttime, name: raw === undefined ? undefined : programOfCmdline(raw) };
        }
        if (mem.program?.name !== undefined) p.program = mem.program.name;
      }
      if (needs.pss) p.pss = this.pssOf(dir);
      procs.push(p);
      mem.sample = reuse ? p : undefined;
    }
    this.known.forEach((mem, pid) => mem.seenIn !== now && this.known.delete(pid));
    this.statFiles.retain((pid) => this.known.has(pid));
    return procs;
  }

  /**
   * PSIZE: Pss from smaps_rollup (4.14+), else summed over smaps; undefined
   * when neither can be read (another user's process without root: `?`, never 0).
   */
  private pssOf(dir: string): number | undefined {
    const rollup = readText(`${dir}/smaps_rollup`, this.smapsRead);
    if (typeof rollup === 'string') return parseSmapsRollup(rollup)?.pss;
    if (rollup !== GONE) {
      this.checked(`${dir}/smaps_rollup`, rollup); // denied, damaged: unknown
      return undefined;
    }
    const smaps = this.checked(`${dir}/smaps`, readText(`${dir}/smaps`, this.smapsRead));
    return smaps === undefined ? undefined : sumMappings(parseSmaps(smaps)).pss;
  }

  /**
   * The numeric entries of /proc in ascending order. readdir (libuv's
   * scandir) sorts names as strings, "10" before "9"; in numeric order the
   * model pairs two samples' processes in one walk instead of a Map.
   */
  private pidsOf(entries: string[]): Uint32Array {
    if (this.pidBuffer.length < entries.length) this.pidBuffer = new Uint32Array(entries.length * 2);
    let n = 0;
    for (const entry of entries) {
      const c = entry.charCodeAt(0);
      if (c >= 48 && c <= 57) this.pidBuffer[n++] = Number(entry);
    }
    return this.pidBuffer.subarray(0, n).sort();
  }

  /**
   * status changes only when the process's memory or faults do, which stat
   * already tells: reuse the last parse for a process whose stat figures
   * are unchanged. Returns undefined when the process is gone.
   */
  private statusOf(mem: ProcMemory, dir: string, st: PidStat, isNew: boolean): PidStatus | undefined {
    const rss = this.bytesOf(st.rss);
    if (
      mem.status && mem.starttime === st.starttime && mem.vsize === st.vsize && mem.rss === rss &&
      mem.minflt === st.minflt && mem.majflt === st.majflt && mem.age < STATUS_MAX_AGE
    ) {
      mem.age++;
      return mem.status;
    }
    const text = readText(`${dir}/status`, this.statusRead);
    let status: PidStatus;
    if (typeof text === 'string') status = parsePidStatus(text);
    else if (text === DENIED || text === DAMAGED) {
      if (text === DAMAGED) this.damaged(`${dir}/status`);
      status = {}; // fields stay unknown, the process is still listed
    } else return undefined;
    mem.starttime = st.starttime;
    mem.vsize = st.vsize;
    mem.rss = rss;
    mem.minflt = st.minflt;
    mem.majflt = st.majflt;
    mem.status = status;
    mem.age = isNew ? st.pid % STATUS_MAX_AGE : 0;
    return status;
  }
}
