/**
 * Byte-for-byte comparison of two builds' outputs: --json, --text (every
 * view, three widths) and the exposition in both formats (Prometheus text,
 * OpenMetrics), on the case-study trees (fixtures/case-study, --proc/--sys),
 * fake trees (a leaker growing, a process exiting, one born, a v2 cgroup
 * tree), and recordings (each build records the same trees; each build
 * replays both recordings, so an older build's log is read by the newer and
 * the other way round). For a refactoring that must not change what memtop
 * prints.
 *
 *   node --import tsx bench/compare-builds.ts OLD_DIST NEW_DIST [OUT_DIR] [--drop REGEX] [--drop-column NAME]
 *
 * OLD_DIST: the dist/ of the build before (e.g. a clone of main under /tmp,
 * built there), NEW_DIST: this one's. Exits 1 and shows the first differing
 * lines when any output differs. For a figure one build adds on purpose:
 * `--drop REGEX` removes the exposition lines that match and the JSON
 * `"key":value` pairs whose key matches (`--drop 'shmsz|memtop_process_shmem'`),
 * `--drop-column NAME` cuts a process column of width 6 out of the text
 * (from its header down to the end of the list); the rest must be identical.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeRoot, initialState } from '../test/prometheus-helpers.js';

const args = process.argv.slice(2);
const dropAt = args.indexOf('--drop');
const drop = dropAt >= 0 ? new RegExp(args.splice(dropAt, 2)[1]!) : undefined;
const columnAt = args.indexOf('--drop-column');
const dropColumn = columnAt >= 0 ? args.splice(columnAt, 2)[1]! : undefined;
const [oldDist, newDist, outArg] = args;
if (!oldDist || !newDist) {
  console.error('usage: compare-builds.ts OLD_DIST NEW_DIST [OUT_DIR] [--drop REGEX]');
  process.exit(2);
}
const out = outArg ?? mkdtempSync(join(tmpdir(), 'memtop-compare-'));
const CASE = resolve('fixtures/case-study');
const MOMENTS = ['t151212', 't151232', 't151332', 't151352', 't151832', 't151852'];
const WIDTHS = [80, 160, 250];

interface Scenario {
  name: string;
  roots: string[];
  sys: string;
  /** Wall clock of each sample, ms. */
  times: number[];
}

/** A fake machine at three moments: a leaker grows and swaps, a process exits, one is born. */
function fakeTrees(dir: string): Scenario {
  const root = new FakeRoot(initialState());
  const roots: string[] = [];
  const keep = (i: number) => {
    root.write();
    const to = join(dir, `fake${i}`);
    cpSync(root.dir, to, { recursive: true });
    roots.push(join(to, 'proc'));
  };
  keep(0);
  root.advance(10);
  const leaker = root.process(300);
  leaker.rss += 4096 * 5000;
  leaker.minflt = (leaker.minflt ?? 0) + 5000;
  root.process(200).swap = 4096 * 300;
  root.state.procs = root.state.procs.filter((p) => p.pid !== 400);
  root.state.procs.push({ pid: 500, comm: 'newborn', rss: 4096 * 300, vsize: 50e6, minflt: 30, majflt: 1, swap: 0, starttime: 100500 });
  keep(1);
  root.advance(10);
  leaker.rss += 4096 * 5000;
  root.state.vmstat.oom_kill = (root.state.vmstat.oom_kill ?? 0) + 1;
  keep(2);
  const sys = join(dir, 'fake0', 'sys');
  root.remove();
  return { name: 'fake', roots, sys, times: [0, 10, 20].map((s) => Date.UTC(2026, 0, 1, 12, 0, s)) };
}

function caseStudyScenarios(): Scenario[] {
  const at = (m: string) => new Date(2010, 2, 2, Number(m.slice(1, 3)), Number(m.slice(3, 5)), Number(m.slice(5, 7))).getTime();
  const pairs: Scenario[] = [];
  for (let i = 0; i + 1 < MOMENTS.length; i++) {
    const [a, b] = [MOMENTS[i]!, MOMENTS[i + 1]!];
    pairs.push({ name: `case-${a}-${b}`, roots: [join(CASE, a), join(CASE, b)], sys: join(CASE, 'sys'), times: [at(a), at(b)] });
  }
  return pairs;
}

/** Every output of one build on one scenario, in process (the same entry points the run modes call). */
async function inProcess(dist: string, sc: Scenario, dir: string): Promise<void> {
  const { Sampler } = await import(join(dist, 'reader/sampler.js'));
  const { buildInterval } = await import(join(dist, 'model/interval.js'));
  const { intervalJsonLine } = await import(join(dist, 'output/json.js'));
  const { renderText } = await import(join(dist, 'output/text.js'));
  const { renderExposition, OomVictims } = await import(join(dist, 'export/exposition.js'));
  const { VIEWS } = await import(join(dist, 'columns/views.js'));
  const needsVariants = [{}, { io: true, cmdline: true, pss: true, cgroups: true }];
  for (const [n, needs] of needsVariants.entries()) {
    let prev;
    const text: string[] = [];
    for (const [i, root] of sc.roots.entries()) {
      const sampler = new Sampler({ proc: root, sys: sc.sys, now: () => sc.times[i]!, kmsg: false });
      const cur = sampler.sample(needs);
      const iv = buildInterval(prev, cur, {});
      prev = cur;
      text.push(`### sample ${i} json\n${intervalJsonLine(iv)}`);
      for (const view of Object.keys(VIEWS)) {
        for (const width of WIDTHS) {
          text.push(`### sample ${i} text ${view} ${width}\n${renderText(iv, { width, view: VIEWS[view], allProcs: true })}`);
        }
      }
      for (const format of ['prometheus', 'openmetrics']) {
        const oom = new OomVictims();
        oom.add(iv);
        text.push(`### sample ${i} ${format}\n${renderExposition(iv, cur, { top: 20, sampleSeconds: 0.001, oomVictims: oom.byCommand, format })}`);
      }
    }
    writeFileSync(join(dir, `${sc.name}-needs${n}.txt`), text.join('\n'));
  }
}

function cli(dist: string, argv: string[]): string {
  const r = spawnSync(process.execPath, [join(dist, 'bin.cjs'), ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return `### ${argv.join(' ')} (exit ${r.status})\n${r.stdout}${r.stderr ? `### stderr\n${r.stderr}` : ''}`;
}

/** A recording of the scenario's trees written by `dist` (one sample per tree, appended). */
function record(dist: string, sc: Scenario, file: string): void {
  rmSync(file, { force: true });
  for (const root of sc.roots) {
    const r = spawnSync(process.execPath, [join(dist, 'bin.cjs'), '-w', file, '--proc', root, '--sys', sc.sys, '1', '1'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`recording with ${dist} failed: ${r.stderr}`);
  }
}

function replays(dist: string, recordings: string[], dir: string): void {
  for (const file of recordings) {
    const text: string[] = [];
    text.push(cli(dist, ['-r', file, '--json']));
    text.push(cli(dist, ['-r', file, '--json', '-V', 'disk']));
    for (const view of ['generic', 'memory', 'disk', 'command', 'user', 'program', 'leak']) {
      for (const width of WIDTHS) text.push(cli(dist, ['-r', file, '--text', '-a', '-f', '-V', view, '--width', String(width)]));
    }
    writeFileSync(join(dir, `replay-${file.split('/').pop()}.txt`), text.join('\n'));
  }
}

function dropped(text: string): string {
  let lines = text.split('\n');
  if (dropColumn) {
    const cell = ` ${dropColumn.padStart(6)}`;
    let at = -1;
    lines = lines.map((l) => {
      const i = l.indexOf(cell);
      if (i >= 0 && /^\s*(PID|NPROCS) /.test(l)) at = i;
      else if (l === '' || l.startsWith('###')) at = -1;
      return at >= 0 ? l.slice(0, at) + l.slice(at + cell.length) : l;
    });
  }
  if (!drop) return lines.join('\n');
  return lines.filter((l) => !(l.startsWith('memtop_') || l.startsWith('# ')) || !drop.test(l)).join('\n')
    .replace(new RegExp(`,"(?:${drop.source})":(?:null|-?[0-9.e+]+|"[^"]*")`, 'g'), '');
}

const trees = join(out, 'trees');
mkdirSync(trees, { recursive: true });
const scenarios = [...caseStudyScenarios(), fakeTrees(trees)];
const builds = { old: resolve(oldDist), new: resolve(newDist) };
const recordings: string[] = [];
for (const [label, dist] of Object.entries(builds)) {
  for (const sc of [scenarios[0]!, scenarios[4]!, scenarios[scenarios.length - 1]!]) {
    const file = join(out, `rec-${label}-${sc.name}`);
    record(dist, sc, file);
    recordings.push(file);
  }
}
for (const [label, dist] of Object.entries(builds)) {
  const dir = join(out, label);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const sc of scenarios) await inProcess(dist, sc, dir);
  replays(dist, recordings, dir);
}
let differ = 0;
let bytes = 0;
for (const name of readdirSync(join(out, 'old')).sort()) {
  const a = dropped(readFileSync(join(out, 'old', name), 'utf8'));
  const b = dropped(readFileSync(join(out, 'new', name), 'utf8'));
  bytes += a.length;
  if (a === b) continue;
  differ++;
  const la = a.split('\n');
  const lb = b.split('\n');
  const i = la.findIndex((l, k) => l !== lb[k]);
  console.log(`DIFFERS ${name} at line ${i + 1}:\n  old: ${la[i]?.slice(0, 300)}\n  new: ${lb[i]?.slice(0, 300)}`);
}
const files = readdirSync(join(out, 'old')).length;
console.log(`${files - differ}/${files} outputs identical (${bytes} bytes compared), in ${out}`);
process.exit(differ > 0 ? 1 : 0);
