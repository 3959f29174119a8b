/**
 * The process filters of the live screen, as atop's: U user regex, P
 * program (command name) regex, / command-line regex, I list of pids. An
 * empty input clears a filter; an input that does not compile is refused
 * with a one-line message and the filter stays as it was.
 */
import { inCgroup } from '../model/cgroups.js';
import type { ProcInterval } from '../model/interval.js';

/** cgroup: the processes of a memory cgroup and its children (Enter in the cgroup view). */
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
  cgroup: 'Cgroup path',
};

/** The question for a filter, saying what is set now; an empty answer clears. */
export function filterQuestion(filters: Filters, kind: FilterKind): string {
  const now = filters[kind];
  return `${FILTER_NAMES[kind]} (${now ? `now '${now.text}', ` : ''}empty: no filter): `;
}

function regexFilter(text: string, value: (p: ProcInterval) => string): Filter | string {
  let re: RegExp;
  try {
    re = new RegExp(text);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : 'invalid';
    return `not a regular expression: ${why}`;
  }
  return { text, test: (p) => re.test(value(p)) };
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
    : kind === 'cgroup' ? { text, test: (p: ProcInterval) => inCgroup(p.cgroup, text) }
    : kind === 'user' ? regexFilter(text, (p) => p.user)
    : kind === 'program' ? regexFilter(text, (p) => p.cmd)
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
