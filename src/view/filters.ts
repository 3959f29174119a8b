/**
 * The process filters of the live screen, as atop's: U user regex, P
 * program (command name) regex, / command-line regex, I list of pids. An
 * empty input clears a filter; an input that does not compile is refused
 * with a one-line message and the filter stays as it was.
 *
 * The regexes run on RE2JS, a JavaScript port of RE2: matching takes time
 * linear in the text whatever the pattern, where JavaScript's backtracking
 * engine takes exponential time on patterns like (a+)+$ against a command
 * line any local user can craft (40 s of frozen screen per sample). RE2's
 * syntax lacks backreferences and lookaround, which a filter does not need.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { inCgroupNamed } from '../model/cgroups.js';
import type { ProcInterval } from '../model/interval.js';

/** A filter sees this much of a text (a command line may hold megabytes). */
const MATCHED = 64 * 1024;

/** cgroup: the processes of a memory cgroup and its children (Enter in the cgroup view, or F: a path or a name). */
export type FilterKind = 'user' | 'program' | 'cmdline' | 'pids' | 'cgroup';

export interface Filter {
  /** What the user typed (shown again as the prompt's default). */
  text: string;
  test(p: ProcInterval): boolean;
}

export type Filters = Partial<Record<FilterKind, Filter>>;

const FILTER_NAMES: Record<FilterKind, string> = {
  user: 'User regex',
  program: 'Program regex',
  cmdline: 'Command-line regex',
  pids: 'PIDs (spaces or commas)',
  cgroup: 'Cgroup path, or container, pod or unit name',
};

/** The question for a filter, saying what is set now; an empty answer clears. */
export function filterQuestion(filters: Filters, kind: FilterKind): string {
  const now = filters[kind];
  return `${FILTER_NAMES[kind]} (${now ? `now '${now.text}', ` : ''}empty: no filter): `;
}

/**
 * re2js is 260 KB of code that only a filter needs: it is loaded at the first
 * regex filter (synchronously, from its CommonJS build), not at start-up.
 */
let re2: typeof RE2JS | undefined;
function loadRe2(): typeof RE2JS {
  re2 ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return re2;
}

function regexFilter(text: string, value: (p: ProcInterval) => string): Filter | string {
  let re: RE2JS;
  try {
    re = loadRe2().compile(text);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : 'invalid';
    return `not a regular expression (RE2 syntax: no backreferences or lookaround): ${why}`;
  }
  return {
    text,
    test: (p) => {
      const v = value(p);
      return re.test(v.length > MATCHED ? v.slice(0, MATCHED) : v);
    },
  };
}

/** P: the command name, or an interpreter's program (what the leak view shows: `billing/index.js`). */
function programFilter(text: string): Filter | string {
  const byCmd = regexFilter(text, (p) => p.cmd);
  if (typeof byCmd === 'string') return byCmd;
  const byProgram = regexFilter(text, (p) => p.program ?? '') as Filter;
  return { text, test: (p) => byCmd.test(p) || (p.program !== undefined && byProgram.test(p)) };
}

function pidFilter(text: string): Filter | string {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const bad = words.find((w) => !/^\d+$/.test(w));
  if (bad !== undefined) return `not a pid: '${bad}' (give numbers separated by spaces or commas)`;
  const pids = new Set(words.map(Number));
  return { text, test: (p) => pids.has(p.pid) };
}

/** Sets or clears one filter; returns a message when the input is refused. */
export function setFilter(filters: Filters, kind: FilterKind, input: string): string | undefined {
  const text = input.trim();
  if (text === '') {
    delete filters[kind];
    return undefined;
  }
  const made =
    kind === 'pids' ? pidFilter(text)
    : kind === 'cgroup' ? { text, test: (p: ProcInterval) => inCgroupNamed(p.cgroup, p.cgroupNames, text) }
    : kind === 'user' ? regexFilter(text, (p) => p.user)
    : kind === 'program' ? programFilter(text)
    : regexFilter(text, (p) => p.cmdline || p.cmd);
  if (typeof made === 'string') return made;
  filters[kind] = made;
  return undefined;
}

export function applyFilters(procs: ProcInterval[], filters: Filters): ProcInterval[] {
  const active = Object.values(filters);
  if (active.length === 0) return procs;
  return procs.filter((p) => active.every((f) => f.test(p)));
}
