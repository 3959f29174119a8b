/**
 * Issue 24's cost of the process tree, measured in-process: processTree()
 * (src/output/proctree.ts) on N processes, each the child of the one at a
 * seventh of its pid (a bushy tree, depth about 4), against the plain sort
 * it replaces while the tree is shown; the mean of 200 rebuilds after 50
 * warm-up ones. The tree is built once per sample and per key that changes
 * the rows, only in tree mode.
 *
 *   node --import tsx bench/tree-cost.ts [N]       (default 2000)
 */
import { column, sortProcs } from '../src/columns/process.js';
import type { ProcInterval } from '../src/model/interval.js';
import { processTree } from '../src/output/proctree.js';

const n = Number(process.argv[2] ?? 2000);
const procs = Array.from({ length: n }, (_, k) => {
  const pid = k + 1;
  return { pid, ppid: pid === 1 ? 0 : Math.max(1, Math.floor(pid / 7)), cmd: `p${pid}`, rsize: (pid * 7919) % 100000, user: 'u', state: 'S' } as ProcInterval;
});
const col = column('RSIZE')!;
const mean = (run: () => void) => {
  for (let k = 0; k < 50; k++) run();
  const t0 = performance.now();
  for (let k = 0; k < 200; k++) run();
  return (performance.now() - t0) / 200;
};
const tree = mean(() => processTree(procs, procs, col));
const sort = mean(() => sortProcs(procs.slice(), col));
console.log(`${n} processes: tree ${tree.toFixed(3)} ms, plain sort ${sort.toFixed(3)} ms per rebuild`);
