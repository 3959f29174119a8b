/**
 * A /proc file that cannot be read (EACCES) leaves its fields unknown, not
 * zero, and never an error. Run as an unprivileged user: as root through
 * setpriv (root reads everything), otherwise directly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, fakeProcFiles, makeTree } from './helpers/trees.js';

const SAMPLER = join(FIXTURES, '..', 'dist', 'reader', 'sampler.js');
const MODEL = join(FIXTURES, '..', 'dist', 'model', 'interval.js');
const JSON_OUT = join(FIXTURES, '..', 'dist', 'output', 'json.js');

function openUp(dir: string) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      chmodSync(path, 0o755);
      openUp(path);
    } else chmodSync(path, 0o644);
  }
}

test('an unreadable status leaves VDATA, SWAPSZ... unknown (null in JSON, ? on screen); the process stays listed', () => {
  const root = makeTree(fakeProcFiles({ uptime: 50, procs: [{ pid: 40, swapKb: 8 }, { pid: 41, swapKb: 16 }] }));
  chmodSync(root, 0o755);
  openUp(root);
  chmodSync(join(root, '41', 'status'), 0o000);
  const script = `
    const { Sampler } = await import(${JSON.stringify(SAMPLER)});
    const { buildInterval } = await import(${JSON.stringify(MODEL)});
    const { intervalJson } = await import(${JSON.stringify(JSON_OUT)});
    const s = new Sampler({ proc: ${JSON.stringify(root)}, sys: '/nonexistent' }).sample();
    process.stdout.write(JSON.stringify(intervalJson(buildInterval(undefined, s)).procs));`;
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? 'setpriv' : process.execPath;
  const args = asRoot
    ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script]
    : ['--input-type=module', '-e', script];
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  const procs = JSON.parse(r.stdout) as Record<string, unknown>[];
  const readable = procs.find((p) => p.pid === 40)!;
  const denied = procs.find((p) => p.pid === 41)!;
  assert.equal(readable.swapsz, 8 * 1024);
  assert.ok(denied, 'still listed');
  for (const key of ['vdata', 'vstext', 'vslibs', 'vstack', 'locksz', 'swapsz']) assert.equal(denied[key], null, key);
  assert.equal(denied.user, '?');
  assert.ok((denied.rsize as number) > 0, 'stat was readable: its figures are there');
});
