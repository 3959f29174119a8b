/**
 * Reads one process for the detail: status, and smaps once. smaps walks the
 * target's page tables under its mmap lock (milliseconds for a big
 * process), so it is read here only, for the one process shown, once per
 * interval: never in the list's per-sample path. Its sum is the rollup
 * (smaps_rollup would walk the page tables a second time for the same sums).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { isContainGroup, parseBytes, parseEvents, parseLimit, UNLIMITED } from '../procfs/cgroup.js';
import { parsePidStat, parseStatusMemory, PID_STAT_MAX, PID_STATUS_MAX } from '../procfs/pid.js';
import { parsePressure } from '../procfs/pressure.js';
import type { CgroupDetail, DetailReading } from '../sample.js';
import { parseSmaps, sumMappings } from '../procfs/smaps.js';
import { findMemoryHierarchy, memoryCgroupOf, readCgroupFile, type MemoryHierarchy } from './cgroups.js';
import { DAMAGED, DENIED, GONE, lastDamage, readText } from './readfile.js';

/** A mapping's smaps entry is about 1.5 KB and max_map_count 65530 by default: room for 2.5 times that. */
const SMAPS_MAX = 256 << 20;

/** Why smaps cannot be read by this user: ptrace read access is needed (proc(5)). */
export function deniedReason(proc: string, pid: number): string {
  const uid = process.getuid?.();
  return uid === 0
    ? `permission denied reading ${join(proc, String(pid), 'smaps')}`
    : `permission denied: smaps of another user's process needs root or CAP_SYS_PTRACE (memtop runs as uid ${uid})`;
}

/** The memory cgroup of a process with its limits and events; undefined without a memory hierarchy. */
export function readProcessCgroup(proc: string, h: MemoryHierarchy, pid: number): CgroupDetail | undefined {
  const g = memoryCgroupOf(pid, proc, h);
  if (!g) return undefined;
  const version = h.mount.version;
  const read = (file: string) => readCgroupFile(g.dir, file);
  const limit = (file: string) => {
    const text = read(file);
    const v = text === undefined ? undefined : parseLimit(text);
    return v === UNLIMITED ? undefined : v;
  };
  const num = (file: string) => {
    const text = read(file);
    return text === undefined ? undefined : parseBytes(text);
  };
  const events = read(version === 1 ? 'memory.oom_control' : 'memory.events');
  const out: CgroupDetail = {
    version,
    path: g.path,
    memory: num(version === 1 ? 'memory.usage_in_bytes' : 'memory.current'),
    max: limit(version === 1 ? 'memory.limit_in_bytes' : 'memory.max'),
    events: events === undefined ? {} : parseEvents(events),
    contained: isContainGroup(g.path),
  };
  if (version === 1) out.failcnt = num('memory.failcnt');
  else {
    out.high = limit('memory.high');
    const psi = read('memory.pressure');
    const p = psi === undefined ? undefined : parsePressure(psi);
    out.psiSome = p?.some.avg10;
    out.psiFull = p?.full?.avg10;
  }
  return out;
}

/** Reads one process for the detail, its cgroup included (the hierarchy is looked up once). */
export class DetailReader {
  private hierarchy: MemoryHierarchy | undefined | null = null;

  constructor(private readonly proc: string, private readonly sys: string) {}

  /** Whether each pid's executable is a Go binary: read once per pid the detail shows. */
  private readonly go = new Map<number, boolean>();

  read(pid: number, now = Date.now()): DetailReading {
    const r = readDetail(this.proc, pid, now);
    if (!r.status) return r;
    if (!this.go.has(pid)) {
      if (this.go.size > 64) this.go.clear();
      this.go.set(pid, isGoBinary(join(this.proc, String(pid), 'exe')));
    }
    r.goBinary = this.go.get(pid);
    if (this.hierarchy === null) this.hierarchy = findMemoryHierarchy(this.proc, this.sys);
    if (this.hierarchy) r.cgroup = readProcessCgroup(this.proc, this.hierarchy, pid);
    return r;
  }
}

/**
 * Go's linker puts a build-id note right after the ELF headers: namesz 4,
 * descsz, type 4, name "Go\0\0". Looked for in the first 16 KiB of the
 * executable (a regular file only: one read, never a FIFO or a device).
 */
export function isGoBinary(exe: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(exe, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(16384);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).indexOf(GO_NOTE) >= 0;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const GO_NOTE = Buffer.from([4, 0, 0, 0, 0x47, 0x6f, 0, 0]);

export function readDetail(proc: string, pid: number, now = Date.now()): DetailReading {
  const dir = join(proc, String(pid));
  const statText = readText(join(dir, 'stat'), { oneRead: true, max: PID_STAT_MAX });
  const stat = typeof statText === 'string' ? parsePidStat(statText) : undefined;
  const statusText = readText(join(dir, 'status'), { oneRead: true, max: PID_STATUS_MAX });
  const reading: DetailReading = { pid, cmd: stat?.comm ?? '', time: now };
  if (typeof statusText !== 'string') return reading;
  reading.status = parseStatusMemory(statusText);
  const smaps = readText(join(dir, 'smaps'), { max: SMAPS_MAX });
  if (smaps === DENIED) reading.smapsUnreadable = deniedReason(proc, pid);
  else if (smaps === DAMAGED) reading.smapsUnreadable = `${join(dir, 'smaps')} ${lastDamage()}`;
  else if (smaps === GONE) reading.smapsUnreadable = 'the process ended while its smaps was read';
  else {
    reading.mappings = parseSmaps(smaps);
    reading.rollup = sumMappings(reading.mappings);
  }
  return reading;
}
