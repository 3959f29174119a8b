import { readFileSync } from 'node:fs';

/**
 * uid -> login name from /etc/passwd, read once. Unknown uids (a fake proc
 * root, a container's users) show as the number, like ps and atop.
 */
let names: Map<number, string> | undefined;

export function loadPasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !map.has(uid)) map.set(uid, f[0]!);
  }
  return map;
}

export function userName(uid: number): string {
  if (!names) {
    try {
      names = loadPasswd(readFileSync('/etc/passwd', 'utf8'));
    } catch {
      names = new Map();
    }
  }
  return names.get(uid) ?? String(uid);
}
