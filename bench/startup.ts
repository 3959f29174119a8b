/**
 * Issue 14's start-up figures: the wall time from exec to the first full
 * screen in a 200x50 tmux pane, and to the first line of a machine-readable
 * stream, for memtop, atop and btop.
 *
 * A monitor is started when something is already wrong; what counts is how
 * soon it shows something. The program waits in its pane on a FIFO, so tmux
 * and the shell are set up before the clock starts; opening the FIFO for
 * writing releases it into `exec`. The pane's output is copied to a file by
 * tmux pipe-pane and watched with fs.watch (inotify): the first screen is
 * complete at the last write of the first burst that leaves the pane full
 * (all but two rows holding text), a burst ending after QUIET_MS without
 * output (every peer refreshes once a second, so the next refresh is far
 * later). The programs take turns, one at a time, so that one
 * program's start-up does not slow another's: a start-up is mostly CPU.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { treeCpuNs } from './cputime.js';
import { CACHE_HOME, gone, liveServers, shq, stopPane, tmux, type Peer } from './screen-cost.js';
import { sleep } from './stats.js';

/** Output that stops for this long ends a burst. */
const QUIET_MS = 300;


export interface StartupRun {
  /** ms from exec to the last write of the first burst that filled the pane (the first full screen). */
  screenMs?: number;
  /** ms from exec to the first byte on the terminal. */
  firstByteMs?: number;
  /**
   * CPU ms the program (threads and children) had used when the first burst
   * was over: the work of its start-up, which a loaded machine stretches in
   * wall time but not in CPU.
   */
  cpuMs?: number;
  /** Rows of the pane holding text when the first burst ended (a full screen fills most). */
  rows?: number;
  error?: string;
}

/** One start of one peer in a width x height pane: the time to its first full screen. */
export async function screenStartup(peer: Peer, width: number, height: number, timeoutMs = 15000): Promise<StartupRun> {
  if (peer.missing) return { error: peer.missing };
  const home = mkdtempSync(join(tmpdir(), `memtop-start-${peer.name}-`));
  const socket = `memtop-start-${peer.name}-${process.pid}`;
  const out = join(home, 'pane.out');
  const gate = join(home, 'gate');
  for (const [rel, text] of Object.entries(peer.files ?? {})) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  writeFileSync(out, '');
  execFileSync('mkfifo', [gate]);
  const conf = join(home, 'tmux.conf');
  writeFileSync(conf, 'set -g status off\nset -g remain-on-exit on\n');
  const env = [`HOME=${home}`, `XDG_CONFIG_HOME=${join(home, '.config')}`, `XDG_CACHE_HOME=${CACHE_HOME}`];
  // The shell blocks reading the FIFO until the benchmark opens it; then exec.
  const cmd = `read x < ${shq(gate)}; exec env ${env.map(shq).join(' ')} ${peer.argv.map(shq).join(' ')}`;
  const run: StartupRun = {};
  let pid: number | undefined;
  let socketPath: string | undefined;
  let watcher: ReturnType<typeof watch> | undefined;
  try {
    liveServers.add(socket);
    tmux(socket, [
      '-f', conf, 'new-session', '-d', '-s', 'start', '-x', String(width), '-y', String(height), cmd,
      ';', 'pipe-pane', '-t', 'start', '-O', `cat >> ${shq(out)}`,
    ]);
    const info = tmux(socket, ['display', '-p', '-t', 'start', '#{pane_pid} #{socket_path}']).trim();
    pid = Number(info.slice(0, info.indexOf(' ')));
    socketPath = info.slice(info.indexOf(' ') + 1);
    // Give tmux a moment to start the pipe-pane's cat before anything is written.
    await sleep(200);
    let size = 0;
    let first: number | undefined;
    let last: number | undefined;
    watcher = watch(out, () => {
      const now = performance.now();
      let s = 0;
      try {
        s = statSync(out).size;
      } catch {
        return;
      }
      if (s <= size) return;
      size = s;
      first ??= now;
      last = now;
    });
    const t0 = performance.now();
    const fd = openSync(gate, 'w'); // the shell's read returns at end of file
    writeFileSync(fd, '\n');
    closeSync(fd);
    const deadline = t0 + timeoutMs;
    const rowsNow = () => tmux(socket, ['capture-pane', '-p', '-t', 'start']).split('\n').filter((l) => l.trim()).length;
    // A burst that leaves the pane mostly empty (a program that clears the screen, then reads for a
    // while on a loaded machine) is not the first screen: wait for the burst that fills it.
    let burstEnd: number | undefined;
    while (performance.now() < deadline && !gone(pid)) {
      await sleep(20);
      if (last === undefined || last === burstEnd || performance.now() - last < QUIET_MS) continue;
      burstEnd = last;
      run.rows = rowsNow();
      run.screenMs = last - t0;
      const cpu = treeCpuNs(pid);
      if (cpu !== undefined) run.cpuMs = cpu / 1e6;
      if (run.rows >= height - 2) break;
    }
    if (first === undefined) run.error = gone(pid) ? 'exited before writing anything' : 'nothing on the terminal';
    else run.firstByteMs = first - t0;
  } catch (err) {
    run.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
  } finally {
    watcher?.close();
    await stopPane(socket, pid, home, socketPath);
  }
  return run;
}

/** A program whose first line on stdout is timed (memtop --json, atop -J). */
export interface StreamPeer {
  name: string;
  label: string;
  argv: string[];
  missing?: string;
}

/** ms from spawn to the first complete line on stdout (the child is stopped then). */
export async function firstLine(peer: StreamPeer, timeoutMs = 15000): Promise<StartupRun> {
  if (peer.missing) return { error: peer.missing };
  const home = mkdtempSync(join(tmpdir(), `memtop-start-${peer.name}-`));
  const t0 = performance.now();
  const child = spawn(peer.argv[0]!, peer.argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: CACHE_HOME },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    return await new Promise<StartupRun>((resolve) => {
      const timer = setTimeout(() => resolve({ error: 'no line within the timeout' }), timeoutMs);
      let firstByte: number | undefined;
      child.stdout.on('data', (d: Buffer) => {
        const now = performance.now();
        firstByte ??= now - t0;
        if (d.includes(10)) {
          clearTimeout(timer);
          const cpu = treeCpuNs(child.pid!);
          resolve({ firstByteMs: firstByte, screenMs: now - t0, cpuMs: cpu === undefined ? undefined : cpu / 1e6 });
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve({ error: `exited without a line: ${err.trim().split('\n')[0] ?? ''}`.slice(0, 160) });
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ error: e.message });
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

export interface StartupPart {
  procs: number;
  screen: Record<string, StartupRun[]>;
  stream: Record<string, StartupRun[]>;
  screenPeers: Peer[];
  streamPeers: StreamPeer[];
}

/** `rounds` rounds; in each, every peer starts once, one after the other. */
export async function measureStartup(
  screenPeers: Peer[],
  streamPeers: StreamPeer[],
  rounds: number,
  procs: number,
): Promise<StartupPart> {
  const part: StartupPart = { procs, screen: {}, stream: {}, screenPeers, streamPeers };
  // An untimed start of each first: it fills the code cache and the page cache, as any earlier start would have.
  for (const peer of screenPeers) await screenStartup(peer, 200, 50);
  for (const peer of streamPeers) await firstLine(peer);
  for (let round = 0; round < rounds; round++) {
    for (const peer of screenPeers) (part.screen[peer.name] ??= []).push(await screenStartup(peer, 200, 50));
    for (const peer of streamPeers) (part.stream[peer.name] ??= []).push(await firstLine(peer));
  }
  return part;
}
