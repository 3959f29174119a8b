/**
 * The program an interpreter runs, named from its command line
 * (/proc/PID/cmdline, NUL-separated): the script or main module of node,
 * python, ruby, perl, php, bash and other shells, the jar or main class of
 * java. Eight rows called `node` tell a user nothing; `billing/index.js`
 * does. Pure: argv in, a name out (undefined when the command line names no
 * program: `python3 -c ...`, `node -e ...`, a REPL, an unknown option layout).
 */

/** Basenames of interpreters: node, python3.12, ruby3.1, perl5.36, php8.2, java, bash, sh... */
const INTERPRETER = /^(node|nodejs|python[\d.]*|pypy[\d.]*|ruby[\d.]*|perl[\d.]*|php[\d.]*|java|bash|sh|dash|zsh|ksh|mksh)$/;

/** comm (or argv[0]'s basename) is an interpreter whose command line names the program it runs. */
export function isInterpreter(comm: string): boolean {
  return INTERPRETER.test(comm);
}

/** A name at most this long (Prometheus labels, the status line): a longer one keeps its end. */
export const PROGRAM_MAX = 48;

/** Script names that say nothing alone: their directory is kept (`billing/index.js`). */
const GENERIC = /^(index|main|server|app|start|run|cli|worker|__main__|manage|wsgi|asgi)\.[a-z]+$/i;

/** Options that take the next argument (when not attached: `-r x`, but `-rx` or `--require=x`), per family. */
const TAKES_ARG: Record<string, ReadonlySet<string>> = {
  node: new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--conditions', '-C', '--title', '--inspect-port', '--stack-size']),
  python: new Set(['-W', '-X', '--check-hash-based-pycs']),
  ruby: new Set(['-I', '-r', '-C', '-E', '-F', '-T', '-x']),
  perl: new Set(['-I', '-M', '-m', '-x']),
  php: new Set(['-d', '-c', '-z', '-t', '-S']),
  java: new Set(['-cp', '-classpath', '--class-path', '-p', '--module-path', '--upgrade-module-path', '--add-modules',
    '--add-opens', '--add-exports', '--add-reads', '--patch-module', '--limit-modules', '-javaagent']),
  sh: new Set(['-o', '+o', '-O', '+O', '--init-file', '--rcfile']),
};
/** Options after which there is no program file: code on the command line, a REPL, a version. */
const NO_PROGRAM: Record<string, ReadonlySet<string>> = {
  node: new Set(['-e', '--eval', '-p', '--print', '-i', '--interactive', '-v', '--version', '-h', '--help', '--test', '--run']),
  python: new Set(['-c', '-i', '-V', '--version', '-h', '--help']),
  ruby: new Set(['-e', '-v', '--version', '-h', '--help']),
  perl: new Set(['-e', '-E', '-v', '-h']),
  php: new Set(['-r', '-a', '-v', '-h', '-i', '-l', '-m']),
  java: new Set(['-version', '--version', '-h', '-help', '--help']),
  sh: new Set(['-c', '-i', '-s', '--version', '--help']),
};

function family(name: string): string {
  if (name === 'nodejs') return 'node';
  if (/^(python|pypy)/.test(name)) return 'python';
  if (name.startsWith('ruby')) return 'ruby';
  if (name.startsWith('perl')) return 'perl';
  if (name.startsWith('php')) return 'php';
  if (name === 'java' || name === 'node') return name;
  return 'sh';
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** A script path as shown: its basename, with its directory when the basename is generic. */
function scriptName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const base = parts.at(-1) ?? path;
  if (GENERIC.test(base) && parts.length >= 2) return `${parts.at(-2)}/${base}`;
  return base;
}

function bounded(name: string): string {
  return name.length > PROGRAM_MAX ? `..${name.slice(-(PROGRAM_MAX - 2))}` : name;
}

/** The program named by `argv` (the command line split at its NULs), or undefined. */
export function programName(argv: readonly string[]): string | undefined {
  const interp = basename(argv[0] ?? '');
  if (!isInterpreter(interp)) return undefined;
  const fam = family(interp);
  const takes = TAKES_ARG[fam]!;
  const none = NO_PROGRAM[fam]!;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1] === undefined ? undefined : bounded(scriptName(argv[i + 1]!));
    if (fam === 'java') {
      if (a === '-jar') return argv[i + 1] === undefined ? undefined : bounded(basename(argv[i + 1]!));
      if (a === '-m' || a === '--module') return argv[i + 1] === undefined ? undefined : bounded(argv[i + 1]!);
    }
    if (fam === 'python' && (a === '-m' || /^-[a-zA-Z]*m$/.test(a))) return argv[i + 1] === undefined ? undefined : bounded(argv[i + 1]!);
    if (fam === 'python' && /^-m./.test(a)) return bounded(a.slice(2));
    if (none.has(a) || (a.startsWith('-') && !a.startsWith('--') && fam !== 'java' && [...a.slice(1)].some((c) => none.has(`-${c}`)) && !takes.has(a.slice(0, 2)))) return undefined;
    if (a.startsWith('-') || a.startsWith('+')) {
      if (takes.has(a)) i++;
      continue;
    }
    // The first argument that is not an option: the script (the main class for java); a script read
    // from a pipe or a file descriptor (`bash /dev/fd/3`, `sh /dev/stdin`) has no name worth showing.
    if (/^\/(dev\/(fd\/|stdin$)|proc\/(self|\d+)\/fd\/)/.test(a)) return undefined;
    return bounded(fam === 'java' ? a : scriptName(a));
  }
  return undefined;
}

/** The program of a raw /proc/PID/cmdline (NUL-separated, a trailing NUL or not). */
export function programOfCmdline(raw: string): string | undefined {
  return programName(raw.replace(/\0+$/, '').split('\0'));
}
