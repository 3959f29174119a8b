/** The sampler on the real /proc: stat files kept open across samples, and given back when their process ends. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { Sampler } from '../src/reader/sampler.js';

const openFds = () => readdirSync('/proc/self/fd').length;

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
  const fdsIdle = openFds();
  const kids = await start(20);
  try {
    const s = sampler.sample();
    const pids = new Set(s.procs.map((p) => p.pid));
    for (const k of kids) assert.ok(pids.has(k.pid!), `child ${k.pid} listed`);
    assert.ok(openFds() >= fdsIdle + 20, 'one kept fd per new process');
    // The same figures as a fresh open would give: comm and start time of a child.
    const one = s.procs.find((p) => p.pid === kids[0]!.pid)!;
    assert.equal(one.comm, 'sleep');
    await stop(kids.slice(0, 10));
    const after = sampler.sample();
    const left = new Set(after.procs.map((p) => p.pid));
    for (const k of kids.slice(0, 10)) assert.ok(!left.has(k.pid!), `ended child ${k.pid} gone`);
    for (const k of kids.slice(10)) assert.ok(left.has(k.pid!), `live child ${k.pid} still listed`);
    assert.ok(openFds() < fdsIdle + 20, 'fds of ended processes closed');
  } finally {
    await stop(kids);
  }
  sampler.sample();
  assert.ok(Math.abs(sampler.sample().procs.length - base) < 15, 'back to about where it started');
  sampler.close();
  assert.ok(openFds() < fdsIdle, 'close() gives every kept fd back');
});

test('a running process is re-read through its kept fd: CPU time grows between samples', async () => {
  const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], { stdio: 'ignore' });
  await once(busy, 'spawn');
  try {
    const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
    const ticks = () => {
      const p = sampler.sample().procs.find((q) => q.pid === busy.pid);
      assert.ok(p, 'the busy child is listed');
      return p.utime + p.stime;
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
