/** docs/BENCHMARKS.md from the figures of one run. */
import { readFileSync } from 'node:fs';
import { describeCgroupCost, type CgroupCostResult } from './cgroup-cost.js';
import { describeStacksCost, type StacksCostResult } from './stacks-cost.js';
import type { Machine } from './machine.js';
import type { SamplerCostResult } from './sampler-cost.js';
import type { Peer, PeerRun } from './screen-cost.js';
import type { StartupPart as StartupRuns, StartupRun } from './startup.js';
import { mean, median, mib, ms, range, ratios, times } from './stats.js';

export interface SamplerPart {
  sleepers: number;
  result: SamplerCostResult;
}

export interface ScreenPart {
  sleepers: number;
  procs: number;
  peers: Peer[];
  /** Peer name to its runs, index = round. */
  runs: Record<string, PeerRun[]>;
}

/** What bench/rawlog-size.ts reports (read defensively: it is another file's interface). */
export interface RawlogFigures {
  procs?: number;
  samples?: number;
  memtopPerSample?: number;
  atopPerSample?: number;
  ratio?: number;
  memtopWriteMs?: number;
}

export interface RawlogPart {
  sleepers: number;
  figures?: RawlogFigures;
  note?: string;
}

export interface StartupPart extends StartupRuns {
  sleepers: number;
}

export interface Report {
  command: string;
  quick: boolean;
  machine: Machine;
  loadStart: string;
  loadEnd: string;
  seconds: number;
  /** Lines about the idle processes (how many could be started). */
  sleeperNotes: string[];
  settings: {
    samplerSamples: number;
    screenRounds: number;
    screenRefreshes: number;
    screenStartup: number;
    screenWarmup: number;
    startupRounds: number;
  };
  sampler: SamplerPart[];
  screen: ScreenPart[];
  rawlog: RawlogPart[];
  startup: StartupPart[];
  /** Part 5: the cost of a 500-group cgroup tree (bench/cgroup-cost.ts). */
  cgroups?: CgroupCostResult;
  /** Part 6: the slowdown of a malloc-heavy target under memtop --stacks (bench/stacks-cost.ts). */
  stacks?: StacksCostResult;
  /** The parts that ran (BENCH_PARTS). */
  parts: string[];
  /** Set when bench/rawlog-size.ts is not there: the hook's message. */
  rawlogMissing?: string;
}

/** A paragraph: sentences joined on one line (markdown wraps it). */
const para = (...sentences: string[]) => sentences.join(' ');
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'not met');
const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
/** A peer's CPU ms per refresh by round (undefined where it failed or gave only a per-second figure). */
const cpuPerRefresh = (part: ScreenPart, name: string) =>
  (part.runs[name] ?? []).map((x) => (x.perSecond ? undefined : x.cpuMs));
const both = (xs: number[]) => `${ms(median(xs))} (${ms(mean(xs))})`;

function samplerSection(r: Report): string[] {
  const out = [
    '## 1. Sampler and model, per sample (issue 2)',
    '',
    para(
      "memtop's `Sampler.sample()` + `buildInterval(prev, cur)` on /proc, in the benchmark's own process, timed",
      'with `process.cpuUsage()`. The Node floor, in the same process: `readdirSync("/proc")` and `readFileSync`',
      'of /proc/PID/stat and /proc/PID/status for every pid, nothing else. `atop -w FILE 1 K` runs beside them;',
      'its CPU is read each time its raw file grows by a sample. Each second is one round: atop samples, then',
      `memtop, then the floor, never overlapping; ${r.settings.samplerSamples} rounds after two warm-up samples (the first`,
      'covers the time since boot). Figures are CPU milliseconds per sample, the median of the rounds with the',
      "mean in parentheses (the mean includes memtop's re-read of unchanged processes' status files, each every",
      '30 samples); ratios are the',
      'median of the per-round ratios, with the ratio of the means in parentheses.',
    ),
    '',
    '| idle processes started | processes seen | memtop sampler+model ms | Node floor ms | atop -w ms | memtop / floor | memtop / atop |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const { sleepers, result: x } of r.sampler) {
    const atop = defined(x.atop);
    const rf = ratios(x.memtop, x.floor);
    const ra = ratios(x.memtop, x.atop);
    const meanRatio = (a: number[], b: number[]) => {
      const ma = mean(a);
      const mb = mean(b);
      return ma !== undefined && mb ? ` (${times(ma / mb)})` : '';
    };
    const atopMemtop = x.memtop.filter((_, i) => x.atop[i] !== undefined);
    out.push(
      `| ${sleepers} | ${x.procs} | ${both(x.memtop)} | ${both(x.floor)} | ${atop.length ? both(atop) : 'n/a'} | ` +
        `${times(median(rf))}${meanRatio(x.memtop, x.floor)} | ${ra.length ? `${times(median(ra))}${meanRatio(atopMemtop, atop)}` : 'n/a'} |`,
    );
    if (x.atopNote) notes.push(`At ${sleepers} idle processes atop gave no figure: ${x.atopNote}.`);
  }
  out.push('');
  const top = r.sampler[r.sampler.length - 1];
  if (top) {
    const x = top.result;
    const rf = median(ratios(x.memtop, x.floor));
    const ra = median(ratios(x.memtop, x.atop));
    out.push(
      `What it means: with ${x.procs} processes memtop's sampler and model cost ${ms(median(x.memtop))} ms of CPU per ` +
        `sample, ${times(rf)} the Node floor (target at N=2000: at most 1.5x, ${verdict(rf === undefined ? undefined : rf <= 1.5)}) ` +
        `and ${times(ra)} atop -w (target: below atop, ${verdict(ra === undefined ? undefined : ra < 1)}); memtop can beat ` +
        'the floor because it keeps stat files open (one pread each instead of open, read and close) and re-reads a ' +
        'status file only when stat shows the process changed.',
    );
  }
  out.push(...notes.map((n) => `\n${n}`), '');
  return out;
}

function screenSection(r: Report): string[] {
  const out = [
    '## 2. The whole program at 200x50 in tmux, per refresh (issue 3)',
    '',
    para(
      'Each program runs in a detached tmux session of 200x50 on its own socket (`tmux -L NAME`), with a',
      'private HOME; the programs of a round run side by side, started together and measured over the same',
      `seconds, for ${r.settings.screenRounds} round(s), each started afresh. A monitor runs for hours, so the main figure is the`,
      `steady state: after a warm-up of ${r.settings.screenWarmup} s (memtop's JIT compiles its hot code in the first half`,
      "minute; the C programs have nothing to warm), the CPU of the program's threads and children is read",
      `half a second after a refresh, and again half a second after ${r.settings.screenRefreshes} more. The start-up is shown`,
      `beside it: CPU per second over the first ${r.settings.screenStartup} s, loading and compiling included. A refresh is a`,
      'burst of output on the terminal (tmux pipe-pane), so the figure is per refresh even for a program whose',
      'period drifts beyond 1 s (htop waits its delay after each refresh: see s/refresh). btop gets',
      '`update_ms = 1000` and `clock_format = ""` (its clock would draw between refreshes). memtop is',
      '`dist/bin.cjs -m 1` (the installed `memtop`), the memory view, started as a user starts it (its shebang runs node with',
      '`--max-semi-space-size=4`); the blessed baseline is bench/blessed-table.mjs, a ListTable',
      'of one row per process, all rows changing every second, reading nothing. Figures are CPU milliseconds',
      'per refresh, the median of the rounds; ratios are the median of the per-round ratios; RSS is VmRSS',
      'after the measured refreshes and peak RSS is VmHWM, the most the program held at any moment.',
    ),
    '',
  ];
  for (const part of r.screen) {
    out.push(
      `### ${part.sleepers} idle processes started (${part.procs} processes seen)`,
      '',
      `| program | display | CPU ms/refresh | min-max | s/refresh | first ${r.settings.screenStartup} s, ms/s | RSS MiB | peak RSS MiB | / atop | / btop |`,
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const peer of part.peers) {
      const runs = part.runs[peer.name] ?? [];
      const ok = runs.filter((x) => x.cpuMs !== undefined);
      if (ok.length === 0) {
        const why = peer.missing ?? runs.find((x) => x.error)?.error ?? 'no figure';
        out.push(`| ${peer.label} | ${why} | n/a | | | | | | | |`);
        continue;
      }
      const values = ok.map((x) => x.cpuMs!);
      const perSecond = ok.some((x) => x.perSecond);
      const display =
        peer.name === 'memtop' && !ok.every((x) => x.altScreen)
          ? 'text stream: the live screen had not landed in this build'
          : ok.every((x) => x.altScreen) ? 'full screen' : 'text';
      const vs = (other: string) => {
        if (other === peer.name || !part.runs[other]) return '';
        const rs = ratios(cpuPerRefresh(part, peer.name), cpuPerRefresh(part, other));
        return rs.length ? times(median(rs)) : 'n/a';
      };
      out.push(
        `| ${peer.label} | ${display}${perSecond ? ' (no refresh seen: ms per second)' : ''} | ${ms(median(values))} | ` +
          `${range(values)} | ${median(defined(ok.map((x) => x.period)))?.toFixed(2) ?? 'n/a'} | ` +
          `${ms(median(defined(ok.map((x) => x.startupMs))))} | ` +
          `${mib(median(defined(ok.map((x) => x.rss))))} | ${mib(Math.max(0, ...defined(ok.map((x) => x.peakRss))) || undefined)} | ` +
          `${vs('atop')} | ${vs('btop')} |`,
      );
      const failed = runs.filter((x) => x.error);
      if (failed.length) out.push(`| | ${failed.length} run(s) failed: ${failed[0]!.error} | | | | | | | | |`);
    }
    out.push('', screenSentence(part, r.settings.screenStartup), '');
  }
  return out;
}

/** The sentence under a table of part 2: memtop against issue 3's targets. */
function screenSentence(part: ScreenPart, startupSeconds: number): string {
  const cpu = (name: string) => cpuPerRefresh(part, name);
  const ra = median(ratios(cpu('memtop'), cpu('atop')));
  const rb = median(ratios(cpu('memtop'), cpu('btop')));
  const memtopRuns = part.runs.memtop ?? [];
  // The target is judged on the peak over every round, not on one moment's RSS.
  const rss = Math.max(0, ...defined(memtopRuns.map((x) => x.peakRss))) || undefined;
  const measured = memtopRuns.filter((x) => x.cpuMs !== undefined);
  if (measured.length === 0) return 'What it means: memtop could not be measured in this run.';
  const screen = measured.every((x) => x.altScreen);
  const startup = (name: string) => median(defined((part.runs[name] ?? []).map((x) => x.startupMs)));
  const [startMemtop, startAtop] = [startup('memtop'), startup('atop')];
  const start =
    startMemtop === undefined || startAtop === undefined
      ? ''
      : ` Over its first ${startupSeconds} s, loading and compiling included, memtop costs ${ms(startMemtop)} ms of CPU ` +
        `per second against atop's ${ms(startAtop)} (${times(startMemtop / startAtop)}).`;
  return (
    `What it means: with ${part.procs} processes the whole memtop ${screen ? 'screen' : 'process (text output, not the screen)'} ` +
    `costs ${ms(median(defined(cpu('memtop'))))} ms of CPU per refresh, ${times(ra)} atop's ` +
    `(target: at most 0.8x, ${verdict(ra === undefined ? undefined : ra <= 0.8)}) and ${times(rb)} btop's ` +
    `(goal at N=2000: at most 1x, ${verdict(rb === undefined ? undefined : rb <= 1)}) in its steady state, and held at most ` +
    `${mib(rss)} MiB resident (target at N=2000: below 100 MiB, ${verdict(rss === undefined ? undefined : rss < 100 * 1048576)}).` +
    start
  );
}

function cgroupSection(r: Report): string[] {
  const out = ['## 5. Cgroup tree of 500 groups, per read (issue 12)', ''];
  if (!r.cgroups) return [...out, 'Not measured.', ''];
  out.push(
    para(
      'From bench/cgroup-cost.ts: each round takes one sample of this machine (sampler + model, as part 1), then one',
      'read of a 500-group tree: a fake v2 tree of plain files (opened each read, the dearer case) and, where the',
      "benchmark may make groups below its own memory cgroup, 500 real groups (fds kept open, as live). A tenth",
      'of the fake groups grow every round. The reads happen only while the cgroup view, the CGROUP column, --json,',
      'Prometheus or a recording needs the tree.',
    ),
    '',
    ...describeCgroupCost(r.cgroups).map((l) => `- ${l}`),
    '',
  );
  return out;
}

export function stacksSection(r: Report): string[] {
  const out = ['## 6. Allocation stacks: the traced target\'s slowdown (issue 19)', ''];
  if (!r.stacks) return [...out, 'Not measured.', ''];
  out.push(
    para(
      'From bench/stacks-cost.ts: bench/churn.c (gcc -O1 -g -fno-omit-frame-pointer) does malloc/free pairs as fast',
      'as it can and prints its rate every 250 ms; its rate untraced (3 s) against its rate inside the seconds',
      '`memtop --stacks PID --for 6 --json` recorded, with every allocation recorded and with the automatic sampling.',
      'Every call still crosses an entry and a return uprobe (and free its own): sampling saves the stack walk and',
      'map updates of the calls it skips, not the traps. bpftrace v0.17 attaches the uprobes to the library file,',
      'so other processes calling the same libc pay the traps too while a trace runs (the pid test is in the program).',
    ),
    '',
    ...describeStacksCost(r.stacks).map((l) => `- ${l}`),
    '',
  );
  return out;
}

function rawlogSection(r: Report): string[] {
  const out = ['## 3. Raw log size, per sample (issue 4)', ''];
  if (r.rawlogMissing) {
    out.push(`Not measured: ${r.rawlogMissing}`, '');
    return out;
  }
  out.push(
    para(
      "From bench/rawlog-size.ts: memtop's raw log writer and `atop -w FILE 1 K` record the same machine side",
      'by side; bytes per sample are whole file sizes (headers included) divided by the samples. The idle',
      "processes are identical `sleep`s, which compress far better than a real machine's processes: read these",
      'figures as a comparison with atop on the same processes, not as the size of a real log.',
    ),
    '',
    '| idle processes started | processes | samples | memtop B/sample | atop B/sample | memtop / atop | memtop write ms/sample |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const { sleepers, figures: f, note } of r.rawlog) {
    if (!f) {
      out.push(`| ${sleepers} | ${note ?? 'failed'} | | | | | |`);
      continue;
    }
    const n = (x: number | undefined) => (x === undefined ? 'n/a' : String(x));
    out.push(
      `| ${sleepers} | ${n(f.procs)} | ${n(f.samples)} | ${n(f.memtopPerSample)} | ${n(f.atopPerSample)} | ` +
        `${f.ratio === undefined ? 'n/a' : times(f.ratio)} | ${n(f.memtopWriteMs)} |`,
    );
  }
  const worst = Math.max(...defined(r.rawlog.map((x) => x.figures?.ratio)));
  out.push(
    '',
    Number.isFinite(worst)
      ? `What it means: memtop's raw log takes at most ${times(worst)} atop's bytes per sample here ` +
          `(target: at most 0.5x, ${verdict(worst <= 0.5)}).`
      : 'What it means: no size could be compared with atop in this run.',
    '',
  );
  return out;
}

function startupSection(r: Report): string[] {
  const out = [
    '## 4. Start-up (issue 14)',
    '',
    para(
      'A monitor is started when something is already wrong: what counts is how soon it shows something. Each',
      'program waits in a 200x50 tmux pane on a FIFO; opening the FIFO releases it into `exec` and starts the',
      "clock, so tmux's own start-up is not counted. The pane's output is copied to a file by tmux pipe-pane and",
      'watched with inotify (fs.watch); the first full screen is the last write of the first burst of output that',
      'leaves the pane full (all but two rows holding text; a burst ends after 300 ms without output, and every',
      'peer refreshes once a second); "rows" is how many rows of',
      'the pane held text then (a full screen fills the 50), and "CPU ms by then" the CPU the program had used',
      '(threads and children), which a loaded machine stretches less than the wall time. The first JSON line is the time from spawn to the',
      'first newline on stdout. The programs take turns, one at a time (memtop, atop, btop, then the JSON',
      `pair), for ${r.settings.startupRounds} round(s): a start-up is mostly CPU, so running them side by side would slow each`,
      'by the others. Figures are wall-clock milliseconds, the median of the rounds with min-max; ratios are the',
      'median of the per-round ratios. The CPU over the first seconds is taken from part 2, where the programs',
      'start side by side and the CPU of each is read from its threads and children. Each program starts once,',
      'untimed, before the rounds, and all starts of the run share one XDG_CACHE_HOME: memtop\'s later starts',
      'read V8\'s code cache of its bundle from there (on Node before 22.1; src/codecache.cts), as a user\'s do',
      'from ~/.cache. memtop\'s command drops NODE_EXTRA_CA_CERTS from its environment (its shebang); where',
      'that variable is set, as on this machine, Node 20 otherwise parses the certificate bundle it names',
      'before the first line of memtop runs (80 ms of CPU here).',
    ),
    '',
  ];
  for (const part of r.startup) {
    const screenPart = r.screen.find((x) => x.sleepers === part.sleepers);
    const cpu = (name: string) => (screenPart?.runs[name] ?? []).map((x) => x.startupMs);
    out.push(
      `### ${part.sleepers} idle processes started (${part.procs} processes seen)`,
      '',
      `| program | first full screen ms | min-max | first byte ms | rows | / atop | CPU ms by then | first ${r.settings.screenStartup} s CPU ms/s | / atop |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const wall = (runs: StartupRun[] | undefined) => (runs ?? []).map((x) => x.screenMs);
    for (const peer of part.screenPeers) {
      const runs = part.screen[peer.name] ?? [];
      const ok = defined(wall(runs));
      if (ok.length === 0) {
        out.push(`| ${peer.label} | ${peer.missing ?? runs.find((x) => x.error)?.error ?? 'no figure'} | | | | | | | |`);
        continue;
      }
      const vs = peer.name === 'atop' ? '' : times(median(ratios(wall(runs), wall(part.screen.atop))));
      const used = defined(runs.map((x) => x.cpuMs));
      const c = defined(cpu(peer.name));
      const cvs = peer.name === 'atop' ? '' : times(median(ratios(cpu(peer.name), cpu('atop'))));
      const rows = defined(runs.map((x) => x.rows));
      out.push(
        `| ${peer.label} | ${ms(median(ok))} | ${range(ok)} | ${ms(median(defined(runs.map((x) => x.firstByteMs))))} | ` +
          `${rows.length ? Math.min(...rows) : 'n/a'} | ${vs} | ${ms(median(used))} | ${c.length ? ms(median(c)) : 'n/a'} | ${c.length ? cvs : ''} |`,
      );
    }
    out.push('', '| program | first JSON line ms | min-max | / atop |', '|---|---:|---:|---:|');
    for (const peer of part.streamPeers) {
      const runs = part.stream[peer.name] ?? [];
      const ok = defined(wall(runs));
      if (ok.length === 0) {
        out.push(`| ${peer.label} | ${peer.missing ?? runs.find((x) => x.error)?.error ?? 'no figure'} | | |`);
        continue;
      }
      const vs = peer.name === 'atop' ? '' : times(median(ratios(wall(runs), wall(part.stream.atop))));
      out.push(`| ${peer.label} | ${ms(median(ok))} | ${range(ok)} | ${vs} |`);
    }
    out.push('', startupSentence(part, cpu), '');
  }
  return out;
}

/** The sentence under a start-up table: memtop against issue 14's targets. */
function startupSentence(part: StartupPart, cpu: (name: string) => (number | undefined)[]): string {
  const wall = (name: string) => (part.screen[name] ?? []).map((x) => x.screenMs);
  const mine = median(defined(wall('memtop')));
  if (mine === undefined) return 'What it means: memtop could not be measured in this run.';
  const ra = median(ratios(wall('memtop'), wall('atop')));
  const rc = median(ratios(cpu('memtop'), cpu('atop')));
  const floor = median(ratios(wall('floor-blessed'), wall('atop')));
  const floorMs = median(defined(wall('floor-blessed')));
  return (
    `What it means: memtop's first full screen came after ${ms(mine)} ms (target on a quiet machine: under 300 ms, ` +
    `${verdict(mine < 300)}), ${times(ra)} atop's (target: at most 1.5x, ${verdict(ra === undefined ? undefined : ra <= 1.5)}); ` +
    `its CPU over the first seconds was ${times(rc)} atop's (target at ~300 processes: at most 1x, ` +
    `${verdict(rc === undefined ? undefined : rc <= 1)}).` +
    (floorMs === undefined
      ? ''
      : ` A Node program that reads nothing and draws one page with blessed took ${ms(floorMs)} ms, ${times(floor)} atop's: ` +
        'the floor under any start-up built on Node and blessed.')
  );
}

export function renderReport(r: Report): string {
  const m = r.machine;
  const lines = [
    '# memtop benchmarks',
    '',
    para(
      `Written by \`${r.command}\`${r.quick ? ' (the short smoke mode: too few rounds to quote)' : ''}, which builds memtop and runs`,
      'bench/run.ts; every full run rewrites this file and takes about ten minutes. It needs tmux, atop, htop',
      'and btop (Debian packages: `apt-get install tmux atop htop btop`); a missing one is reported in its row',
      'instead of stopping the run. `BENCH_QUICK=1 npm run bench` is a smoke run of under a minute that writes its',
      'report to the temp directory; `BENCH_N=250,2000` chooses the process counts (`BENCH_N=250,2000,10000` for issue 23\'s largest).',
    ),
    '',
    `- Date: ${m.date}; the run took ${Math.round(r.seconds)} s.`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${(m.memory / 1073741824).toFixed(1)} GiB memory, Linux ${m.kernel}, Node ${m.node}.`,
    `- Peers (Debian packages): atop ${m.tools.atop}, htop ${m.tools.htop}, btop ${m.tools.btop}, tmux ${m.tools.tmux}.`,
    `- memtop: built from commit ${m.commit} by \`npm run build\` at the start of the run.`,
    `- Load average (1, 5, 15 min) at the start: ${r.loadStart}; at the end: ${r.loadEnd}.`,
    '- Process counts: the benchmark starts N idle `sleep` processes in its own process group and stops them at',
    '  the end; "processes seen" is every process on the machine, N plus what else ran.',
    ...r.sleeperNotes.map((n) => `- ${n}`),
    '- CPU of a program measured from outside is the sum over its threads of /proc/PID/task/*/schedstat field 1',
    '  plus its children (reaped: cutime + cstime; live: the same, recursively), not utime/stime ticks.',
    '',
    ...(r.parts.includes('sampler') ? samplerSection(r) : []),
    ...(r.parts.includes('screen') ? screenSection(r) : []),
    ...(r.parts.includes('rawlog') ? rawlogSection(r) : []),
    ...(r.parts.includes('startup') ? startupSection(r) : []),
    ...(r.parts.includes('cgroups') ? cgroupSection(r) : []),
    ...(r.parts.includes('stacks') ? stacksSection(r) : []),
    // The start-up profile's findings: written once by hand, kept across runs.
    ...(r.parts.includes('startup') ? [readFileSync(new URL('./startup-profile.md', import.meta.url), 'utf8')] : []),
    // Issue 23's hand measurements of a steady refresh and of the history at scale: kept across runs too.
    ...(r.parts.includes('screen') ? [readFileSync(new URL('./scale-notes.md', import.meta.url), 'utf8')] : []),
    // The 24-hour report's figures (bench/report-html.ts, run on its own): written once by hand, kept across runs.
    readFileSync(new URL('./report-html.md', import.meta.url), 'utf8'),
    '## Noise',
    '',
    para(
      'The machine is shared, so every comparison is made within a round (in part 2, over the same seconds)',
      'and the tables quote medians over',
      'the rounds; the min-max columns show how far single rounds strayed. The in-process figures of part 1',
      "include whatever garbage collection fell inside a sample's window (hence the means), not the",
      "collector's background work outside it.",
    ),
    '',
  ];
  return lines.join('\n');
}
