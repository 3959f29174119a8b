/**
 * Two builds side by side in the same run: the CPU of one sample + interval
 * (each build's own Sampler and buildInterval on /proc, old and new
 * alternating within every round, so both meet the same load), and the
 * screen's CPU per refresh (each build's `memtop -m 1` in a tmux pane, as
 * bench/screen-cost.ts runs it, old and new alternating run by run).
 * Medians of the same rounds; on a loaded machine only the ratio means much.
 *
 *   node --import tsx bench/builds-cost.ts OLD_ROOT NEW_ROOT [ROUNDS] [SCREEN_RUNS] [WARMUP_SECONDS]
 *
 * OLD_ROOT and NEW_ROOT are checkouts with a built dist/ (e.g. a clone of
 * main under /tmp and this worktree).
 */
import { join, resolve } from 'node:path';
import { runPeer, stopAllServers } from './screen-cost.js';
import { median, sleep } from './stats.js';

const [oldRoot, newRoot, roundsArg, screenArg, warmupArg] = process.argv.slice(2);
if (!oldRoot || !newRoot) {
  console.error('usage: builds-cost.ts OLD_ROOT NEW_ROOT [ROUNDS] [SCREEN_RUNS] [WARMUP_SECONDS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 40);
const screenRuns = Number(screenArg ?? 3);
const builds = [{ label: 'old', root: resolve(oldRoot) }, { label: 'new', root: resolve(newRoot) }];

interface Live {
  label: string;
  step: () => void;
  ms: number[];
}

async function live(label: string, root: string): Promise<Live> {
  const { Sampler } = await import(join(root, 'dist/reader/sampler.js'));
  const { buildInterval } = await import(join(root, 'dist/model/interval.js'));
  const sampler = new Sampler({ proc: '/proc', sys: '/sys', kmsg: false });
  let prev = sampler.sample();
  return {
    label,
    ms: [],
    step: () => {
      const cur = sampler.sample();
      buildInterval(prev, cur, {});
      prev = cur;
    },
  };
}

const cpuMs = (f: () => void) => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

const lives = await Promise.all(builds.map((b) => live(b.label, b.root)));
for (let i = 0; i < 5; i++) for (const l of lives) l.step(); // warm-up: JIT
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? lives : [...lives].reverse();
  for (const l of order) l.ms.push(cpuMs(l.step));
  await sleep(250);
}
const [o, n] = lives.map((l) => median(l.ms));
console.log(`sampler + model, /proc, ${rounds} rounds alternating: old ${o!.toFixed(2)} ms, new ${n!.toFixed(2)} ms per sample (new/old ${(n! / o!).toFixed(3)})`);

if (screenRuns > 0) {
  const opts = { width: 200, height: 50, startupSeconds: 5, warmupSeconds: Number(warmupArg ?? 12), refreshes: 8 };
  const per: Record<string, number[]> = { old: [], new: [] };
  try {
    for (let r = 0; r < screenRuns; r++) {
      for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
        const run = await runPeer({ name: `h22-${b.label}`, label: b.label, argv: [join(b.root, 'dist/bin.cjs'), '-m', '1'] }, opts);
        if (run.cpuMs === undefined) throw new Error(`${b.label}: ${run.error ?? 'no figure'}`);
        per[b.label]!.push(run.cpuMs);
        console.log(`  screen run ${r + 1} ${b.label}: ${run.cpuMs.toFixed(1)} ms per refresh`);
      }
    }
  } finally {
    stopAllServers();
  }
  const [so, sn] = [median(per.old!), median(per.new!)];
  console.log(`screen (memtop -m 1, 200x50), ${screenRuns} runs each alternating: old ${so!.toFixed(1)} ms, new ${sn!.toFixed(1)} ms per refresh (new/old ${(sn! / so!).toFixed(3)})`);
}
