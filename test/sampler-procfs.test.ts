/** The sampler on the real /proc: stat files kept open across samples, and given back when their process ends. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { Sampler } from '../src/reader/sampler.js';

/**
 * The pids whose /proc/PID/stat this process holds open. Asked of each pid
 * rather than counted: on a busy machine other processes end between two
 * samples, and their kept fds close in the same sample as ours open.
 */
function keptStatPids(): Set<number> {
  const out = new Set<number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^\/proc\/(\d+)\/stat$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // the fd readdir itself used, closed already
    }
  }
  return out;
}

async function start(n: number): Promise<ChildProcess[]> {
  const kids = Array.from({ length: n }, () => spawn('sleep', ['60'], { stdio: 'ignore' }));
  await Promise.all(kids.map((k) => once(k, 'spawn')));
  return kids;
}

async function stop(kids: ChildProcess[]): Promise<void> {
  await Promise.all(kids.map((k) => (k.exitCode !== null || k.signalCode !== null ? undefined : (k.kill(), once(k, 'exit')))));
}

test('processes that come and go: seen while they live, their fds closed after', async () => {
  const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
  const base = sampler.sample().procs.length;
  const kids = await start(20);
  try {
    const s = sampler.sample();
    const pids = new Set(s.procs.map((p) => p.pid));
    for (const k of kids) assert.ok(pids.has(k.pid!), `child ${k.pid} listed`);
    const kept = keptStatPids();
    for (const k of kids) assert.ok(kept.has(k.pid!), `a kept stat fd for child ${k.pid}`);
    // The same figures as a fresh open would give: comm and start time of a child.
    const one = s.procs.find((p) => p.pid === kids[0]!.pid)!;
    assert.equal(one.comm, 'sleep');
    await stop(kids.slice(0, 10));
    const after = sampler.sample();
    const left = new Set(after.procs.map((p) => p.pid));
    for (const k of kids.slice(0, 10)) assert.ok(!left.has(k.pid!), `ended child ${k.pid} gone`);
    for (const k of kids.slice(10)) assert.ok(left.has(k.pid!), `live child ${k.pid} still listed`);
    const keptAfter = keptStatPids();
    for (const k of kids.slice(0, 10)) assert.ok(!keptAfter.has(k.pid!), `the fd of ended child ${k.pid} closed`);
    for (const k of kids.slice(10)) assert.ok(keptAfter.has(k.pid!), `the fd of live child ${k.pid} kept`);
  } finally {
    await stop(kids);
  }
  sampler.sample();
  assert.ok(Math.abs(sampler.sample().procs.length - base) < 15, 'back to about where it started');
  sampler.close();
  assert.equal(keptStatPids().size, 0, 'close() gives every kept fd back');
});

test('a running process is re-read through its kept fd: CPU time grows between samples', async () => {
  const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], { stdio: 'ignore' });
  await once(busy, 'spawn');
  try {
    const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
    const ticks = () => {
      const p = sampler.sample().procs.find((q) => q.pid === busy.pid);
      assert.ok(p, 'the busy child is listed');
      return p.utime! + p.stime!;
    };
    const first = ticks();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(ticks() > first, 'utime+stime moved');
    sampler.close();
  } finally {
    busy.kill();
    await once(busy, 'exit');
  }
});
