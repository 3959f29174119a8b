/**
 * Issue 12's cost figure: what reading a tree of 500 memory cgroups adds to
 * a sample. Each round takes one sample of the real /proc (sampler + model,
 * as part 1) and, in the same round, one read of the cgroup tree: a fake v2
 * tree of 500 groups in a temp directory (plain files, so nothing is kept
 * open: the dearer case), and, where this process may make groups below its
 * own memory cgroup, 500 real groups on the cgroup filesystem (fds kept
 * open, as live). 10% of the groups change between rounds (their usage
 * moves), the rest stay idle, as on a host with a few busy services.
 *
 * Run alone: node --import tsx bench/cgroup-cost.ts (prints the figures);
 * npm run bench runs it as the `cgroups` part.
 */
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildInterval } from '../src/model/interval.js';
import { CgroupReader, findMemoryHierarchy, memoryCgroupOf } from '../src/reader/cgroups.js';
import { Sampler } from '../src/reader/sampler.js';
import type { Sample } from '../src/sample.js';
import { fakeCgroupFiles, type FakeGroup } from '../test/helpers/cgroups.js';
import { median } from './stats.js';

export interface CgroupCostResult {
  groups: number;
  /** CPU ms per round: a sample alone, and the tree read on top of it. */
  sample: number[];
  fakeTree: number[];
  /** Undefined when groups could not be made here. */
  realTree?: number[];
  realNote?: string;
}

const MiB = 1024 * 1024;

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** 20 services of 24 groups, plus their parents: 500 groups and the top. */
function fakeGroups(round: number): FakeGroup[] {
  const groups: FakeGroup[] = [{ path: '/', pids: [1] }];
  let n = 0;
  for (let i = 0; i < 20 && n < 500; i++) {
    groups.push({ path: `/svc${i}`, memory: 100 * MiB, anon: 80 * MiB, file: 20 * MiB });
    n++;
    for (let j = 0; j < 24 && n < 500; j++, n++) {
      const busy = n % 10 === 0;
      const memory = (10 + (busy ? round : 0)) * MiB;
      groups.push({ path: `/svc${i}/c${j}`, pids: [1000 + n], memory, anon: memory / 2, file: memory / 2, max: 64 * MiB });
    }
  }
  return groups;
}

function writeFake(base: string, round: number): { proc: string; sys: string } {
  const files = fakeCgroupFiles('v2', fakeGroups(round));
  const write = (root: string, tree: Record<string, string>) => {
    for (const [name, text] of Object.entries(tree)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    return root;
  };
  return { proc: write(join(base, 'proc'), files.proc), sys: write(join(base, 'sys'), files.sys) };
}

/** 500 real groups below this process's own memory cgroup; undefined (and why) where that is not allowed. */
function makeRealTree(): { dirs: string[]; note?: string } {
  const h = findMemoryHierarchy('/proc', '/sys');
  const mine = h && memoryCgroupOf(process.pid, '/proc', h);
  if (!mine) return { dirs: [], note: 'no memory cgroup hierarchy here' };
  const base = join(mine.dir, `memtop-bench-${process.pid}`);
  const dirs: string[] = [];
  try {
    mkdirSync(base);
    dirs.push(base);
    for (let i = 0; i < 20 && dirs.length < 500; i++) {
      const svc = join(base, `svc${i}`);
      mkdirSync(svc);
      dirs.push(svc);
      for (let j = 0; j < 24 && dirs.length < 500; j++) {
        mkdirSync(join(svc, `c${j}`));
        dirs.push(join(svc, `c${j}`));
      }
    }
    return { dirs };
  } catch (err) {
    removeReal(dirs);
    return { dirs: [], note: `cannot make cgroups here: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function removeReal(dirs: string[]): void {
  for (const d of dirs.slice().reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // a group still being emptied: left for the next run's cleanup by hand
    }
  }
}

export async function measureCgroupCost(rounds: number): Promise<CgroupCostResult> {
  const base = mkdtempSync(join(tmpdir(), 'memtop-cgbench-'));
  const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
  const real = makeRealTree();
  const result: CgroupCostResult = { groups: 500, sample: [], fakeTree: [], realTree: real.dirs.length ? [] : undefined, realNote: real.note };
  try {
    let prev: Sample | undefined;
    let fake: CgroupReader | undefined;
    const realReader = real.dirs.length ? new CgroupReader({ proc: '/proc', sys: '/sys' }) : undefined;
    for (let round = -2; round < rounds; round++) {
      const roots = writeFake(base, round);
      fake ??= new CgroupReader(roots);
      let t = process.cpuUsage();
      const cur = sampler.sample();
      buildInterval(prev, cur);
      const sampleMs = cpuMs(t);
      prev = cur;
      t = process.cpuUsage();
      const tree = fake.read();
      const fakeMs = cpuMs(t);
      if (!tree || tree.groups.length < 500) throw new Error(`the fake tree read ${tree?.groups.length ?? 0} groups, not 501`);
      let realMs: number | undefined;
      if (realReader) {
        t = process.cpuUsage();
        realReader.read();
        realMs = cpuMs(t);
      }
      if (round < 0) continue; // warm-up: the first reads list the trees
      result.sample.push(sampleMs);
      result.fakeTree.push(fakeMs);
      if (realMs !== undefined) result.realTree!.push(realMs);
      await new Promise((r) => setTimeout(r, 100));
    }
    realReader?.close();
    fake?.close();
  } finally {
    sampler.close();
    removeReal(real.dirs);
    rmSync(base, { recursive: true, force: true });
  }
  return result;
}

/** One line per figure: medians and the ratio to a sample alone. */
export function describeCgroupCost(r: CgroupCostResult): string[] {
  const s = median(r.sample) ?? NaN;
  const line = (what: string, xs: number[]) => {
    const m = median(xs) ?? NaN;
    return `${what}: ${m.toFixed(2)} ms per read, ${(m / s).toFixed(2)}x a sample alone`;
  };
  return [
    `sample + model of this machine alone: ${s.toFixed(2)} ms CPU (median of ${r.sample.length})`,
    line(`fake v2 tree of ${r.groups} groups (plain files, opened each read)`, r.fakeTree),
    r.realTree ? line(`${r.groups} real v1/v2 groups below this process's own (fds kept open)`, r.realTree) : `real groups: not measured (${r.realNote})`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureCgroupCost(Number(process.env.ROUNDS ?? 20));
  for (const l of describeCgroupCost(r)) console.log(l);
}
