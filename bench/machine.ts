/** Facts about the machine and the peers' versions, for the report's header. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  date: string;
  cores: number;
  cpuModel: string;
  memory: number;
  kernel: string;
  node: string;
  /** Tool name to its version line, or "not installed". */
  tools: Record<string, string>;
  /** memtop's commit and whether the working tree differed from it. */
  commit: string;
}

function firstLine(cmd: string, args: string[], cwd?: string): string | undefined {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000, cwd });
    return out.split('\n').find((l) => l.trim())?.trim();
  } catch {
    return undefined;
  }
}

export function machine(root: string): Machine {
  const version = (cmd: string, args: string[], re: RegExp) => {
    const line = firstLine(cmd, args);
    return line === undefined ? 'not installed' : (re.exec(line)?.[1] ?? line);
  };
  const head = firstLine('git', ['rev-parse', '--short', 'HEAD'], root) ?? 'unknown';
  const dirty = (firstLine('git', ['status', '--porcelain', '--', 'src'], root) ?? '') !== '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memory: totalmem(),
    kernel: release(),
    node: process.version,
    tools: {
      atop: version('atop', ['-V'], /Version:\s*(\S+)/),
      htop: version('htop', ['--version'], /htop\s+(\S+)/),
      btop: version('btop', ['--version'], /version:?\s*(\S+)/i),
      tmux: version('tmux', ['-V'], /tmux\s+(\S+)/),
    },
    commit: dirty ? `${head} plus uncommitted changes in src/` : head,
  };
}

export function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}
