/** Test helper: test/helpers/allocs.c built at test time in the variants --stacks meets, and its RssAnon followed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'allocs.c');
let dir: string | undefined;

/** allocs.c compiled with -O1 and these flags (e.g. -g, -fno-omit-frame-pointer); throws with gcc's message. */
export function allocsBinary(flags: string[], name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'memtop-allocs-'));
  const out = join(dir, name);
  const r = spawnSync('gcc', ['-O1', ...flags, '-o', out, SOURCE, '-lpthread'], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr || r.error}`);
  return out;
}

/** RssAnon of a process every 100 ms, with the time it was read, until stop(). */
export function followRssAnon(pid: number): { samples: Array<[number, number]>; stop(): void; at(t: number): number } {
  const samples: Array<[number, number]> = [];
  const read = () => {
    try {
      const m = /^RssAnon:\s*(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) samples.push([Date.now() / 1000, Number(m[1]) * 1024]);
    } catch {
      // gone
    }
  };
  read();
  const timer = setInterval(read, 100);
  return {
    samples,
    stop: () => clearInterval(timer),
    /** RssAnon at time t (seconds since the epoch), interpolated between the readings around it. */
    at(t: number): number {
      const after = samples.findIndex(([ts]) => ts >= t);
      if (after <= 0) return after === 0 ? samples[0]![1] : samples[samples.length - 1]![1];
      const [t0, v0] = samples[after - 1]!;
      const [t1, v1] = samples[after]!;
      return v0 + ((v1 - v0) * (t - t0)) / Math.max(1e-9, t1 - t0);
    },
  };
}
