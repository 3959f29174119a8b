/**
 * A real v1 memory cgroup made for a test BELOW the test's own group (never
 * elsewhere), with a small limit, for real OOM kills; removed when done. The
 * test's own process never moves: a child shell puts itself in and execs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** This test process's v1 memory cgroup directory, or undefined when there is none to make groups under. */
export function ownMemoryGroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /^\d+:memory:/.test(l));
  if (!line) return undefined;
  const dir = join('/sys/fs/cgroup/memory', line.slice(line.indexOf(':memory:') + 8));
  return existsSync(join(dir, 'memory.limit_in_bytes')) ? dir : undefined;
}

/** Why a real OOM kill cannot be had here, or undefined when it can. */
export function oomUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync('/dev/kmsg')) return 'needs /dev/kmsg';
  if (!ownMemoryGroup()) return 'needs a v1 memory cgroup to make a group under';
  return undefined;
}

export interface MemGroup {
  dir: string;
  /** Starts `argv` inside the group (a shell enters it, then execs). */
  spawnInside(argv: string[]): ChildProcess;
  remove(): Promise<void>;
}

export function makeMemGroup(name: string, limitBytes: number): MemGroup {
  const parent = ownMemoryGroup();
  if (!parent) throw new Error('no v1 memory cgroup of this test to make a group under');
  const dir = join(parent, `${name}-${process.pid}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
  // With swap on (a test of another may have turned a swap file on), memory alone would swap out instead of
  // OOM-killing: memory + swap gets the same limit (v1 memsw, present when swap accounting is).
  const memsw = join(dir, 'memory.memsw.limit_in_bytes');
  if (existsSync(memsw)) writeFileSync(memsw, String(limitBytes));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    dir,
    spawnInside: (argv) => spawn('sh', ['-c', `echo $$ > ${q(join(dir, 'cgroup.procs'))} && exec ${argv.map(q).join(' ')}`], { stdio: 'ignore' }),
    async remove() {
      for (let i = 0; i < 50 && existsSync(dir); i++) {
        try {
          rmdirSync(dir);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
