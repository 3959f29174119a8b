/**
 * The fuzzer that found issue 11's failures, kept: fake /proc trees with
 * files replaced by hostile ones (a FIFO, a directory, a symlink loop, a
 * device, a sparse giant) and numbers replaced by absurd ones (negative,
 * 1e308, 2^70, NaN, words), from a fixed seed. memtop reads each as --json
 * and --text with a SIGKILL deadline: it must end by itself, exit 0, print
 * no NaN/Infinity and no internal error. FUZZ_TREES sets how many trees
 * (default 8, about ten seconds); contrib/fuzz.sh runs hundreds.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { memtop } from './helpers/cli.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { HOSTILE, plantHostile, random } from './helpers/fuzz.js';

const TREES = Number(process.env.FUZZ_TREES ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 11);

const ABSURD = ['-1', '-7', '1e308', '-1e308', '1180591620717411303424', 'NaN', 'Infinity', 'abc', '0x10', '3.5', ''];

test(`${TREES} fuzzed /proc trees (seed ${SEED}): every run ends by itself, exit 0, no NaN, no internal error`, { timeout: 30_000 + TREES * 8000 }, () => {
  const rnd = random(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let n = 0; n < TREES; n++) {
    const files = fakeProcFiles({ uptime: 100, procs: [{ pid: 40, swapKb: 8 }, { pid: 41 }, { pid: 42 }] });
    const names = Object.keys(files);
    // Numbers replaced by absurd ones in a few files.
    for (let k = 0; k < 4; k++) {
      const name = pick(names);
      files[name] = files[name]!.replace(/\d+/g, (d) => (rnd() < 0.2 ? pick(ABSURD) : d));
    }
    const proc = makeTree(files);
    // A file or two replaced by what the kernel never puts there.
    const planted: string[] = [];
    for (let k = 0; k < 2; k++) {
      const name = pick(names);
      const path = join(proc, name);
      const kind = pick(HOSTILE);
      rmSync(path, { force: true, recursive: true });
      plantHostile(path, kind, 64 << 20);
      planted.push(`${name}=${kind}`);
    }
    for (const mode of ['--json', '--text']) {
      const r = memtop(['--proc', proc, '--sys', join(proc, 'nosys'), mode, '0.1', '2'], { timeout: 15_000 });
      const what = `tree ${n} (${planted.join(', ')}) ${mode}`;
      assert.equal(r.signal, null, `${what}: hung`);
      // A stat without its cpu line is refused as not a proc root (exit 2): that is a clear answer too.
      if (r.code === 2) {
        assert.match(r.err, /not a proc root/, what);
        continue;
      }
      assert.equal(r.code, 0, `${what}: ${r.err}`);
      assert.doesNotMatch(r.err, /internal error/, what);
      assert.doesNotMatch(r.out, /NaN|Infinity/, what);
      if (mode === '--json') for (const line of r.out.trim().split('\n')) JSON.parse(line);
    }
    rmSync(proc, { recursive: true, force: true });
  }
});
