/** NET lines of the interval: transport and network deltas, per-interface rates and busy%. */
import type { NetCounters } from '../procfs/net.js';
import type { Sample } from '../sample.js';
import { sub } from './system.js';

export type NetInterval = NetCounters;

export interface IfInterval {
  name: string;
  rpackets: number;
  spackets: number;
  /** Bits per second. */
  rbps: number;
  sbps: number;
  /** Mb/s; 0 when unknown. */
  speed: number;
  /** Percent of the link; undefined when the speed is unknown. */
  busy?: number;
  colls: number;
  rmulticast: number;
  rerrs: number;
  serrs: number;
  rdrop: number;
  sdrop: number;
}



export function netInterval(cur: Sample, prev: Sample | undefined): NetInterval | undefined {
  if (!cur.net) return undefined;
  const p = prev?.net;
  const out = {} as NetInterval;
  for (const k of Object.keys(cur.net) as (keyof NetCounters)[]) out[k] = sub(cur.net[k], p ? p[k] : 0);
  return out;
}

/**
 * Interfaces in atop's order (ifOrder). busy% as atop:
 * full duplex max(in, out), half duplex in + out, against the link speed.
 */
export function ifIntervals(cur: Sample, prev: Sample | undefined, nsecs: number): IfInterval[] {
  const before = new Map(prev?.ifs?.map((d) => [d.name, d]));
  const out: IfInterval[] = [];
  for (const d of cur.ifs ?? []) {
    const b = before.get(d.name);
    const dd = (k: 'rbytes' | 'sbytes' | 'rpackets' | 'spackets' | 'colls' | 'rmulticast' | 'rerrs' | 'serrs' | 'rdrop' | 'sdrop') =>
      sub(d[k], b ? b[k] : 0);
    const rbps = nsecs > 0 ? (dd('rbytes') * 8) / nsecs : 0;
    const sbps = nsecs > 0 ? (dd('sbytes') * 8) / nsecs : 0;
    const speedBps = d.speed * 1_000_000;
    const busy = speedBps > 0 ? ((d.fullDuplex ? Math.max(rbps, sbps) : rbps + sbps) * 100) / speedBps : undefined;
    out.push({
      name: d.name, rpackets: dd('rpackets'), spackets: dd('spackets'), rbps, sbps, speed: d.speed, busy,
      colls: dd('colls'), rmulticast: dd('rmulticast'), rerrs: dd('rerrs'), serrs: dd('serrs'), rdrop: dd('rdrop'), sdrop: dd('sdrop'),
    });
  }
  return out.sort(ifOrder);
}

/**
 * atop's order of interface lines (intfcompar): by busy% when both speeds
 * are known, by bytes when neither is, and an interface with a known speed
 * before one without; the name breaks ties so that the lines do not swap.
 */
export function ifOrder(a: IfInterval, b: IfInterval): number {
  const known = (x: IfInterval) => x.busy !== undefined;
  let d: number;
  if (known(a) && known(b)) d = b.busy! - a.busy!;
  else if (!known(a) && !known(b)) d = b.rbps + b.sbps - (a.rbps + a.sbps);
  else d = known(a) ? -1 : 1;
  return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
