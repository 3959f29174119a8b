/**
 * The screen's detail of one process (Enter on a highlighted row) and its
 * containment dialog (K). The pane reads the process through the shell's
 * ProcessAccess: once when it opens and once per interval after that, the
 * only smaps read the screen ever does. The dialog proposes a limit, shows
 * what it means and the commands before asking, and shows what was done.
 */
import type { ContainResult } from '../contain/apply.js';
import type { ContainRecord } from '../contain/facts.js';
import { explainLimit, limitQuestion, parseSize, planCommands, planContainment, proposeLimit, Refusal, type ContainFacts, type Plan } from '../contain/plan.js';
import { memStr } from '../format/units.js';
import { DetailTracker, type Detail } from '../model/detail.js';
import type { DetailReading } from '../sample.js';
import type { ThreadsReading } from '../reader/threads.js';
import { detailLines, type DetailHistory } from '../output/detail.js';
import { StacksPane, type StartTrace } from './stackspane.js';

/** What the screen may do to processes, given by the shell (tui.ts) and faked in tests. */
export interface ProcessAccess {
  readDetail(pid: number): DetailReading;
  /** Containments memtop recorded (the list marks those whose pid is still the process contained). */
  records(): ContainRecord[];
  /** Whether a record's group holds its pid now: asked of records without a start time only. */
  inGroup(record: ContainRecord): boolean;
  facts(pid: number): ContainFacts | Refusal;
  contain(plan: Plan): ContainResult | Refusal;
  release(pid: number): string[] | Refusal;
  /** A contained process that ended: what became of it (its group removed); undefined while it runs. */
  ended(pid: number): string[] | Refusal | undefined;
  /** The process's threads (y, H), read only while their list is open. */
  readThreads?(pid: number): ThreadsReading;
  /** S in the detail: trace the process's allocation stacks (live screen, bpftrace). */
  traceStacks?: StartTrace;
}

export class DetailPane {
  private readonly tracker: DetailTracker;
  last: Detail;
  /** S: the allocation trace shown in place of the detail while it runs and after. */
  stacks: StacksPane | undefined;

  constructor(readonly pid: number, private readonly access: ProcessAccess, now: number) {
    this.tracker = new DetailTracker(now);
    this.last = this.tracker.update(access.readDetail(pid));
  }

  /** A new reading: called once per interval while the pane is open. */
  refresh(): void {
    this.last = this.tracker.update(this.access.readDetail(this.pid));
  }

  /** S: starts a trace, or stops the running one early; a message when there is none to start. */
  toggleStacks(changed: () => void): string | undefined {
    if (this.stacks?.running) {
      this.stacks.stop();
      return undefined;
    }
    if (!this.access.traceStacks) return 'allocation stacks are traced on a live screen only';
    this.stacks = new StacksPane(this.pid, this.access.traceStacks, changed);
    return undefined;
  }

  /** Esc/Enter back to the list: a running trace is stopped (bpftrace detaches). */
  close(): void {
    this.stacks?.stop();
  }

  /** The pane's lines, as many as fit in `height`; `history`: the screen's growth history of the process. */
  lines(width: number, height: number, history?: DetailHistory): string[] {
    if (this.stacks) return this.stacks.lines(width, height);
    // The fixed part (title, kinds, PSS, trend, history, cgroup, what the top grower means) is about 21 lines; mappings take the rest.
    const all = detailLines(this.last, width, Math.max(3, height - 21), history);
    return all.slice(0, height);
  }
}

/** What a dialog step needs of the screen state. */
export interface DialogHost {
  ask(question: string, answer: (value: string) => void, opts?: { value?: string; single?: boolean }): void;
  say(text: string): void;
  /** Lines shown over the screen until the next key. */
  notice(lines: string[]): void;
  /** The containments changed: the list's marks follow. */
  containedChanged(): void;
}

const sizeText = (n: number) => memStr(n).trim();

/**
 * K on a process: release when memtop contained it (`record`: the list's
 * containment of this very process, not merely of its pid), else propose a
 * limit (Enter accepts it), show what it means and the commands, and ask y/n.
 */
export function containDialog(pid: number, cmd: string, access: ProcessAccess, host: DialogHost, record: ContainRecord | undefined): void {
  if (record) {
    host.ask(`Release ${pid} (${cmd}) from ${record.group} (limit ${sizeText(record.limit)})? (y/n) `, (yes) => {
      if (!/^y/i.test(yes)) return host.say('release cancelled');
      const done = access.release(pid);
      host.notice(done instanceof Refusal ? done.message.split('\n') : done);
      host.containedChanged();
    }, { single: true });
    return;
  }
  const facts = access.facts(pid);
  if (facts instanceof Refusal) return host.notice([`cannot contain pid ${pid}: ${facts.message}`]);
  const proposal = proposeLimit(facts.used, facts.memTotal);
  host.ask(limitQuestion(pid, cmd, facts.used, proposal), (text) => {
    const limit = text.trim() === '' ? proposal : parseSize(text);
    if (limit === undefined) return host.say(`not a size: '${text.trim()}' (give e.g. 512M or 2G)`);
    const plan = planContainment(facts, limit);
    if (plan instanceof Refusal) return host.notice([`cannot contain pid ${pid}: ${plan.message}`]);
    host.notice([...explainLimit(plan), '', 'memtop will run:', ...planCommands(plan).map((c) => `  ${c}`)]);
    host.ask(`Contain ${pid} (${cmd}) with a limit of ${sizeText(limit)}? (y/n) `, (yes) => {
      if (!/^y/i.test(yes)) return host.say('containment cancelled: nothing done');
      const done = access.contain(plan);
      host.notice(done instanceof Refusal ? done.message.split('\n') : done.lines);
      host.containedChanged();
    }, { single: true });
  });
}
