/**
 * The registry of the disk lines' fields (DSK, LVM, MDD): one entry per
 * field says how the line prints it, whether --json carries it and under
 * which Prometheus metric it is exported. output/syslines.ts lays each
 * device's line out from the `line` entries, output/json.ts writes the
 * `json` fields and export/exposition.ts the `counter` (the kernel's running
 * totals, from the sample: every device listed) and `gauge` (the interval's
 * figures) families, each in registry order.
 *
 * To add a field: the figure in the model's DiskInterval (src/model/system.ts)
 * or the sample's DiskSample, and one entry below.
 */
import { fixed } from '../format/units.js';
import type { DiskInterval } from '../model/interval.js';
import type { DiskSample } from '../sample.js';

/** Two decimals, as the JSON's other shares. */
const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * How a field prints on the line (output/sysfield.ts makes the 12-column box):
 * 'device' the name right-aligned, 'count' atop's val2valstr in `width`
 * characters (default: what the box leaves), 'text' a string right-aligned
 * after the label, 'wide' the same with one space only, 'avio' atop's
 * avio box (milliseconds, whole seconds from 10 s).
 */
export interface DiskLineField {
  prio: number;
  kind: 'device' | 'count' | 'text' | 'wide' | 'avio';
  /** The number a count or avio box shows. */
  count?(d: DiskInterval): number;
  /** The text a device, text or wide box shows. */
  text?(d: DiskInterval): string;
  width?: number;
  /** Takes the line's colour (atop colours every field but the per-request sizes). */
  lineColour?: boolean;
  /** Shown only when this holds (discards: only on kernels that count them). */
  shown?(d: DiskInterval): boolean;
}

interface DiskMetric<Of> {
  /** Full family name (a counter's without `_total`). */
  name: string;
  help: string;
  unit?: string;
  value(d: Of): number;
}

export interface DiskFieldDef {
  /** The label on the line (`busy`, `KiB/r`), a name for the others. */
  name: string;
  line?: DiskLineField;
  /** The key in the --json disk objects. */
  json?: string;
  toJson?(d: DiskInterval): unknown;
  /** A counter of the kernel's running total, from the sample (every device listed, idle ones too). */
  counter?: DiskMetric<DiskSample>;
  /** A gauge of the interval (devices the interval has). */
  gauge?: DiskMetric<DiskInterval>;
}

const hasDiscard = (d: DiskInterval) => d.discard >= 0;

/** In --json order, and the line's order (its fields give way by priority); the exposition's families: counters, then gauges, each in this order. */
export const DISK_FIELDS: readonly DiskFieldDef[] = [
  { name: 'name', json: 'name', line: { prio: 9, kind: 'device', text: (d) => (d.name.length > 12 ? d.name.slice(-12) : d.name), lineColour: true } },
  {
    name: 'busy', json: 'busy', toJson: (d) => round2(d.busy),
    line: { prio: 8, kind: 'text', text: (d) => `${fixed(Math.min(Math.max(d.busy, 0), 999999), 6, 0)}%`, lineColour: true },
    gauge: { name: 'memtop_disk_busy_ratio', help: 'Share of the last interval the device was busy.', unit: 'ratio', value: (d) => Math.min(1, d.busy / 100) },
  },
  {
    name: 'read', json: 'read', line: { prio: 7, kind: 'count', count: (d) => d.read, lineColour: true },
    counter: { name: 'memtop_disk_reads', help: 'Reads completed.', value: (d) => d.reads },
  },
  {
    name: 'write', json: 'write', line: { prio: 7, kind: 'count', count: (d) => d.write, lineColour: true },
    counter: { name: 'memtop_disk_writes', help: 'Writes completed.', value: (d) => d.writes },
  },
  { name: 'discrd', line: { prio: 6, kind: 'count', count: (d) => d.discard, lineColour: true, shown: hasDiscard } },
  {
    name: 'KiB/r', json: 'kibr', toJson: (d) => d.kibr, line: { prio: 5, kind: 'count', count: (d) => d.kibr },
    counter: { name: 'memtop_disk_read_bytes', help: 'Bytes read.', unit: 'bytes', value: (d) => d.readSectors * 512 },
  },
  {
    name: 'KiB/w', json: 'kibw', toJson: (d) => d.kibw, line: { prio: 5, kind: 'count', count: (d) => d.kibw },
    counter: { name: 'memtop_disk_written_bytes', help: 'Bytes written.', unit: 'bytes', value: (d) => d.writeSectors * 512 },
  },
  { name: 'KiB/d', line: { prio: 4, kind: 'count', count: (d) => d.kibd, shown: hasDiscard } },
  { name: 'MBr/s', line: { prio: 6, kind: 'wide', text: (d) => fixed(d.mbrs, 6, 1) } },
  { name: 'MBw/s', line: { prio: 6, kind: 'wide', text: (d) => fixed(d.mbws, 6, 1) } },
  { name: 'inflt', line: { prio: 2, kind: 'count', count: (d) => d.inflight } },
  { name: 'avq', json: 'avq', toJson: (d) => round2(d.avq), line: { prio: 1, kind: 'text', text: (d) => fixed(d.avq, 8, 2) } },
  {
    name: 'avio', json: 'avio', toJson: (d) => Math.round(d.avio * 1000) / 1000, line: { prio: 6, kind: 'avio', count: (d) => d.avio, lineColour: true },
    gauge: { name: 'memtop_disk_avio_seconds', help: 'Average time per request in the last interval.', unit: 'seconds', value: (d) => d.avio / 1000 },
  },
  // Not on the line: the time with I/O in flight, and atop's badness (busy against the threshold).
  {
    name: 'iotime',
    counter: { name: 'memtop_disk_io_time_seconds', help: 'Time the device had I/O in flight.', unit: 'seconds', value: (d) => d.ioMs / 1000 },
  },
  { name: 'badness', json: 'badness' },
];

/** One device as a JSON object, in registry order. */
export function diskJson(d: DiskInterval): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of DISK_FIELDS) {
    if (f.json) out[f.json] = f.toJson ? f.toJson(d) : d[f.json as keyof DiskInterval];
  }
  return out;
}
