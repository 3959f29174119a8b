/**
 * --info: static facts about the host (CPU, memory, OS, virtualisation),
 * gathered once through systeminformation. It spawns helper processes for
 * most of these, which is fine once at a user's request and never done in
 * the per-sample path.
 */
import { createRequire } from 'node:module';
import type { Systeminformation } from 'systeminformation';
import { memStr } from '../format/units.js';

const LIMIT_MS = 5000;

/** systeminformation can stall (osInfo runs `hostname -f`, which may wait on DNS): bound each call. */
async function bounded<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), LIMIT_MS);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HostFacts {
  cpu?: Systeminformation.CpuData;
  mem?: Systeminformation.MemData;
  os?: Systeminformation.OsData;
  system?: Systeminformation.SystemData;
}

export async function hostFacts(): Promise<HostFacts> {
  // Required, not imported: see loadChartCanvases in view/trendcanvas.ts.
  const si = createRequire(import.meta.url)('systeminformation') as typeof import('systeminformation');
  const [cpu, mem, os, system] = await Promise.all([bounded(si.cpu()), bounded(si.mem()), bounded(si.osInfo()), bounded(si.system())]);
  return { cpu, mem, os, system };
}

export function formatFacts(f: HostFacts): string {
  const rows: [string, string | undefined][] = [
    ['host', f.os?.hostname],
    ['os', f.os && `${f.os.distro} ${f.os.release}`.trim()],
    ['kernel', f.os && `${f.os.kernel} ${f.os.arch}`],
    ['cpu', f.cpu && `${f.cpu.manufacturer} ${f.cpu.brand}`.trim()],
    ['cores', f.cpu && `${f.cpu.cores} logical, ${f.cpu.physicalCores} physical`],
    ['memory', f.mem && memStr(f.mem.total).trim()],
    ['swap', f.mem && memStr(f.mem.swaptotal, 'M').trim()],
    ['system', f.system && [f.system.manufacturer, f.system.model, f.system.virtual ? '(virtual)' : ''].filter(Boolean).join(' ')],
  ];
  return rows.map(([k, v]) => `${k.padEnd(8)} ${v || '?'}`).join('\n') + '\n';
}
