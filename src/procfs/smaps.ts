/**
 * /proc/PID/smaps and /proc/PID/smaps_rollup: where a process's memory is,
 * mapping by mapping. Pure: text in, bytes out.
 *
 * Both files are a header line per mapping ("start-end perms offset dev
 * inode [name]") followed by "Key:  N kB" lines; smaps_rollup (4.14+) is one
 * such record, the sum over all mappings, named [rollup]. Fields come and go
 * with the kernel (Anonymous 2.6.34, SwapPss 4.3, Pss_Anon/File/Shmem 5.x),
 * so a field the kernel did not write stays undefined, never 0.
 */

/** What a mapping is, as the detail groups them. */
export type MappingKind = 'heap' | 'anon' | 'stack' | 'file' | 'shmem' | 'special';

export interface SmapsCounts {
  /** Bytes; undefined when the kernel did not write the field. */
  size?: number;
  rss?: number;
  pss?: number;
  pssAnon?: number;
  pssFile?: number;
  pssShmem?: number;
  sharedClean?: number;
  sharedDirty?: number;
  privateClean?: number;
  privateDirty?: number;
  anonymous?: number;
  swap?: number;
  swapPss?: number;
  locked?: number;
}

export interface Mapping extends SmapsCounts {
  /** Start address, as the kernel wrote it (hex). */
  start: string;
  perms: string;
  inode: number;
  /** The path or special name ([heap], [stack], /SYSV... (deleted)); '' for an anonymous mapping. */
  name: string;
}

const FIELDS: Record<string, keyof SmapsCounts> = {
  Size: 'size',
  Rss: 'rss',
  Pss: 'pss',
  Pss_Anon: 'pssAnon',
  Pss_File: 'pssFile',
  Pss_Shmem: 'pssShmem',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Anonymous: 'anonymous',
  Swap: 'swap',
  SwapPss: 'swapPss',
  Locked: 'locked',
};

/** A header line starts with "hex-hex "; field lines start with a capitalised key and a colon. */
const HEADER = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ (\d+)\s*(.*)$/;

/** Adds one "Key:  N kB" line to `into`; lines of no interest (VmFlags, THPeligible) are skipped. */
function addField(line: string, into: SmapsCounts): void {
  const colon = line.indexOf(':');
  if (colon < 0) return;
  const key = FIELDS[line.slice(0, colon)];
  if (!key) return;
  const value = parseInt(line.slice(colon + 1), 10);
  if (Number.isFinite(value)) into[key] = (into[key] ?? 0) + value * 1024;
}

/** Every mapping of /proc/PID/smaps in address order. Text that is not smaps gives an empty list. */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let current: Mapping | undefined;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol);
    pos = eol + 1;
    const c = line.charCodeAt(0);
    // Field keys start with an upper-case letter; addresses with a hex digit (a-f lower case).
    if (c >= 65 && c <= 90) {
      if (current) addField(line, current);
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) continue;
    current = { start: m[1]!, perms: m[2]!, inode: Number(m[3]), name: m[4]!.trim() };
    out.push(current);
  }
  return out;
}

/** /proc/PID/smaps_rollup: the sums over all mappings; undefined for text that is not a rollup. */
export function parseSmapsRollup(text: string): SmapsCounts | undefined {
  const [rollup] = parseSmaps(text);
  if (!rollup || rollup.rss === undefined) return undefined;
  const { start: _s, perms: _p, inode: _i, name: _n, size: _z, ...counts } = rollup;
  return counts;
}

/** The rollup computed from smaps, for kernels before 4.14 (no smaps_rollup). */
export function sumMappings(maps: readonly Mapping[]): SmapsCounts {
  const sum: SmapsCounts = {};
  for (const m of maps) {
    for (const key of Object.values(FIELDS)) {
      if (key === 'size') continue;
      const v = m[key];
      if (v !== undefined) sum[key] = (sum[key] ?? 0) + v;
    }
  }
  return sum;
}

/** Names the kernel gives shared memory: SysV segments, POSIX shm, memfd, shared anonymous (/dev/zero), named shared anon. */
function isShmem(name: string): boolean {
  return name.startsWith('/SYSV') || name.startsWith('/dev/shm/') || name.startsWith('/memfd:') ||
    name.startsWith('/dev/zero') || name.startsWith('[anon_shmem:');
}

/**
 * What a mapping is. Names decide first (a SysV segment has inode 0, a
 * shared anonymous mapping a non-zero one), then: a nameless mapping is
 * anonymous (glibc's large mallocs and thread arenas), a path a file.
 */
export function mappingKind(m: Pick<Mapping, 'name'>): MappingKind {
  const name = m.name;
  if (name === '') return 'anon';
  if (name === '[heap]') return 'heap';
  // [stack:TID]: thread stacks as 3.4-4.4 kernels named them.
  if (name === '[stack]' || name.startsWith('[stack:')) return 'stack';
  if (isShmem(name)) return 'shmem';
  // [anon:NAME]: an anonymous mapping named with prctl(PR_SET_VMA_ANON_NAME), 5.17+.
  if (name.startsWith('[anon:')) return 'anon';
  if (name.startsWith('[')) return 'special';
  return 'file';
}

/**
 * The name a mapping is grouped under: every nameless anonymous mapping is
 * one group ([anon]), thread stacks join [stack], every file, named
 * anonymous region, shared memory segment and special is its own group.
 */
export function mappingGroup(m: Pick<Mapping, 'name'>, kind: MappingKind): string {
  if (kind === 'anon' && m.name === '') return '[anon]';
  if (kind === 'stack') return '[stack]';
  if (m.name === '/dev/zero (deleted)') return '[shared anon]';
  return m.name;
}
