import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';

/** mulberry32: a small PRNG whose sequence a seed fixes, so a fuzz run is repeated by its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kinds of file a hostile local user can leave where memtop reads: each must give one line or a fallback. */
export const HOSTILE = ['fifo', 'dir', 'loop', 'zero', 'giant'] as const;
export type HostileKind = (typeof HOSTILE)[number];

/** Puts a hostile file of that kind at `path`; a giant one is sparse, `giantBytes` long. */
export function plantHostile(path: string, kind: HostileKind, giantBytes: number): void {
  if (kind === 'fifo') spawnSync('mkfifo', [path]);
  else if (kind === 'dir') mkdirSync(path);
  else if (kind === 'loop') symlinkSync(path, path);
  else if (kind === 'zero') symlinkSync('/dev/zero', path);
  else {
    writeFileSync(path, '');
    truncateSync(path, giantBytes);
  }
}
