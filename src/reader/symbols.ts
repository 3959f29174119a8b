/**
 * Code addresses of a traced process into frames a person reads:
 * `function (file:line)` where the module has debug info, `function+0xoff
 * (module)` where it has only symbols, `? (module)` otherwise. binutils does
 * the reading (readelf for the load segments, nm for symbols, addr2line for
 * DWARF lines): one run of each per module, for all its addresses at once.
 *
 * An address becomes a module's own virtual address through the mapping
 * that holds it (/proc/PID/maps: start, file offset) and the ELF load
 * segment that holds that offset, so it works for PIE, shared libraries and
 * fixed-address executables alike. The module is opened through
 * /proc/PID/root, so a process in a container resolves its own files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { mappingAt, type MapRange } from '../procfs/maps.js';

interface Segment { offset: bigint; vaddr: bigint; filesz: bigint }
interface Sym { addr: bigint; size: bigint; name: string }

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000, maxBuffer: 256 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : '';
}

/** LOAD segments of an ELF file (readelf -lW). */
export function parseLoadSegments(text: string): Segment[] {
  const out: Segment[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/.exec(line);
    if (m) out.push({ offset: BigInt(`0x${m[1]}`), vaddr: BigInt(`0x${m[2]}`), filesz: BigInt(`0x${m[3]}`) });
  }
  return out;
}

/** Function symbols of nm's output ("addr [size] type name"), sorted by address. */
export function parseNm(text: string): Sym[] {
  const out: Sym[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) (?:([0-9a-f]+) )?([TtWwi]) (.+)$/.exec(line);
    if (m) out.push({ addr: BigInt(`0x${m[1]}`), size: m[2] ? BigInt(`0x${m[2]}`) : 0n, name: m[4]! });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

/** The symbol holding `addr`: the last one at or below it, within its size when nm gave one. */
export function symbolAt(syms: readonly Sym[], addr: bigint): Sym | undefined {
  let lo = 0;
  let hi = syms.length - 1;
  let found: Sym | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.addr <= addr) {
      found = syms[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return undefined;
  if (found.size > 0n && addr >= found.addr + found.size) return undefined;
  return found;
}

/** addr2line's two lines per address: the function, and file:line ("??:0" without DWARF). */
export function parseAddr2line(text: string, n: number): Array<{ fn?: string; where?: string }> {
  const lines = text.split('\n');
  const out: Array<{ fn?: string; where?: string }> = [];
  for (let i = 0; i < n; i++) {
    const fn = lines[2 * i]?.trim();
    const loc = lines[2 * i + 1]?.trim().replace(/ \(discriminator \d+\)$/, '');
    const m = loc ? /^(.*):(\d+)$/.exec(loc) : null;
    out.push({
      fn: fn && fn !== '??' ? fn : undefined,
      where: m && m[1] !== '??' && m[2] !== '0' ? `${basename(m[1]!)}:${m[2]}` : undefined,
    });
  }
  return out;
}

/** The file a mapping's path names, seen from the process (its root), when it can be opened. */
function moduleFile(proc: string, pid: number, path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const clean = path.replace(/ \(deleted\)$/, '');
  for (const f of [`${proc}/${pid}/root${clean}`, clean]) if (existsSync(f)) return f;
  return undefined;
}

/** Frames for every address, by address. `maps`: the process's mappings. */
export function symbolise(proc: string, pid: number, maps: readonly MapRange[], addrs: readonly bigint[]): Map<bigint, string> {
  const out = new Map<bigint, string>();
  const byModule = new Map<string, Array<{ addr: bigint; fileOff: bigint }>>();
  for (const addr of new Set(addrs)) {
    const m = mappingAt(maps, addr);
    if (!m || !m.path.startsWith('/')) {
      out.set(addr, `? (${m?.path || `0x${addr.toString(16)}`})`);
      continue;
    }
    let list = byModule.get(m.path);
    if (!list) byModule.set(m.path, (list = []));
    list.push({ addr, fileOff: addr - m.start + m.offset });
  }
  for (const [path, list] of byModule) {
    const name = basename(path.replace(/ \(deleted\)$/, ''));
    const file = moduleFile(proc, pid, path);
    const segs = file ? parseLoadSegments(run('readelf', ['-lW', file])) : [];
    const vaddrOf = (off: bigint) => {
      const s = segs.find((g) => off >= g.offset && off < g.offset + g.filesz);
      return s ? off - s.offset + s.vaddr : undefined;
    };
    const vaddrs = list.map((e) => vaddrOf(e.fileOff));
    if (!file || segs.length === 0) {
      for (const e of list) out.set(e.addr, `? (${name})`);
      continue;
    }
    const syms = parseNm(run('nm', ['-C', '-S', '--defined-only', file]) + run('nm', ['-D', '-C', '-S', '--defined-only', file]));
    // A return address is just after its call: the line of the call is at address - 1.
    const known = vaddrs.filter((v): v is bigint => v !== undefined);
    const lines = known.length ? parseAddr2line(run('addr2line', ['-f', '-C', '-e', file, ...known.map((v) => `0x${(v - 1n).toString(16)}`)]), known.length) : [];
    let k = 0;
    list.forEach((e, i) => {
      const v = vaddrs[i];
      if (v === undefined) return out.set(e.addr, `? (${name})`);
      const line = lines[k++] ?? {};
      const sym = symbolAt(syms, v);
      if (line.where) out.set(e.addr, `${line.fn ?? sym?.name ?? '?'} (${line.where})`);
      else if (sym) out.set(e.addr, `${sym.name}+0x${(v - sym.addr).toString(16)} (${name})`);
      else out.set(e.addr, `? (${name})`);
    });
  }
  return out;
}

/** The functions a module defines (dynamic and static symbols): name -> address. */
export function definedFunctions(file: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const s of parseNm(run('nm', ['-D', '-S', '--defined-only', file]) + run('nm', ['-S', '--defined-only', file]))) {
    const name = s.name.replace(/@.*$/, '');
    if (out.has(name)) continue;
    out.set(name, s.addr);
  }
  return out;
}

/** Whether binutils' tools are there (addr2line, nm, readelf): without them frames are `? (module)`. */
export function haveBinutils(): boolean {
  return spawnSync('addr2line', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** The executable is a Go binary: it has a .go.buildinfo or .gopclntab section. */
export function isGoBinary(file: string): boolean {
  return /\.go\.buildinfo|\.gopclntab/.test(run('readelf', ['-SW', file]));
}
