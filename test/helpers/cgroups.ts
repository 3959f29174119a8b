/** Fake cgroup trees (v2, v1, hybrid) in the shape the kernel gives, for the reader and the model. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './trees.js';

export type Layout = 'v2' | 'v1' | 'hybrid' | 'none';

export interface FakeGroup {
  /** "/" for the top, else "/a/b". */
  path: string;
  pids?: number[];
  /** Bytes. */
  memory?: number;
  max?: number | 'max';
  high?: number | 'max';
  swap?: number;
  anon?: number;
  file?: number;
  oomKill?: number;
  /** memory.pressure totals, microseconds. */
  psiSome?: number;
  psiFull?: number;
  /** No memory controller here (v2 subtree_control without memory, or a threaded group). */
  noMemory?: boolean;
  /** These file names are made directories: reading them fails as an unreadable file does. */
  unreadable?: string[];
  /** Only the usage file is left: the group was removed between two reads. */
  vanishing?: boolean;
}

const V1_NO_LIMIT = '9223372036854771712';

const MOUNTS: Record<Exclude<Layout, 'none'>, { mountinfo: string; dir: string; v2Controllers?: string; v2Dir?: string }> = {
  v2: { mountinfo: 'mountinfo-v2', dir: 'fs/cgroup', v2Controllers: 'cpuset cpu io memory hugetlb pids rdma misc', v2Dir: 'fs/cgroup' },
  v1: { mountinfo: 'mountinfo-container-v1', dir: 'fs/cgroup/memory' },
  hybrid: { mountinfo: 'mountinfo-hybrid', dir: 'fs/cgroup/memory', v2Controllers: 'hugetlb', v2Dir: 'fs/cgroup/unified' },
};

/**
 * The files of a fake machine's cgroups: `proc` (self/mountinfo) and `sys`
 * (fs/cgroup/...), each relative to its root. 'none': a v2 tree whose root
 * lists no memory controller.
 */
export function fakeCgroupFiles(layout: Layout, groups: FakeGroup[]): { proc: Record<string, string>; sys: Record<string, string> } {
  const m = MOUNTS[layout === 'none' ? 'v2' : layout];
  const proc = { 'self/mountinfo': readFileSync(join(FIXTURES, 'cgroup', m.mountinfo), 'utf8') };
  const sys: Record<string, string> = {};
  if (m.v2Dir) sys[`${m.v2Dir}/cgroup.controllers`] = `${layout === 'none' ? 'cpu io pids' : m.v2Controllers}\n`;
  if (layout === 'none') return { proc, sys };
  const v1 = layout !== 'v2';
  for (const g of groups) {
    const dir = g.path === '/' ? m.dir : m.dir + g.path;
    const files: Record<string, string> = {};
    files['cgroup.procs'] = (g.pids ?? []).map((p) => `${p}\n`).join('');
    if (!g.noMemory) {
      const limit = (v: number | 'max' | undefined) => (v === undefined || v === 'max' ? (v1 ? V1_NO_LIMIT : 'max') : String(v));
      const isV2Root = !v1 && g.path === '/';
      if (v1) {
        files['memory.usage_in_bytes'] = `${g.memory ?? 0}\n`;
        files['memory.limit_in_bytes'] = `${limit(g.max)}\n`;
        files['memory.memsw.usage_in_bytes'] = `${(g.memory ?? 0) + (g.swap ?? 0)}\n`;
        files['memory.stat'] = `cache ${g.file ?? 0}\nrss ${g.anon ?? 0}\nswap ${g.swap ?? 0}\ntotal_cache ${g.file ?? 0}\ntotal_rss ${g.anon ?? 0}\n`;
        files['memory.oom_control'] = `oom_kill_disable 0\nunder_oom 0\noom_kill ${g.oomKill ?? 0}\n`;
      } else {
        // v2's root has no memory.current, memory.max, memory.high, memory.events or swap files.
        if (!isV2Root) {
          files['memory.current'] = `${g.memory ?? 0}\n`;
          files['memory.max'] = `${limit(g.max)}\n`;
          files['memory.high'] = `${limit(g.high)}\n`;
          files['memory.swap.current'] = `${g.swap ?? 0}\n`;
          files['memory.events'] = `low 0\nhigh 0\nmax 0\noom ${g.oomKill ?? 0}\noom_kill ${g.oomKill ?? 0}\noom_group_kill 0\n`;
        }
        files['memory.stat'] = `anon ${g.anon ?? 0}\nfile ${g.file ?? 0}\nkernel 4096\nshmem 0\n`;
        files['memory.pressure'] =
          `some avg10=0.00 avg60=0.00 avg300=0.00 total=${g.psiSome ?? 0}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${g.psiFull ?? 0}\n`;
      }
    }
    if (g.vanishing) for (const k of Object.keys(files)) if (k !== (v1 ? 'memory.usage_in_bytes' : 'memory.current')) delete files[k];
    for (const [name, text] of Object.entries(files)) {
      // A directory in the file's place: open() succeeds, read() fails (EISDIR), as with a file the reader may not read.
      sys[g.unreadable?.includes(name) ? `${dir}/${name}/x` : `${dir}/${name}`] = text;
    }
    if (g.noMemory && !v1) sys[`${dir}/cgroup.type`] = 'threaded\n';
  }
  return { proc, sys };
}
