/**
 * `memtop --stacks PID [--for DURATION]`, and the screen's trace key: which
 * code holds the memory a running process allocated during the trace and did
 * not free. bpftrace attaches the probes of trace/script.ts to the
 * allocator the process maps (its libc, a jemalloc/tcmalloc/mimalloc, or
 * the executable itself when that defines malloc), memtop reads the
 * outstanding stacks back and names their frames (reader/symbols.ts).
 *
 * Nothing is left behind: bpftrace's probes live as long as its file
 * descriptors, so they go when it exits; it is stopped with SIGINT at the
 * end (it runs END, prints, detaches), on a stop, on memtop's SIGINT or
 * SIGTERM, and it is started under `setpriv --pdeathsig KILL`, so the
 * kernel kills it when memtop dies, even by SIGKILL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import type { Config } from '../config.js';
import { MemtopError } from '../messages.js';
import { parseMaps, type MapRange } from '../procfs/maps.js';
import { definedFunctions, isGoBinary, symbolise } from '../reader/symbols.js';
import { parseTraceOutput, traceEvent } from '../trace/output.js';
import { groupStacks, reportJson, stackAddresses, type StacksReport } from '../trace/report.js';
import { runtimeLines } from '../trace/runtime.js';
import { ALLOC_FUNCS, FREE_FUNCS, stacksScript, SYSTEM_WIDE_COST, type AllocatorModule } from '../trace/script.js';
import { stacksLines } from '../output/stacks.js';
import { StdoutSink } from './stdout.js';

/** Seconds a trace runs when not told. */
export const DEFAULT_TRACE_SECONDS = 30;
/** Auto sampling keeps the recorded allocations near this rate (a recorded one costs a stack walk and map updates). */
export const TARGET_RATE = 20000;
/** Allocations at least this large are always recorded (never sampled). */
export const BIG_BYTES = 64 * 1024;

export interface TraceOptions {
  pid: number;
  seconds: number;
  /** 0: sample automatically; 1: every allocation; N: one in N. */
  every: number;
  proc: string;
}

export type TraceProgress =
  | { phase: 'attaching' }
  | { phase: 'tracing'; elapsed: number; seconds: number; every: number }
  | { phase: 'reading' };

const refuse = (line: string) => new MemtopError(line);

/** A command on PATH (as spawn would find it). */
export function onPath(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const f = join(dir, cmd);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Effective capabilities of memtop itself (CapEff of /proc/self/status). */
function effectiveCaps(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
const has = (caps: bigint, cap: bigint) => (caps >> cap) & 1n;

/** tracefs where bpftrace looks; mounted when missing (root only), else a refusal. */
function ensureTracefs(): void {
  if (existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events')) return;
  const r = spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync('/sys/kernel/tracing/events')) return;
  throw refuse(`tracefs is not mounted at /sys/kernel/tracing and memtop could not mount it (${(r.stderr || String(r.error ?? '')).trim().split('\n')[0] || 'mount failed'}): mount -t tracefs nodev /sys/kernel/tracing`);
}

/** The kernel's initial pid namespace has this fixed inode (PROC_PID_INIT_INO). */
const INIT_PID_NS = 'pid:[4026531836]';

/**
 * memtop runs in a pid namespace below the host's. NSpid alone misses it under a /proc mounted in that
 * namespace (`unshare --pid --fork --mount-proc`: NSpid then lists the inner pid only), the namespace's
 * inode does not.
 */
function inChildPidNamespace(): boolean {
  try {
    return readlinkSync('/proc/self/ns/pid') !== INIT_PID_NS;
  } catch {
    return false;
  }
}

/** The refusal for /sys/kernel/security/lockdown's text ("none integrity [confidentiality]"), if it is one. */
export function lockdownRefusal(text: string): string | undefined {
  return /\[confidentiality\]/.test(text) ? 'the kernel is locked down (confidentiality): it forbids bpf programs to read user memory' : undefined;
}

/** The checks before anything is attached; each failure is one line. */
export function checkCanTrace(pid: number, proc: string): { cmd: string } {
  if (pid === 1 || pid === process.pid) throw refuse(`memtop does not trace ${pid === 1 ? 'pid 1 (init)' : 'itself'}`);
  const stat = (() => {
    try {
      return readFileSync(join(proc, String(pid), 'stat'), 'utf8');
    } catch {
      return undefined;
    }
  })();
  if (stat === undefined) throw refuse(`no process ${pid}`);
  const cmd = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
  if (flags & 0x00200000) throw refuse(`${pid} (${cmd}) is a kernel thread: it has no user-space allocations to trace`);
  const caps = effectiveCaps();
  if (process.getuid?.() !== 0 && !(has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON)))) {
    throw refuse('--stacks needs root (or CAP_BPF and CAP_PERFMON): the kernel lets only them attach uprobes');
  }
  if (!onPath('bpftrace')) throw refuse('--stacks needs bpftrace, which is not installed (Debian/Ubuntu: apt install bpftrace)');
  const lockdown = (() => {
    try {
      return readFileSync('/sys/kernel/security/lockdown', 'utf8');
    } catch {
      return '';
    }
  })();
  const locked = lockdownRefusal(lockdown);
  if (locked) throw refuse(locked);
  const nspid = /^NSpid:\s*(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]?.trim().split(/\s+/) ?? [];
  if (nspid.length > 1 || inChildPidNamespace()) throw refuse('memtop runs in a pid namespace of its own: bpftrace names processes by the host\'s pids; run memtop --stacks in the host\'s namespace');
  ensureTracefs();
  return { cmd };
}

const ALLOCATOR_LIB = /^lib(c|jemalloc|tcmalloc(_minimal)?|mimalloc)[-.]/;

/**
 * The modules whose allocator the process can call: its libc and any
 * jemalloc/tcmalloc/mimalloc it maps, and the executable when it defines
 * malloc itself (statically linked, or its own allocator). Each entry
 * point once by address (glibc's aliases share one).
 */
export function allocatorModules(maps: readonly MapRange[], exe: string): AllocatorModule[] {
  const text = new Map<string, Array<[bigint, bigint]>>();
  for (const m of maps) {
    if (!m.path.startsWith('/') || !m.perms.includes('x')) continue;
    let t = text.get(m.path);
    if (!t) text.set(m.path, (t = []));
    t.push([m.start, m.end]);
  }
  const out: AllocatorModule[] = [];
  for (const [path, ranges] of text) {
    if (!(ALLOCATOR_LIB.test(basename(path)) || path === exe)) continue;
    const defined = definedFunctions(path);
    if (!defined.has('malloc')) continue;
    const seen = new Set<bigint>();
    const funcs = [...ALLOC_FUNCS, ...FREE_FUNCS].filter((f) => {
      const a = defined.get(f);
      if (a === undefined || seen.has(a)) return false;
      seen.add(a);
      return true;
    });
    out.push({ path, funcs, text: ranges });
  }
  return out;
}

/** One trace of a process: start(), progress as it runs, stop() to end it early, `done` for the report. */
export class StackTrace {
  readonly done: Promise<StacksReport>;
  private child: ChildProcess | undefined;
  private stopReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private armedAt = 0;
  private endedAt = 0;
  private every = 1;

  constructor(private readonly o: TraceOptions, private readonly onProgress: (p: TraceProgress) => void = () => {}) {
    this.done = this.run();
    // The report is read by whoever awaits it; an unawaited failure must not end memtop.
    this.done.catch(() => {});
  }

  /** Ends the trace now; the report holds what was recorded so far. */
  stop(reason = 'stopped early'): void {
    if (this.stopReason !== undefined || !this.child) return;
    this.stopReason = reason;
    this.interrupt();
  }

  private interrupt(): void {
    if (!this.endedAt) this.endedAt = Date.now();
    clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    // bpftrace prints its maps and exits at once; one that does not is killed (its probes go with it).
    setTimeout(() => child.kill('SIGKILL'), 15000).unref();
  }

  private async run(): Promise<StacksReport> {
    const { pid, proc } = this.o;
    const { cmd } = checkCanTrace(pid, proc);
    const read = (f: string) => readFileSync(join(proc, String(pid), f), 'utf8');
    let maps: MapRange[];
    let exe: string;
    try {
      maps = parseMaps(read('maps'));
      exe = readlinkSync(join(proc, String(pid), 'exe')).replace(/ \(deleted\)$/, '');
    } catch {
      throw refuse(`cannot read the mappings of ${pid} (${cmd}): it ended, or it is not memtop's to read`);
    }
    const exeFile = existsSync(`${proc}/${pid}/root${exe}`) ? `${proc}/${pid}/root${exe}` : exe;
    const runtimes = runtimeLines({ exe, mapped: maps.map((m) => m.path), go: isGoBinary(exeFile) });
    const modules = allocatorModules(maps, exe);
    if (modules.length === 0) {
      throw refuse(`${pid} (${cmd}) maps no malloc memtop can probe (no libc, jemalloc, tcmalloc or mimalloc with symbols)${runtimes.length ? `; ${runtimes.join('; ')}` : ''}`);
    }
    const script = stacksScript({ pid, modules, every: this.o.every, targetRate: TARGET_RATE, bigBytes: BIG_BYTES, mmapBytes: BIG_BYTES, frames: 16, seconds: this.o.seconds });
    const text = await this.trace(script);
    const out = parseTraceOutput(text.stdout);
    if (!out.complete) {
      const gone = !existsSync(join(proc, String(pid)));
      const why = gone ? `process ${pid} ended during the trace` : bpftraceError(text.stderr) ?? `bpftrace ended without its report (exit ${text.code})`;
      throw refuse(why);
    }
    this.onProgress({ phase: 'reading' });
    // The maps now, for code mapped during the trace (dlopen), else the ones read at the start.
    let mapsNow = maps;
    try {
      mapsNow = parseMaps(read('maps'));
    } catch {
      // ended: the start's maps name its modules
    }
    // A walk through a function built without frame pointers goes astray: a stack ends at its first
    // address outside executable code (a real return address is always inside).
    const exec = mapsNow.filter((m) => m.perms.includes('x'));
    for (const s of out.stacks) {
      const addrs = stackAddresses(s);
      const cut = addrs.findIndex((a) => !exec.some((m) => a >= m.start && a < m.end));
      if (cut >= 0) {
        s.frames = addrs.slice(0, Math.max(1, cut));
        s.caller = 0n;
      }
    }
    const addrs = out.stacks.flatMap(stackAddresses);
    const names = symbolise(proc, pid, mapsNow, addrs);
    // The kernel's own timing of the recorded window (it stops recording itself at the end; an early
    // stop ends it when bpftrace runs END, which may be seconds after the SIGINT on a loaded machine).
    const seconds = out.window ?? (this.armedAt ? Math.max(0, ((this.endedAt || Date.now()) - this.armedAt) / 1000) : 0);
    return {
      pid,
      cmd,
      seconds,
      began: this.armedAt / 1000,
      sampled: out.every,
      stacks: groupStacks(out.stacks, (a) => names.get(a) ?? `? (0x${a.toString(16)})`),
      runtimes,
      stoppedEarly: this.stopReason,
    };
  }

  /** Runs bpftrace with the program; resolves with its output once it exited. */
  private trace(script: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const args = ['-p', String(this.o.pid), '-e', script];
    // setpriv (util-linux) asks the kernel to kill bpftrace when memtop dies: Node cannot set that for a child.
    const setpriv = onPath('setpriv');
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', 'bpftrace', ...args]] : ['bpftrace', args];
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // A session of its own: the terminal's Ctrl-C reaches memtop only, which stops bpftrace once, in order.
      detached: true,
      env: { ...process.env, BPFTRACE_NO_USER_SYMBOLS: '1', BPFTRACE_MAP_KEYS_MAX: '65536' },
    });
    this.child = child;
    this.onProgress({ phase: 'attaching' });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.event(line);
    });
    // bpftrace's stderr is small unless something is wrong; keep its beginning.
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    return new Promise((resolve, reject) => {
      child.on('error', (err) => reject(refuse(`cannot run bpftrace: ${err.message}`)));
      child.on('close', (code) => {
        clearTimeout(this.timer);
        resolve({ stdout, stderr, code });
      });
    });
  }

  private event(line: string): void {
    const ev = traceEvent(line);
    if (!ev) return;
    if (ev.kind === 'armed') {
      this.armedAt = Date.now();
      this.every = ev.every;
      if (this.stopReason !== undefined) return;
      // The program stops itself after the seconds (exit()); this is the fallback should it not.
      this.timer = setTimeout(() => this.interrupt(), this.o.seconds * 1000 + 5000);
      this.onProgress({ phase: 'tracing', elapsed: 0, seconds: this.o.seconds, every: this.every });
    } else if (ev.kind === 'tick' && this.armedAt && !this.endedAt) {
      this.onProgress({ phase: 'tracing', elapsed: (Date.now() - this.armedAt) / 1000, seconds: this.o.seconds, every: this.every });
    }
  }
}

/** bpftrace's first error line, without its prefix; its RLIMIT_MEMLOCK complaint is no error on kernels that account bpf memory to cgroups. */
export function bpftraceError(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => /^ERROR:/.test(l) && !/RLIMIT_MEMLOCK/.test(l));
  return line ? `bpftrace: ${line.replace(/^ERROR:\s*/, '')}` : undefined;
}

/** The command line's trace: progress on stderr when it is a terminal, the report on stdout; SIGINT/SIGTERM stop it early. */
export async function runStacks(pid: number, config: Config): Promise<void> {
  const seconds = config.traceSeconds ?? DEFAULT_TRACE_SECONDS;
  const tty = process.stderr.isTTY;
  let noted = false;
  const trace = new StackTrace({ pid, seconds, every: config.traceEvery ?? 0, proc: config.proc }, (p) => {
    // Said once the checks passed, as the probes attach (stderr: stdout stays the report).
    if (!noted) {
      noted = true;
      process.stderr.write(`memtop: note: ${SYSTEM_WIDE_COST}\n`);
    }
    if (!tty) return;
    const line = p.phase === 'attaching' ? 'attaching probes...' : p.phase === 'reading' ? 'reading the stacks...'
      : `tracing ${pid}: ${Math.floor(p.elapsed)}/${p.seconds} s${p.every > 1 ? `, sampled 1 in ${p.every}` : ''} (Ctrl-C stops early)`;
    process.stderr.write(`\r\x1b[Kmemtop: ${line}`);
  });
  const onSignal = () => trace.stop('stopped early by a signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await trace.done;
    if (tty) process.stderr.write('\r\x1b[K');
    const out = new StdoutSink(() => {});
    out.write(config.mode === 'json' ? JSON.stringify(reportJson(report)) + '\n' : stacksLines(report, 1000).join('\n') + '\n');
    await out.flush();
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
