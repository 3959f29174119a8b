/**
 * Idle processes to measure at a given process count: `sleep` children of a
 * shell started in its own process group (its own session), stopped at the
 * end by signalling that group, which holds only what this file started.
 * No limit is raised: when the machine refuses a fork, fewer are running,
 * and count() says how many.
 */
import { spawn } from 'node:child_process';
import { allPids, processGroup } from './cputime.js';

/** Longer than any run of the benchmark; they also end on their own if the run is killed hard. */
const SLEEP_SECONDS = 1200;

export class Sleepers {
  /** Process group ids (= pid of each group's shell). */
  private readonly groups: number[] = [];
  /** Messages the shells printed (e.g. "Cannot fork"). */
  readonly errors: string[] = [];

  /** Starts `count` more sleepers and waits until the shell has forked them all (or failed to). */
  async add(count: number): Promise<void> {
    if (count <= 0) return;
    const script = `i=0; while [ $i -lt ${count} ]; do sleep ${SLEEP_SECONDS} & i=$((i+1)); done; echo ready; wait`;
    const sh = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (sh.pid === undefined) throw new Error('cannot start sh for the idle processes');
    this.groups.push(sh.pid);
    sh.unref();
    let err = '';
    sh.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => {
      sh.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      sh.on('exit', () => resolve());
      sh.on('error', (e) => {
        err += e.message;
        resolve();
      });
    });
    // After "ready" the shell only waits: drop the pipes so they do not keep node's loop alive.
    sh.stdout.destroy();
    sh.stderr.destroy();
    if (err.trim()) this.errors.push(err.trim().split('\n')[0]!);
  }

  /**
   * Sleepers of these groups alive now: every member but the shells (a child
   * just forked may not have become `sleep` yet).
   */
  count(): number {
    const groups = new Set(this.groups);
    let n = 0;
    for (const pid of allPids()) {
      const pgrp = processGroup(pid);
      if (pgrp !== undefined && groups.has(pgrp) && pid !== pgrp) n++;
    }
    return n;
  }

  /** SIGTERM to each group this object started (and only those). */
  stop(): void {
    for (const pgid of this.groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // the group is already gone
      }
    }
  }
}
