/**
 * uid -> login name, resolved by the reader on the host it samples and
 * recorded with the samples (Sample.users), so a replay on another machine
 * shows the recording host's names. /etc/passwd is read once; a uid it lacks
 * (a fake proc root, a container's users) shows as the number, like ps and atop.
 */
import { readFileSync } from 'node:fs';
import type { ProcSample } from '../sample.js';

export function parsePasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !map.has(uid)) map.set(uid, f[0]!);
  }
  return map;
}

export class UserNames {
  private passwd: Map<number, string> | undefined;
  private readonly seen = new Set<number>();
  private table: Record<string, string> = {};

  constructor(private readonly path = '/etc/passwd') {}

  /**
   * The names of every uid seen so far that has one. The same object comes
   * back while no new uid appears (a new one gives a new object: samples
   * already taken keep theirs), so the raw log's deltas find it unchanged.
   */
  namesFor(procs: readonly ProcSample[]): Record<string, string> {
    let table = this.table;
    for (const p of procs) {
      const uid = p.uid;
      if (uid === undefined || this.seen.has(uid)) continue;
      this.seen.add(uid);
      const name = this.lookup(uid);
      if (name === undefined) continue;
      if (table === this.table) table = { ...table };
      table[uid] = name;
    }
    this.table = table;
    return table;
  }

  private lookup(uid: number): string | undefined {
    if (!this.passwd) {
      try {
        this.passwd = parsePasswd(readFileSync(this.path, 'utf8'));
      } catch {
        this.passwd = new Map();
      }
    }
    return this.passwd.get(uid);
  }
}
