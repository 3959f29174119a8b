/**
 * memtop --contain PID [--limit SIZE] and memtop --release PID. Without
 * --limit on a terminal, memtop proposes a limit, says what it means and
 * what it will do, and asks; elsewhere it says which --limit to give.
 */
import { createInterface } from 'node:readline/promises';
import type { Config } from '../config.js';
import { MemtopError, usageError } from '../messages.js';
import { contain, release } from '../contain/apply.js';
import { readFacts } from '../contain/facts.js';
import { explainLimit, parseSize, planCommands, planContainment, proposeLimit, Refusal, type Plan } from '../contain/plan.js';
import { memStr } from '../format/units.js';

/** A refusal reaches the user as memtop's one line (and, where it helps, the commands after it), exit 1. */
const refused = (message: string) => new MemtopError(message);

const sizeText = (n: number) => memStr(n).trim();

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export async function runContain(pid: number, config: Config): Promise<void> {
  const facts = readFacts(config.proc, config.sys, pid, config.force);
  if (facts instanceof Refusal) throw refused(`cannot contain pid ${pid}: ${facts.message}`);
  const proposal = proposeLimit(facts.used, facts.memTotal);
  let limit: number | undefined;
  let plan: Plan | Refusal;
  if (config.limit !== undefined) {
    limit = parseSize(config.limit);
    if (limit === undefined) throw usageError(`invalid --limit '${config.limit}': give a size like 512M or 2G (proposed for pid ${pid}: ${sizeText(proposal)})`);
    plan = planContainment(facts, limit);
    if (plan instanceof Refusal) throw refused(`cannot contain pid ${pid}: ${plan.message}`);
  } else {
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw usageError(`--contain ${pid} needs --limit SIZE; proposed: --limit ${Math.round(proposal / 1048576)}M (a tenth of MemTotal: the limit counts what it allocates from now on, its ${sizeText(facts.used)} now stays outside it, so about ${sizeText(facts.used + proposal)} in all)`);
    }
    plan = planContainment(facts, proposal);
    if (plan instanceof Refusal) throw refused(`cannot contain pid ${pid}: ${plan.message}`);
    process.stderr.write([...explainLimit(plan), 'memtop would run:', ...planCommands(plan).map((c) => `  ${c}`), ''].join('\n'));
    const answer = (await ask(`Limit for new memory of pid ${pid} (its ${sizeText(facts.used)} now stays outside it) [${sizeText(proposal)}, ~${sizeText(facts.used + proposal)} in all] (Enter accepts, a size changes it, n cancels): `)).trim();
    if (/^n(o)?$/i.test(answer)) {
      process.stderr.write('memtop: nothing done\n');
      return;
    }
    if (answer !== '') {
      limit = parseSize(answer);
      if (limit === undefined) throw usageError(`invalid limit '${answer}': give a size like 512M or 2G`);
      plan = planContainment(facts, limit);
      if (plan instanceof Refusal) throw refused(`cannot contain pid ${pid}: ${plan.message}`);
      process.stderr.write(explainLimit(plan).join('\n') + '\n');
      if (!/^y(es)?$/i.test((await ask('Contain with this limit? [y/N] ')).trim())) {
        process.stderr.write('memtop: nothing done\n');
        return;
      }
    }
  }
  const result = contain(plan, config.proc);
  if (result instanceof Refusal) throw refused(result.message);
  process.stdout.write(result.lines.join('\n') + '\n');
}

export async function runRelease(pid: number, config: Config): Promise<void> {
  const result = release(config.proc, config.sys, pid);
  if (result instanceof Refusal) throw refused(result.message);
  process.stdout.write(result.join('\n') + '\n');
}
