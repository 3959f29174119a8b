/**
 * memtop's benchmark: `npm run bench` (build, then this file).
 *
 * At N idle processes (N = 250 and 2000, started here and stopped at the end)
 * it measures, in one run:
 *   1. CPU per sample of memtop's sampler + model against the Node floor and
 *      atop -w (sampler-cost.ts, issue 2);
 *   2. CPU per refresh of the whole program at 200x50 in tmux against atop,
 *      htop, btop and a minimal blessed table, and memtop's RSS
 *      (screen-cost.ts, issue 3);
 *   3. raw log bytes per sample against atop -w, through bench/rawlog-size.ts
 *      when that file is there (issue 4);
 *   4. start-up: wall time from exec to the first full screen in a 200x50
 *      tmux pane and to the first --json line, against atop and btop, the
 *      programs taking turns (startup.ts, issue 14); the CPU of the first
 *      10 s comes from part 2, where the programs start side by side;
 *   5. what reading a tree of 500 memory cgroups adds to a sample
 *      (cgroup-cost.ts, issue 12);
 *   6. how much memtop --stacks slows a malloc-heavy target, full and
 *      sampled (stacks-cost.ts, issue 19);
 * and writes docs/BENCHMARKS.md with the figures and the command.
 *
 * Environment: BENCH_QUICK=1 for a short smoke run (written to the temp
 * directory, not docs/); BENCH_N=250,2000 for other process counts (250,2000,10000 with issue 23's largest);
 * BENCH_OUT=FILE to write the report elsewhere; BENCH_PARTS=startup (a
 * comma-separated list of sampler, screen, rawlog, startup, cgroups) to run only some
 * parts (the smoke test runs the start-up part alone this way).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, machine } from './machine.js';
import { renderReport, type RawlogFigures, type RawlogPart, type Report, type ScreenPart } from './report.js';
import { measureSamplerCost } from './sampler-cost.js';
import { runPeer, screenPeers, stopAllServers, which, type Peer } from './screen-cost.js';
import { Sleepers } from './sleepers.js';
import { measureStartup, type StreamPeer } from './startup.js';
import { allPids } from './cputime.js';
import { measureCgroupCost } from './cgroup-cost.js';
import { measureStacksCost } from './stacks-cost.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const quick = process.env.BENCH_QUICK === '1';
const counts = (process.env.BENCH_N ?? (quick ? '250' : '250,2000')).split(',').map(Number);
const settings = quick
  ? { samplerSamples: 5, screenRounds: 1, screenRefreshes: 2, screenStartup: 5, screenWarmup: 8, rawlogSamples: 3, startupRounds: 1 }
  : { samplerSamples: 30, screenRounds: 3, screenRefreshes: 10, screenStartup: 10, screenWarmup: 45, rawlogSamples: 10, startupRounds: 7 };
const PARTS = ['sampler', 'screen', 'rawlog', 'startup', 'cgroups', 'stacks'] as const;
const parts = new Set((process.env.BENCH_PARTS ?? PARTS.join(',')).split(',').map((x) => x.trim()));
for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_PARTS: unknown part '${p}' (known: ${PARTS.join(', ')})`);
const out = process.env.BENCH_OUT ?? (quick ? join(tmpdir(), 'memtop-BENCHMARKS-quick.md') : join(root, 'docs/BENCHMARKS.md'));

const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);

const sleepers = new Sleepers();
const cleanup = () => {
  sleepers.stop();
  stopAllServers();
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping what the benchmark started`);
    cleanup();
    process.exit(130);
  });
}

/**
 * Issue 4's hook: bench/rawlog-size.ts measures memtop's raw log against
 * atop -w. It is loaded only when present, and its result read field by
 * field, so this run works with or without it.
 */
async function rawlogSize(samples: number): Promise<RawlogFigures | string> {
  const file = join(root, 'bench/rawlog-size.ts');
  if (!existsSync(file)) return 'bench/rawlog-size.ts is not there yet (the raw log benchmark of issue 4).';
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const measure = mod.measureRawlogSize;
  if (typeof measure !== 'function') return 'bench/rawlog-size.ts exports no measureRawlogSize().';
  const r = (await measure({ interval: 1, samples, extra: 0 })) as Record<string, unknown>;
  const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : undefined);
  return {
    procs: num('procs'),
    samples: num('samples'),
    memtopPerSample: num('memtopPerSample'),
    atopPerSample: num('atopPerSample'),
    ratio: num('ratio'),
    memtopWriteMs: num('memtopWriteMs'),
  };
}

/**
 * What any Node program pays before its first full screen (bench/startup-floor.cjs), started as memtop's
 * shebang starts node: the floor under memtop's start-up figures.
 */
function floorPeers(root: string): Peer[] {
  const node = ['env', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '--max-semi-space-size=4', join(root, 'bench/startup-floor.cjs')];
  return [
    { name: 'floor-text', label: 'floor: node writing one page', argv: [...node, 'text'] },
    { name: 'floor-blessed', label: 'floor: node + blessed, one page', argv: [...node, 'blessed'] },
  ];
}

/** The programs whose first line of machine-readable output is timed. */
function streamPeers(root: string): StreamPeer[] {
  const cli = join(root, 'dist/bin.cjs');
  const atop = which('atop');
  return [
    { name: 'memtop', label: 'memtop --json 1', argv: [cli, '--json', '1'], missing: existsSync(cli) ? undefined : 'dist/bin.cjs is missing' },
    { name: 'atop', label: 'atop -J ALL 1', argv: atop ? [atop, '-J', 'ALL', '1'] : [], missing: atop ? undefined : 'not installed (Debian package atop)' },
  ];
}

async function main(): Promise<void> {
  const facts = machine(root);
  const loadStart = load();
  const atop = which('atop');
  const report: Report = {
    command: quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
    quick,
    machine: facts,
    loadStart,
    loadEnd: '',
    seconds: 0,
    sleeperNotes: [],
    settings,
    sampler: [],
    screen: [],
    rawlog: [],
    startup: [],
    parts: [...parts],
  };
  for (const [name, v] of Object.entries(facts.tools)) if (v === 'not installed') log(`${name} is not installed: its figures are left out`);

  for (const n of counts) {
    await sleepers.add(n - sleepers.count());
    const have = sleepers.count();
    if (have < n) {
      const why = sleepers.errors[sleepers.errors.length - 1] ?? 'the machine refused more processes';
      report.sleeperNotes.push(`N=${n} could not be reached: ${have} idle processes were running (${why}).`);
      log(`only ${have} of ${n} idle processes could be started: ${why}`);
    }
    log(`${have} idle processes (${allPids().length} processes in all)`);

    if (parts.has('sampler')) {
      log(`part 1: sampler+model, Node floor, atop -w (${settings.samplerSamples} rounds)`);
      const s = await measureSamplerCost({ samples: settings.samplerSamples, warmup: 2, atop });
      report.sampler.push({ sleepers: have, result: s });
    }

    const procs = allPids().length;
    const peers = screenPeers(root, procs);
    if (parts.has('startup')) {
      log(`part 4: start-up of memtop, atop, btop, taking turns (${settings.startupRounds} rounds)`);
      const onScreen = [...peers.filter((p) => ['memtop', 'atop', 'btop'].includes(p.name)), ...floorPeers(root)];
      const part = await measureStartup(onScreen, streamPeers(root), settings.startupRounds, procs);
      report.startup.push({ sleepers: have, ...part });
    }
    if (parts.has('screen')) {
      const part: ScreenPart = { sleepers: have, procs, peers, runs: {} };
      for (let round = 0; round < settings.screenRounds; round++) {
        // All programs run side by side, each in its own tmux server, and are measured over the same
        // seconds: a steady state needs a long warm-up, and taking turns would multiply it.
        log(`part 2: round ${round + 1}/${settings.screenRounds}: ${peers.map((p) => p.name).join(', ')} side by side`);
        const runs = await Promise.all(
          peers.map((peer) =>
            runPeer(peer, {
              width: 200,
              height: 50,
              startupSeconds: settings.screenStartup,
              warmupSeconds: settings.screenWarmup,
              refreshes: settings.screenRefreshes,
            }),
          ),
        );
        peers.forEach((peer, i) => {
          const run = runs[i]!;
          if (run.error && !peer.missing) log(`  ${peer.name}: ${run.error}`);
          (part.runs[peer.name] ??= []).push(run);
        });
      }
      report.screen.push(part);
    }

    if (parts.has('rawlog')) {
      log('part 3: raw log size');
      const r = await rawlogSize(settings.rawlogSamples).catch((err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`);
      if (typeof r === 'string' && r.includes('not there yet')) report.rawlogMissing = r;
      else report.rawlog.push(typeof r === 'string' ? ({ sleepers: have, note: r } satisfies RawlogPart) : { sleepers: have, figures: r });
    }
  }

  if (parts.has('cgroups')) {
    log('part 5: a cgroup tree of 500 groups');
    report.cgroups = await measureCgroupCost(quick ? 3 : 20);
  }

  if (parts.has('stacks')) {
    log('part 6: a malloc-heavy target traced by memtop --stacks (full and sampled)');
    report.stacks = await measureStacksCost(root, quick ? 3 : 6);
  }

  cleanup();
  report.loadEnd = load();
  report.seconds = (Date.now() - started) / 1000;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderReport(report));
  log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  cleanup();
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
