/**
 * Issue 3's speed figure: whole interactive monitors, each in a detached tmux
 * session of fixed size on its own tmux socket, CPU per refresh.
 *
 * A refresh is counted from the terminal side: tmux pipe-pane copies the
 * pane's output to a file, and a burst of output after a quiet spell is one
 * refresh. A monitor runs for hours, so the figure is its steady state: after
 * a warm-up of fixed seconds (memtop's JIT compiles its hot code in the first
 * half minute; the C programs have nothing to warm), CPU (threads + children,
 * see cputime.ts) is read half a second after a refresh's output, when a
 * 1-second monitor is idle, and again half a second after the M-th refresh
 * after it; CPU per refresh is the difference divided by the refreshes
 * counted in between. The start-up is not hidden: CPU per second over the
 * first seconds is reported beside it. A monitor that shows nothing for a
 * while is measured per second of wall time instead, and flagged.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { rssBytes, treeCpuNs } from './cputime.js';
import { sleep } from './stats.js';

/**
 * One cache directory for every start of the benchmark run: memtop keeps
 * V8's code cache of its bundle there on Node before 22.1
 * (src/codecache.cts), as in a user's ~/.cache, so only the first start of
 * the run is a first start (Node 22.1 and newer keep their own cache in the
 * temp directory, shared the same way). HOME and XDG_CONFIG_HOME stay
 * private to each start.
 */
export const CACHE_HOME = mkdtempSync(join(tmpdir(), 'memtop-bench-cache-'));
process.on('exit', () => rmSync(CACHE_HOME, { recursive: true, force: true }));

export interface Peer {
  name: string;
  /** The command as the table shows it. */
  label: string;
  argv: string[];
  /** Files to write below the peer's private HOME before it starts (path relative to HOME). */
  files?: Record<string, string>;
  /** Set when the program is not installed: what to install. */
  missing?: string;
}

export interface ScreenOptions {
  width: number;
  height: number;
  /** Seconds after the start over which the start-up cost (CPU per second) is read. */
  startupSeconds: number;
  /** Seconds after the start before the steady state is measured (at least startupSeconds). */
  warmupSeconds: number;
  /** Refreshes measured. */
  refreshes: number;
}

export interface PeerRun {
  /** CPU ms per refresh (per second of wall time when `perSecond`). */
  cpuMs?: number;
  perSecond?: boolean;
  /** Refreshes counted in the window and the median seconds between them. */
  refreshes?: number;
  period?: number;
  rss?: number;
  /** VmHWM: the most resident memory the program had at any moment of its run. */
  peakRss?: number;
  /** CPU ms per second of wall time over the first startupSeconds (start-up included). */
  startupMs?: number;
  /** The program switched the terminal to the alternate screen (a full-screen UI, not a text stream). */
  altScreen?: boolean;
  paneSize?: string;
  error?: string;
}

/** The executable's path in PATH, undefined when not installed. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir || '.', name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A word quoted for sh. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** tmux servers this process started and has not stopped yet (socket names): started ones are added here. */
export const liveServers = new Set<string>();

export function tmux(socket: string, args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Stops every tmux server this process started (for exit handlers). */
export function stopAllServers(): void {
  for (const socket of liveServers) {
    try {
      tmux(socket, ['kill-server']);
    } catch {
      // already gone
    }
  }
  liveServers.clear();
}

/** Output bursts of a pane, from the size of its pipe-pane file polled every 25 ms. */
class Bursts {
  /** Start times (ms) of bursts: growth after at least QUIET ms without any. */
  readonly starts: number[] = [];
  private size = 0;
  private lastGrowth = 0;
  private readonly timer: NodeJS.Timeout;
  private static readonly QUIET = 250;

  constructor(private readonly file: string) {
    this.timer = setInterval(() => this.poll(), 25);
  }

  private poll(): void {
    let size = 0;
    try {
      size = statSync(this.file).size;
    } catch {
      return;
    }
    if (size <= this.size) return;
    const now = Date.now();
    if (now - this.lastGrowth >= Bursts.QUIET) this.starts.push(now);
    this.lastGrowth = now;
    this.size = size;
  }

  /** Resolves with the start time of burst number `index` (0-based), undefined after timeoutMs of waiting. */
  async until(index: number, timeoutMs: number, alive: () => boolean): Promise<number | undefined> {
    const end = Date.now() + timeoutMs;
    while (this.starts.length <= index) {
      if (Date.now() > end || !alive()) return undefined;
      await sleep(25);
    }
    return this.starts[index];
  }

  countIn(from: number, to: number): number[] {
    return this.starts.filter((t) => t > from && t <= to);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** One measurement of one peer: start it in its own tmux server, measure, stop it. */
export async function runPeer(peer: Peer, opts: ScreenOptions): Promise<PeerRun> {
  if (peer.missing) return { error: peer.missing };
  const home = mkdtempSync(join(tmpdir(), `memtop-bench-${peer.name}-`));
  const socket = `memtop-bench-${peer.name}-${process.pid}`;
  const out = join(home, 'pane.out');
  for (const [rel, text] of Object.entries(peer.files ?? {})) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  const conf = join(home, 'tmux.conf');
  // No status line (the whole 200x50 is the program's); keep a dead pane to show why it died.
  writeFileSync(conf, 'set -g status off\nset -g remain-on-exit on\n');
  const env = [`HOME=${home}`, `XDG_CONFIG_HOME=${join(home, '.config')}`, `XDG_CACHE_HOME=${CACHE_HOME}`];
  const cmd = `exec env ${env.map(shq).join(' ')} ${peer.argv.map(shq).join(' ')}`;
  const run: PeerRun = {};
  let pid: number | undefined;
  let socketPath: string | undefined;
  let bursts: Bursts | undefined;
  try {
    liveServers.add(socket);
    tmux(socket, [
      '-f', conf, 'new-session', '-d', '-s', 'bench', '-x', String(opts.width), '-y', String(opts.height), cmd,
      ';', 'pipe-pane', '-t', 'bench', '-O', `cat >> ${shq(out)}`,
    ]);
    const info = tmux(socket, ['display', '-p', '-t', 'bench', '#{pane_pid} #{socket_path}']).trim();
    pid = Number(info.slice(0, info.indexOf(' ')));
    socketPath = info.slice(info.indexOf(' ') + 1);
    bursts = new Bursts(out);
    // tmux reaps a program that exits (the pane stays, dead), so its pid disappears.
    const alive = () => !gone(pid!);
    const launched = Date.now();
    await sleep(launched + opts.startupSeconds * 1000 - Date.now());
    const startup = alive() ? treeCpuNs(pid) : undefined;
    if (startup !== undefined) run.startupMs = startup / 1e6 / opts.startupSeconds;
    await sleep(launched + Math.max(opts.warmupSeconds, opts.startupSeconds) * 1000 - Date.now());
    // The steady state: from the first refresh after the warm-up to the refreshes-th after it.
    const firstIndex = bursts.starts.length;
    const first = await bursts.until(firstIndex, 5000, alive);
    let c0: number | undefined;
    let c1: number | undefined;
    if (first !== undefined) {
      await sleep(first + 450 - Date.now());
      const t0 = Date.now();
      c0 = treeCpuNs(pid);
      const last = await bursts.until(firstIndex + opts.refreshes, opts.refreshes * 3000 + 5000, alive);
      if (last !== undefined) {
        await sleep(last + 450 - Date.now());
        const t1 = Date.now();
        c1 = treeCpuNs(pid);
        const seen = bursts.countIn(t0, t1);
        run.refreshes = seen.length;
        const gaps = seen.slice(1).map((t, i) => (t - seen[i]!) / 1000).sort((a, b) => a - b);
        run.period = gaps.length ? gaps[gaps.length >> 1] : undefined;
        if (c0 !== undefined && c1 !== undefined && seen.length > 0) run.cpuMs = (c1 - c0) / 1e6 / seen.length;
      }
    }
    if (run.cpuMs === undefined && alive()) {
      // No refresh seen on the terminal: CPU per second of wall time instead.
      const t0 = Date.now();
      c0 = treeCpuNs(pid);
      await sleep(opts.refreshes * 1000);
      c1 = treeCpuNs(pid);
      if (c0 !== undefined && c1 !== undefined) {
        run.cpuMs = (c1 - c0) / 1e6 / ((Date.now() - t0) / 1000);
        run.perSecond = true;
      }
    }
    if (alive()) {
      run.rss = rssBytes(pid);
      run.peakRss = rssBytes(pid, 'VmHWM');
      const [alt, w, h] = tmux(socket, ['display', '-p', '-t', 'bench', '#{alternate_on} #{pane_width} #{pane_height}'])
        .trim().split(' ');
      run.altScreen = alt === '1';
      run.paneSize = `${w}x${h}`;
    } else {
      const screen = tmux(socket, ['capture-pane', '-p', '-t', 'bench']).split('\n').map((l) => l.trim()).filter(Boolean);
      run.error = `exited: ${screen.slice(-2).join(' / ').slice(0, 160) || 'no output'}`;
    }
  } catch (err) {
    run.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
  } finally {
    bursts?.stop();
    await stopPane(socket, pid, home, socketPath);
  }
  return run;
}

/**
 * Ends a pane's tmux server (SIGHUP to the program in it), waits up to 3 s
 * for the program to go (SIGKILL after), and removes its private HOME and
 * the socket file tmux leaves behind.
 */
export async function stopPane(socket: string, pid: number | undefined, home: string, socketPath: string | undefined): Promise<void> {
  try {
    tmux(socket, ['kill-server']);
  } catch {
    // the server is gone already
  }
  liveServers.delete(socket);
  if (pid !== undefined && pid > 0) {
    for (let i = 0; i < 60 && !gone(pid); i++) await sleep(50);
    if (!gone(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(home, { recursive: true, force: true });
  if (socketPath) rmSync(socketPath, { force: true });
}

/** The monitors of issue 3, at N rows for the blessed baseline. */
export function screenPeers(root: string, rows: number): Peer[] {
  const peer = (name: string, label: string, bin: string, args: string[], pkg: string, files?: Peer['files']): Peer => {
    const path = which(bin);
    return path
      ? { name, label, argv: [path, ...args], files }
      : { name, label, argv: [], missing: `not installed (Debian package ${pkg})` };
  };
  const cli = join(root, 'dist/bin.cjs');
  return [
    {
      name: 'memtop',
      label: 'memtop -m 1',
      // As a user runs it: the file itself, whose shebang gives node its flags.
      argv: [cli, '-m', '1'],
      missing: existsSync(cli) ? undefined : 'dist/bin.cjs is missing: run npm run build',
    },
    peer('atop', 'atop 1', 'atop', ['1'], 'atop'),
    peer('htop', 'htop -d 10', 'htop', ['-d', '10'], 'htop'),
    // update_ms sets btop's refresh to 1 s; its clock is switched off so that it writes once per refresh.
    peer('btop', 'btop (update_ms = 1000)', 'btop', [], 'btop', {
      '.config/btop/btop.conf': 'update_ms = 1000\nclock_format = ""\n',
    }),
    {
      name: 'blessed',
      label: `blessed table, ${rows} rows`,
      argv: [process.execPath, join(root, 'bench/blessed-table.mjs'), String(rows)],
    },
  ];
}
