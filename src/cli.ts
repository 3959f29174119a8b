#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * memtop's command line: parses and validates options, chooses the run mode
 * (record, replay, Prometheus, or a live output) and the output (screen,
 * text, JSON). The only place memtop exits: a MemtopError ends as its one
 * line on stderr and its exit code (2 for a mistake in the options); nothing
 * reaches the user as a stack trace.
 *
 * The shebang caps V8's young generation at 4 MiB per semi-space: left to
 * itself V8 grows it to 16 MiB (48 MiB reserved) for a process that
 * allocates a little every second and holds little, which took memtop past
 * 100 MiB resident at 2000 processes; the extra scavenges cost well under a
 * millisecond per sample (docs/BENCHMARKS.md).
 */
import { readFileSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { allColumns } from './columns/process.js';
import { VIEWS, withPsize } from './columns/views.js';
import {
  checkSortColumn, defaultThresholds, parseDuration, parseInterval, parseListen, parsePercent, parsePositiveInt, parseSamples,
  parseColor, parseTheme, parseTimeOption, THEME_NAMES, viewByName, viewList, type Config,
} from './config.js';
import {
  defaultConfigFiles, parseSwitch, readConfigFiles, SETTINGS, type Setting, type SettingKey,
} from './configfile.js';
import type { Feed } from './feed.js';
import { Sampler } from './reader/sampler.js';
import { LiveFeed } from './run/feeds.js';
import { defaultWindow } from './model/leaks.js';
import { controllingTerminal } from './run/keyboard.js';
import { runStream } from './run/stream.js';
import { EndedBySignal, EXIT_FAILURE, EXIT_OK, MemtopError, messageOf, say, usageError } from './messages.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** The case study's saved /proc and /sys trees, shipped in the package for the example below. */
const CASE_STUDY = fileURLToPath(new URL('../fixtures/case-study', import.meta.url));

const EXAMPLES = `
Examples:
  memtop                      live screen, a new sample every 10 seconds
  memtop -m --sort rgrow 2    memory view sorted on resident growth, every 2 s
  memtop --json 1 5 | jq .mem five samples (the first covers the time since boot)
  memtop --text -m 5 3        three samples as plain text, like atop's screen
  memtop --text 20 1 --proc ${CASE_STUDY}/t151232 --sys ${CASE_STUDY}/sys
                              read a saved /proc and /sys (the leaking machine of
                              atop's case study, shipped with memtop) instead of
                              the live ones

Views (-V NAME or a key in the live screen): ${Object.values(VIEWS).map((v) => `${v.key} ${v.name}`).join(', ')}`;

function buildProgram(): Command {
  const program = new Command();
  program
    .name('memtop')
    .description('Terminal system monitor in the spirit of atop, built to catch the process that leaks memory.')
    .version(version(), '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .argument('[interval]', 'seconds between samples (decimals allowed)', '10')
    .argument('[samples]', 'number of samples, the first one covering the time since boot (default: until stopped)')
    .option('--proc <dir>', 'root of the proc filesystem to read', '/proc')
    .option('--sys <dir>', 'root of sysfs to read (LVM names)', '/sys')
    .option('--json', 'print one JSON object per sample per line, no screen')
    .option('--csv', 'print CSV: a header, then a line per sample of the system figures; with -V/-m a line per process per sample')
    .option('--report <file>', 'with -r: write the recording as one self-contained HTML page (charts, leakers, OOM kills) to FILE')
    .option('--text', 'print each sample as plain text like atop (also when stdout is not a terminal)')
    .option('--width <columns>', 'width of the text output', '80')
    .option('-m, --memory', 'memory view (same as --view memory)')
    .addOption(new Option('-V, --view <name>', `process view: ${viewList()}`).default('generic'))
    .option('--sort <column>', 'sort the process list on this column (case-insensitive, descending)')
    .option('--sort-resets', 'live screen: a change of view sorts on the new view\'s default, as atop (default: each view keeps its sort)')
    .option('--sort-atop', 'RGROW and TRATE sort on the figure alone, as atop (default: what grew ranks above what was born in the interval or is too young for a windowed rate)')
    .option('-f, --all', 'show all system lines and devices, also idle ones')
    .option('-a, --all-procs', 'list every process in every view, not only the active ones (the memory view always does)')
    .option('-R, --psize', 'read and show PSIZE (proportional set size, smaps_rollup) for the listed processes, as atop\'s -R: costs a page table walk each')
    .option('-x, --no-color', 'no colours in the live screen (bold marks instead); also when NO_COLOR is set')
    .addOption(new Option('--theme <name>', 'colours of the live screen for a dark or a light background').choices(THEME_NAMES).default('dark'))
    .option('--tree', 'processes as a tree: each under its parent, siblings sorted (e or F5 on the screen)')
    .option('--term <name>', 'terminal type for the live screen (default: from TERM, 256 colours under tmux)')
    .option('-w, --write <file>', 'record raw samples to FILE (appends to an existing memtop log), no screen')
    .option('-r, --read [file]', 'replay a recording: FILE, YYYYMMDD or y, yy... (daily file from --log-dir), - for stdin; alone: today\'s daily file')
    .option('--log-dir <dir>', 'daily logging: one file per day (memtop_YYYYMMDD) in DIR; with -r, where dated files are')
    .option('--keep <days>', 'with --log-dir: remove daily files older than this many days', '28')
    .option('-b, --begin <time>', 'replay from this time: [YYYYMMDD]hh:mm[:ss]')
    .option('-e, --end <time>', 'replay up to this time: [YYYYMMDD]hh:mm[:ss]')
    .option('--prometheus <[host:]port>', 'serve GET /metrics for Prometheus (binds 127.0.0.1 unless a host is given), no screen')
    .option('--top <k>', 'with --prometheus: export the top K processes by RSIZE and by RGROW', '20')
    .option('--window <duration>', 'how far back growth (TRATE, TGROW, LEAK) is judged: seconds or 90s, 10m, 6h (default: 10m, or 12 intervals when longer)')
    .option('--info', 'print static facts about this host (CPU, memory, OS) and exit')
    .option('--detail <pid>', 'one process in detail every interval: memory by kind, mappings by growth (text, or --json)')
    .option('--contain <pid>', 'put the process into a memory cgroup of its own with the --limit, say what was done, and exit')
    .option('--limit <size>', 'with --contain: the group\'s limit, e.g. 512M or 2G (without it memtop proposes one)')
    .option('--force', 'with --contain (or the screen\'s K): contain the main process of a systemd service or a container too')
    .option('--stacks <pid>', 'trace the process\'s allocations (bpftrace uprobes) and print the stacks still holding memory at the end (text, or --json)')
    .option('--for <duration>', 'with --stacks: how long to trace: seconds or 90s, 2m (default: 30s)')
    .option('--sample <n>', 'with --stacks: record one allocation in N below 64K (default: chosen from the rate; 1: all)')
    .option('--release <pid>', 'undo --contain: move the process back to its group and remove the one memtop made')
    .option('--cpucrit <pct>', 'CPU busy % that is critical (0 = off)', '90')
    .option('--memcrit <pct>', 'memory used % that is critical (0 = off)', '90')
    .option('--swpcrit <pct>', 'swap used % that is critical (0 = off)', '80')
    .option('--dskcrit <pct>', 'disk busy % that is critical (0 = off)', '90')
    .option('--swoutcrit <n>', 'swap-outs per second that count as critical, as atop\'s swoutcritsec', '10')
    .option('--almostcrit <pct>', 'share of a critical value that is "almost critical" (cyan)', '80')
    .option('--config <file>', 'read settings from FILE instead of /etc/memtop/config and ~/.config/memtop/config')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  return program;
}

type Opts = Record<string, string | boolean | undefined>;

/** Checks of the numbers a setting takes, shared by the command line and the configuration file. */
const numberChecks = {
  cpucrit: (what: string, v: string) => parsePercent(what, v),
  memcrit: (what: string, v: string) => parsePercent(what, v),
  swpcrit: (what: string, v: string) => parsePercent(what, v),
  dskcrit: (what: string, v: string) => parsePercent(what, v),
  swoutcrit: (what: string, v: string) => parsePositiveInt(what, v, 0, 100000),
  almostcrit: (what: string, v: string) => parsePercent(what, v),
  top: (what: string, v: string) => parsePositiveInt(what, v, 1, 10000),
  window: (what: string, v: string) => parseDuration(what, v, 10, 7 * 86400),
} as const;

/** commander's name for a setting's option (`sort-resets` -> `sortResets`). */
const attrOf = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Fills what the command line left at its defaults from the configuration
 * files. Each value is checked by the option's own parser first, so a bad
 * line is said with its file and line number: exit 2, because memtop would
 * otherwise run with a default the user meant to change; the same line is
 * only said when the command line sets that key anyway, and so are lines
 * that set nothing (an unknown key, no `=`), which memtop can pass over.
 */
function applyConfigFiles(program: Command): string[] {
  const o = program.opts<Opts>();
  const files = o.config === undefined ? readConfigFiles(defaultConfigFiles()) : readConfigFiles([String(o.config)], true);
  const notes = [...files.warnings];
  const fromCli = (attr: string) => program.getOptionValueSource(attr) === 'cli';
  const givenOnCli = (key: SettingKey) =>
    key === 'interval' ? program.args.length > 0 : key === 'view' ? fromCli('view') || fromCli('memory') : fromCli(attrOf(key));
  // In SETTINGS order: the view is known before the sort is checked against it.
  for (const key of SETTINGS) {
    const setting = files.settings.get(key);
    if (!setting) continue;
    let value: string | boolean | undefined;
    try {
      value = checkSetting(program, setting, notes);
    } catch (err) {
      if (!givenOnCli(key)) throw usageError(`${setting.where}: ${messageOf(err)}`);
      notes.push(`${setting.where}: ${messageOf(err)} (passed over: the command line sets ${key})`);
      continue;
    }
    if (value === undefined || givenOnCli(key)) continue;
    if (key === 'interval') (program.processedArgs as string[])[0] = String(value);
    else program.setOptionValueWithSource(attrOf(key), value, 'config');
  }
  for (const note of notes) say(note);
  return notes;
}

/** A setting's value as its option takes it; throws the option's own message; undefined: passed over (said in notes). */
function checkSetting(program: Command, { key, value, where }: Setting, notes: string[]): string | boolean | undefined {
  switch (key) {
    case 'interval':
      parseInterval(value);
      return value;
    case 'view':
      return viewByName(value).name;
    case 'sort': {
      const o = program.opts<Opts>();
      const view = viewByName(o.memory ? 'memory' : String(o.view));
      // The cgroup view sorts on its own columns (as W saves them with view = cgroup); a process column is
      // checked below, and passed over there.
      if (view.cgroups && !allColumns().some((c) => c.name === value.toUpperCase())) return checkSortColumn(value, view);
      if (!allColumns().some((c) => c.name === value.toUpperCase())) return checkSortColumn(value, viewByName('generic'));
      try {
        return checkSortColumn(value, view);
      } catch {
        notes.push(`${where}: sort ${value.toUpperCase()} passed over: the ${view.name} view has no such column`);
        return undefined;
      }
    }
    case 'theme':
      return parseTheme(value);
    case 'colorinfo':
    case 'coloralmost':
    case 'colorcritical':
      return String(parseColor(key, value));
    case 'sort-resets':
    case 'sort-atop':
    case 'color':
    case 'tree':
    case 'psize': {
      const on = parseSwitch(value);
      if (on === undefined) throw usageError(`invalid ${key} '${value}': give yes or no`);
      return on;
    }
    default:
      numberChecks[key](key, value);
      return value;
  }
}

/** atoprc's colour keys of the configuration file, as palette numbers. */
function colorsOf(o: Opts): Config['colors'] {
  const out: NonNullable<Config['colors']> = {};
  const keys = { colorinfo: 'info', coloralmost: 'almost', colorcritical: 'crit' } as const;
  for (const [key, paint] of Object.entries(keys)) if (o[key] !== undefined) out[paint] = parseColor(key, String(o[key]));
  return out;
}

function toConfig(program: Command, configNotes: string[]): Config {
  const o = program.opts<Opts>();
  const [intervalArg, samplesArg] = program.processedArgs as [string, string | undefined];
  const view = viewByName(o.memory ? 'memory' : String(o.view));
  const thresholds = defaultThresholds();
  thresholds.cpucritperc = numberChecks.cpucrit('--cpucrit', String(o.cpucrit));
  thresholds.memcritperc = numberChecks.memcrit('--memcrit', String(o.memcrit));
  thresholds.swpcritperc = numberChecks.swpcrit('--swpcrit', String(o.swpcrit));
  thresholds.dskcritperc = numberChecks.dskcrit('--dskcrit', String(o.dskcrit));
  thresholds.swoutcritsec = numberChecks.swoutcrit('--swoutcrit', String(o.swoutcrit));
  thresholds.almostcrit = numberChecks.almostcrit('--almostcrit', String(o.almostcrit));
  const outputs = (['json', 'text', 'csv', 'report'] as const).filter((k) => o[k] !== undefined && o[k] !== false);
  if (outputs.length > 1) throw usageError(`--${outputs[0]} and --${outputs[1]} exclude each other: choose one output`);
  if (o.report !== undefined && o.read === undefined) throw usageError('--report goes with -r FILE: it draws a recording');
  if (o.csv && o.detail !== undefined) throw usageError('--csv and --detail exclude each other: --detail prints text or --json');
  const pidOf = (name: string) => (o[name] === undefined ? undefined : parsePositiveInt(`--${name}`, String(o[name]), 1, 2 ** 22));
  const actions = (['detail', 'stacks', 'contain', 'release', 'prometheus', 'read', 'write'] as const).filter((k) => o[k] !== undefined);
  if (actions.length > 1 && ['detail', 'stacks', 'contain', 'release'].includes(actions[0]!)) throw usageError(`--${actions[0]} and --${actions[1]} exclude each other: choose one`);
  if ((o.for !== undefined || o.sample !== undefined) && o.stacks === undefined) throw usageError(`--${o.for !== undefined ? 'for' : 'sample'} goes with --stacks PID`);
  if (o.limit !== undefined && o.contain === undefined) throw usageError('--limit goes with --contain PID');
  if (o.force && actions.length > 0 && actions[0] !== 'contain') throw usageError(`--force goes with --contain PID or the screen's K, not --${actions[0]}`);
  if (o.prometheus !== undefined) {
    const other = (['read', 'write', 'logDir', 'json', 'text', 'csv', 'report'] as const).find((k) => o[k] !== undefined && o[k] !== false);
    if (other) throw usageError(`--prometheus serves live samples and has no screen: it excludes --${other.replace('logDir', 'log-dir')}`);
  }
  if (o.read !== undefined && o.write !== undefined) throw usageError('-r and -w exclude each other: replay or record');
  if (o.write !== undefined && o.logDir !== undefined && o.read === undefined) {
    throw usageError('-w and --log-dir exclude each other: record to one file or to daily files');
  }
  return {
    interval: parseInterval(intervalArg),
    samples: samplesArg === undefined ? undefined : parseSamples(samplesArg),
    proc: String(o.proc),
    sys: String(o.sys),
    mode: o.json ? 'json' : o.csv ? 'csv' : o.text || o.detail !== undefined || o.stacks !== undefined || !process.stdout.isTTY ? 'text' : 'tui',
    csvProcs: !!o.csv && (program.getOptionValueSource('view') === 'cli' || !!o.memory),
    report: o.report === undefined ? undefined : String(o.report),
    width: parsePositiveInt('--width', String(o.width), 20, 1000),
    view: withPsize(view, !!o.psize),
    psize: !!o.psize,
    sort: o.sort === undefined ? undefined : checkSortColumn(String(o.sort), view),
    sortResets: !!o.sortResets,
    sortAtop: !!o.sortAtop,
    all: !!o.all,
    allProcs: !!o.allProcs,
    // NO_COLOR (no-color.org) turns colours off unless the command line or a file set them.
    color: o.color !== false && (program.getOptionValueSource('color') !== 'default' || !process.env.NO_COLOR),
    theme: parseTheme(String(o.theme)),
    colors: colorsOf(o),
    tree: !!o.tree,
    term: o.term === undefined ? undefined : String(o.term),
    thresholds,
    write: o.write === undefined ? undefined : String(o.write),
    read: o.read === undefined ? undefined : o.read === true ? '' : String(o.read),
    logDir: o.logDir === undefined ? undefined : String(o.logDir),
    keep: parsePositiveInt('--keep', String(o.keep), 1, 100000),
    begin: o.begin === undefined ? undefined : parseTimeOption('-b', String(o.begin)),
    end: o.end === undefined ? undefined : parseTimeOption('-e', String(o.end)),
    prometheus: o.prometheus === undefined ? undefined : parseListen(String(o.prometheus)),
    top: numberChecks.top('--top', String(o.top)),
    window: o.window === undefined ? undefined : numberChecks.window('--window', String(o.window)),
    detail: pidOf('detail'),
    stacks: pidOf('stacks'),
    traceSeconds: o.for === undefined ? undefined : parseDuration('--for', String(o.for), 1, 24 * 3600),
    traceEvery: o.sample === undefined ? undefined : parsePositiveInt('--sample', String(o.sample), 1, 65535),
    contain: pidOf('contain'),
    limit: o.limit === undefined ? undefined : String(o.limit),
    force: !!o.force,
    release: pidOf('release'),
    configNotes,
    configFile: o.config === undefined ? undefined : String(o.config),
  };
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) process.exit(EXIT_OK); // --help, --version
      throw usageError(`${err.message.replace(/^error: /, '')} (see memtop --help)`);
    }
    throw err;
  }
  const config = toConfig(program, applyConfigFiles(program));
  if (program.opts<Opts>().info) {
    const { formatFacts, hostFacts } = await import('./host/info.js');
    const { writeStdout } = await import('./run/stdout.js');
    await writeStdout(formatFacts(await hostFacts()));
    return;
  }
  if (config.contain !== undefined || config.release !== undefined) {
    const { runContain, runRelease } = await import('./run/contain.js');
    if (config.contain !== undefined) await runContain(config.contain, config);
    else await runRelease(config.release!, config);
    return;
  }
  if (config.stacks !== undefined) {
    const { runStacks } = await import('./run/stacks.js');
    await runStacks(config.stacks, config);
    return;
  }
  if (config.detail !== undefined) {
    const { runDetail } = await import('./run/detail.js');
    await runDetail(config.detail, config);
    return;
  }
  if (config.report !== undefined) {
    const { runReport } = await import('./run/report.js');
    await runReport(config, version());
    return;
  }
  if (config.read !== undefined) {
    const { openReplay } = await import('./run/replay.js');
    const replay = await openReplay(config);
    try {
      await present(replay.feed, { ...config, mode: replay.mode }, replay.keyboard);
    } finally {
      replay.keyboard?.destroy();
    }
    return;
  }
  // A damaged file under --proc/--sys is told once; the live screen shows it in its status line, and on stderr after it closes.
  const screen = config.mode === 'tui' && config.prometheus === undefined && config.write === undefined && config.logDir === undefined;
  const notes: string[] = [];
  if (screen) process.once('exit', () => notes.forEach((n) => say(n)));
  const sampler = new Sampler({ proc: config.proc, sys: config.sys, onNote: screen ? (n) => notes.push(n) : say });
  if (config.prometheus !== undefined) {
    const { runPrometheus } = await import('./run/prometheus.js');
    await runPrometheus(sampler, config);
    return;
  }
  if (config.write !== undefined || config.logDir !== undefined) {
    const { runRecord } = await import('./run/record.js');
    await runRecord(sampler, config);
    return;
  }
  // The window from the interval asked for (the first interval, since boot, would say nothing of it).
  const window = config.window ?? defaultWindow(config.interval);
  const feed = new LiveFeed(sampler, config.thresholds, undefined, { window, notes });
  // The live screen starts with the window's history from the daily log being written (the unit's directory).
  if (screen && config.proc === '/proc') {
    const { runningLogDirs, seedFromDailyLog } = await import('./run/seed.js');
    // A logger running with a directory of its own first, else the unit's default directory.
    let seeded: { note: string } | undefined;
    for (const dir of [...runningLogDirs(), undefined]) if (!seeded) seeded = seedFromDailyLog(feed.history, config.thresholds, window, dir);
    if (seeded) feed.hello = seeded.note;
  }
  await present(feed, config);
}

/** The output the options chose, fed live or from a recording. */
async function present(feed: Feed, config: Config, keyboard?: NodeJS.ReadableStream): Promise<void> {
  if (config.mode === 'tui') {
    const { noScreenReason } = await import('./view/terminal.js');
    const why = noScreenReason(process.env.TERM, config.term);
    if (why) {
      say(`${why}: printing text instead of the screen`);
      await runStream(feed, { ...config, mode: 'text' });
      return;
    }
    // Keys come from stdin; when stdin is not a terminal (< /dev/null), from the controlling one.
    let own: ReadStream | undefined;
    if (!keyboard && !process.stdin.isTTY) {
      own = controllingTerminal();
      if (!own) say('stdin is not a terminal and there is no controlling terminal: no keys can be read (stop memtop with Ctrl-C)');
    }
    try {
      const { runTui } = await import('./view/tui.js');
      await runTui(feed, config, keyboard ?? own);
    } finally {
      own?.destroy();
    }
    return;
  }
  await runStream(feed, config);
}

/**
 * Ends memtop by the signal that stopped it, its work finished: the shell
 * sees 128 + its number, systemd a stop by SIGTERM (clean by its rules,
 * where an exit status of 143 would count as a failure).
 */
function endBySignal(err: EndedBySignal): void {
  // A process a signal ends runs no 'exit' listeners: they run here first (the screen's notes, the code cache).
  process.exitCode = err.exitCode;
  process.emit('exit', err.exitCode);
  process.removeAllListeners('exit');
  process.removeAllListeners(err.signal);
  process.kill(process.pid, err.signal);
  // The default action ends the process at once; should it not, the same code by hand.
  setTimeout(() => process.exit(err.exitCode), 1000);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof EndedBySignal) return endBySignal(err);
  if (err instanceof MemtopError) {
    if (err.message) say(err.message);
    process.exit(err.exitCode);
  }
  say(`internal error: ${messageOf(err)}`);
  process.exit(EXIT_FAILURE);
});
