/** Test helpers: intervals between fake /proc trees (fixtures/ or built in a temp dir). */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInterval, type Interval } from '../../src/model/interval.js';
import type { Thresholds } from '../../src/model/thresholds.js';
import { Sampler } from '../../src/reader/sampler.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
export const CASE_STUDY = join(FIXTURES, 'case-study');

/** Samples each root in turn with a fixed wall clock and returns the interval from the first to the last. */
export function intervalOf(roots: string[], opts: { sys?: string; thresholds?: Thresholds; time?: number } = {}): Interval {
  let prev;
  let iv: Interval | undefined;
  for (const root of roots) {
    const sampler = new Sampler({ proc: root, sys: opts.sys ?? join(root, 'nosys'), now: () => opts.time ?? Date.UTC(2010, 2, 2, 14, 12, 32) });
    const cur = sampler.sample();
    iv = buildInterval(prev, cur, { thresholds: opts.thresholds });
    prev = cur;
  }
  return iv!;
}

/** The case study's interval ending at `to` (e.g. 't151232'), starting 20 s earlier. */
export function caseStudy(from: string, to: string, thresholds?: Thresholds): Interval {
  // The moment's name is its local time on 2010/03/02: t151232 is 15:12:32.
  const [h, m, s] = [1, 3, 5].map((i) => Number(to.slice(i, i + 2)));
  const time = new Date(2010, 2, 2, h, m, s).getTime();
  return intervalOf([join(CASE_STUDY, from), join(CASE_STUDY, to)], { sys: join(CASE_STUDY, 'sys'), thresholds, time });
}

/** Writes a tree of files ({ 'meminfo': '...', '42/stat': '...' }) into a new temp dir. */
export function makeTree(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'memtop-test-'))): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Collapses runs of blanks, as a reader of atop's boxes does. */
export function squeeze(line: string): string {
  return line.replace(/ +/g, ' ').trim();
}
