/**
 * The one writer of fake /proc trees: the texts of the kernel's files in the
 * kernel's own layout (column widths, field order), and the writing of a
 * tree. The tests' moments (test/helpers/trees.ts, the Prometheus tests'
 * FakeRoot, the case study's fixtures/case-study/generate.ts) describe a
 * machine in their own terms and build their files with these.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Files = Record<string, string>;

/** Writes a tree of files ({ 'meminfo': '...', '42/stat': '...' }) into `dir` (a new temp dir by default). */
export function makeTree(files: Files, dir = mkdtempSync(join(tmpdir(), 'memtop-test-'))): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** /proc/meminfo: "MemTotal:        3985408 kB", in the given order. */
export function meminfoText(kb: Record<string, number> | [string, number][]): string {
  const rows = Array.isArray(kb) ? kb : Object.entries(kb);
  return rows.map(([k, v]) => `${(k + ':').padEnd(16)}${String(v).padStart(8)} kB\n`).join('');
}

/** /proc/vmstat: "name value" lines. */
export function vmstatText(counters: Record<string, number>): string {
  return Object.entries(counters).map(([k, v]) => `${k} ${v}\n`).join('');
}

/**
 * /proc/stat: the summed cpu line, one line per CPU (ticks in the kernel's
 * order: user nice system idle iowait irq softirq ...), then the other
 * lines as given ({ ctxt: 5000 } -> "ctxt 5000").
 */
export function statText(total: number[], perCpu: number[][], rest: Record<string, string | number>): string {
  return [
    `cpu  ${total.join(' ')}`,
    ...perCpu.map((t, i) => `cpu${i} ${t.join(' ')}`),
    ...Object.entries(rest).map(([k, v]) => `${k} ${v}`),
  ].join('\n') + '\n';
}

/** One /proc/diskstats line: major, minor, name, then the counters (14 fields before 4.18, 18 or 20 after). */
export function diskstatsLine(major: number, minor: number, name: string, counters: number[]): string {
  return `${String(major).padStart(4)} ${String(minor).padStart(7)} ${name} ${counters.join(' ')}`;
}

/** The figures of /proc/PID/stat a test sets; the rest are what an idle user process shows. */
export interface PidStat {
  pid: number;
  comm: string;
  state?: string;
  ppid?: number;
  /** Kernel threads have PF_KTHREAD (0x200000) among their flags. */
  flags?: number;
  minflt?: number;
  majflt?: number;
  /** Clock ticks. */
  utime?: number;
  stime?: number;
  priority?: number;
  nice?: number;
  threads?: number;
  /** Clock ticks after boot. */
  starttime?: number;
  /** Bytes. */
  vsize?: number;
  /** Pages. */
  rss?: number;
  processor?: number;
}

/** /proc/PID/stat as proc(5) lays it out, fields 1 to 44. */
export function pidStatLine(p: PidStat): string {
  const f: (string | number)[] = [
    p.pid, `(${p.comm})`, p.state ?? 'S', p.ppid ?? 1, p.pid, p.pid, 0, -1, p.flags ?? 4194560,
    p.minflt ?? 0, 0, p.majflt ?? 0, 0, p.utime ?? 0, p.stime ?? 0, 0, 0, p.priority ?? 20, p.nice ?? 0, p.threads ?? 1, 0,
    p.starttime ?? 100, p.vsize ?? 0, p.rss ?? 0, '18446744073709551615', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17,
    p.processor ?? 0, 0, 0, 0, 0, 0,
  ];
  return f.join(' ') + '\n';
}

/** The lines of /proc/PID/status a test sets. */
export interface PidStatus {
  name: string;
  pid: number;
  ppid?: number;
  uid?: number;
  /** Vm* and other "kB" lines in the order given (kernel threads have none). */
  kb?: [string, number][];
  threads?: number;
}

/** /proc/PID/status: a newline in the name is written as the kernel escapes it. */
export function pidStatusText(s: PidStatus): string {
  const uid = s.uid ?? 1000;
  const head =
    `Name:\t${s.name.replace(/\n/g, '\\n')}\nState:\tS (sleeping)\nTgid:\t${s.pid}\nPid:\t${s.pid}\nPPid:\t${s.ppid ?? 1}\n` +
    `TracerPid:\t0\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
  const kb = (s.kb ?? []).map(([k, v]) => `${k}:\t${String(v).padStart(8)} kB\n`).join('');
  return `${head}${kb}Threads:\t${s.threads ?? 1}\n`;
}
