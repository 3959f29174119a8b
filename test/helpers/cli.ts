/** memtop's built command line (dist/, after npm run build) and the ways the tests run it. */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/bin.cjs', import.meta.url));

/** Fails early, with the fix, when dist/ is missing or older than the run modes the tests drive. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const prometheus = readFileSync(new URL('../../dist/run/prometheus.js', import.meta.url), 'utf8');
  if (!prometheus.includes('runPrometheus')) throw new Error('dist/ is older than src/run: run npm run build first');
}

export interface Ran {
  code: number | null;
  /** SIGKILL when memtop did not end within the timeout. */
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * Runs memtop to its end: exit code, stdout, stderr. Killed with SIGKILL
 * after `timeout` ms, which a memtop stuck in a system call cannot ignore:
 * a hang fails the test instead of hanging it.
 */
export function memtop(args: string[], opts: { input?: Buffer; timeout?: number } = {}): Ran {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input, timeout: opts.timeout ?? 30000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** Starts memtop with stdout and stderr piped; the caller ends it (in `finally`). */
export function spawnMemtop(args: string[]): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** memtop run to its end without blocking the test's event loop (a server in the test may need it). */
export function runCli(args: string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawnMemtop(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
