/**
 * The model reads nothing of the machine it runs on: login names come with
 * the samples (resolved by the reader where they were taken, kept by the raw
 * log), and page counts follow the sampled host's page size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInterval } from '../src/model/interval.js';
import { Sampler } from '../src/reader/sampler.js';
import { parsePasswd } from '../src/reader/users.js';
import type { Sample } from '../src/sample.js';
import { plain, readLog, record, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree, type FakeMoment } from './helpers/trees.js';

/** A uid no real /etc/passwd here names, and one it surely does. */
const GUEST = 48213;

function moment(uptime: number, procs: FakeMoment['procs'], vmstat: Record<string, number> = {}): FakeMoment {
  return { uptime, procs, vmstat };
}

/** A fake root with a passwd of its own: uid 0 is 'boss' and GUEST is 'guest' on the sampled host. */
function sampledHost() {
  const dir = tempDir();
  const proc = join(dir, 'proc');
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, `boss:x:0:0::/root:/bin/sh\nguest:x:${GUEST}:${GUEST}::/home/guest:/bin/sh\nbroken line\n`);
  let now = Date.UTC(2025, 0, 1);
  let sampler: Sampler | undefined;
  const take = (m: FakeMoment): Sample => {
    rmSync(proc, { recursive: true, force: true });
    makeTree(fakeProcFiles(m), proc);
    sampler ??= new Sampler({ proc, sys: join(dir, 'nosys'), passwd, now: () => (now += 10_000) });
    return sampler.sample();
  };
  return { dir, take, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('passwd: first entry of a uid wins, lines without a uid are skipped', () => {
  const names = parsePasswd('root:x:0:0::/:\ntoor:x:0:0::/:\nnobody:x:65534:65534::/:\n\n# comment\n');
  assert.deepEqual([...names], [[0, 'root'], [65534, 'nobody']]);
});

test('the reader resolves names on the sampled host and keeps one table while no uid is new', () => {
  const host = sampledHost();
  try {
    const a = host.take(moment(100, [{ pid: 1, uid: 0 }, { pid: 2, uid: GUEST }, { pid: 3, uid: 777 }]));
    assert.deepEqual(a.users, { 0: 'boss', [GUEST]: 'guest' }, 'a uid passwd lacks is left out');
    const b = host.take(moment(110, [{ pid: 1, uid: 0 }, { pid: 2, uid: GUEST }]));
    assert.equal(b.users, a.users, 'the same object: a raw log delta finds it unchanged');
    const iv = buildInterval(a, b);
    assert.deepEqual(iv.procs.map((p) => p.user), ['boss', 'guest']);
    const first = buildInterval(undefined, a);
    assert.equal(first.procs.find((p) => p.pid === 3)!.user, '777', 'a uid without a name shows as the number');
  } finally {
    host.cleanup();
  }
});

test('a recording replayed elsewhere shows the recording host\'s names; one without names shows uids', () => {
  const host = sampledHost();
  try {
    const samples = [
      host.take(moment(100, [{ pid: 1, uid: 0 }])),
      host.take(moment(110, [{ pid: 1, uid: 0 }, { pid: 2, uid: GUEST }])),
      host.take(moment(120, [{ pid: 2, uid: GUEST }])),
    ];
    const file = join(host.dir, 'log');
    record(file, samples);
    const log = readLog(file);
    assert.equal(log.length, 3);
    const replayed = [0, 1, 2].map((i) => log.get(i)!);
    assert.deepEqual(replayed.map((s) => s.users), samples.map((s) => plain(s.users)));
    const iv = buildInterval(replayed[1]!, replayed[2]!);
    assert.deepEqual(iv.procs.map((p) => p.user), ['guest'], 'not this machine\'s passwd');
    // A recording from before samples carried names.
    const old = replayed.map(({ users: _users, ...rest }) => rest as Sample);
    assert.deepEqual(buildInterval(old[0]!, old[1]!).procs.map((p) => p.user), ['0', String(GUEST)]);
  } finally {
    host.cleanup();
  }
});

test('PAG pgin and pgout count pages of the sampled host\'s size, not 4 KiB', () => {
  const base = (pageSize: number, pgpgin: number, pgpgout: number): Sample => {
    const proc = makeTree(fakeProcFiles(moment(100, [], { pgpgin, pgpgout })));
    try {
      return new Sampler({ proc, sys: join(proc, 'nosys'), pageSize }).sample();
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  };
  // 6400 KiB read and 1280 KiB written in the interval.
  const at = (pageSize: number) => buildInterval(base(pageSize, 1000, 1000), { ...base(pageSize, 7400, 2280), uptime: 110 }).pag;
  assert.deepEqual([at(4096).pgin, at(4096).pgout], [1600, 320]);
  assert.deepEqual([at(65536).pgin, at(65536).pgout], [100, 20]);
});
