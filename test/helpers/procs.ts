/** Test helper: a process row of an interval, every field plain unless given. */
import type { ProcInterval } from '../../src/model/interval.js';

export function proc(over: Partial<ProcInterval>): ProcInterval {
  return {
    pid: 1, ppid: 0, user: 'root', state: 'S', cmd: 'x', isNew: false, threads: 1, nice: 0, priority: 20, processor: 0,
    minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0, vsize: 0, rsize: 0, vgrow: 0, rgrow: 0, mem: 0, ...over,
  };
}
