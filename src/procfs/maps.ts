/**
 * /proc/PID/maps: the process's mappings with their addresses, as the stack
 * tracer needs them to find the module and file offset of a code address.
 * Pure: text in, mappings out. (smaps.ts reads the same headers for sizes.)
 */

export interface MapRange {
  start: bigint;
  end: bigint;
  perms: string;
  /** File offset of `start`. */
  offset: bigint;
  inode: number;
  /** The path or special name; '' for anonymous memory. " (deleted)" is kept as the kernel wrote it. */
  path: string;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ (\d+)\s*(.*)$/;

export function parseMaps(text: string): MapRange[] {
  const out: MapRange[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3]!, offset: BigInt(`0x${m[4]}`),
      inode: Number(m[5]), path: m[6]!,
    });
  }
  return out;
}

/** The mapping holding `addr`, if any (maps is in address order; a linear walk is fine for a few hundred). */
export function mappingAt(maps: readonly MapRange[], addr: bigint): MapRange | undefined {
  return maps.find((m) => addr >= m.start && addr < m.end);
}
