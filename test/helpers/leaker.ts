/** Test helper: test/helpers/leaker.c compiled at test time with cc, and started as a child that says "ready". */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'leaker.c');
let binary: string | undefined;

/** Compiles leaker.c once per test file; throws with cc's message when it cannot. */
export function leakerBinary(): string {
  if (binary) return binary;
  const out = join(mkdtempSync(join(tmpdir(), 'memtop-leaker-')), 'leaker');
  let r = spawnSync('cc', ['-O1', '-o', out, SOURCE], { encoding: 'utf8', timeout: 60000 });
  if (r.error) r = spawnSync('gcc', ['-O1', '-o', out, SOURCE], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`cc failed: ${r.stderr || r.error}`);
  return (binary = out);
}

/**
 * A copy of the leaker under a name of its own (its command name, at most 15
 * characters), so a program filter lists this test's children only, even
 * where other leakers run beside it.
 */
export function namedLeakerBinary(name: string): string {
  const out = join(dirname(leakerBinary()), name);
  copyFileSync(leakerBinary(), out);
  return out;
}

/** Starts the leaker with `args` and resolves once it printed "ready" (rejects after 15 s). */
export async function startLeaker(args: string[], wrap: string[] = [], binary = leakerBinary()): Promise<ChildProcess> {
  const cmd = [...wrap, binary, ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`leaker ${args.join(' ')} not ready after 15 s`)), 15000);
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`leaker ${args.join(' ')} exited with ${code} before ready`));
    });
  });
  return child;
}

/** Kills the child if it still runs and waits for it to be gone. */
export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}
