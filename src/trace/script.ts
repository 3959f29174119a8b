/**
 * The bpftrace program behind `memtop --stacks`: bcc memleak's method in a
 * few probes. Pure: the facts about the target in, the program text out.
 *
 * Each allocator entry (malloc, calloc, realloc, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc) keeps the size per thread and
 * the return address found at the stack pointer (the immediate caller: a
 * frame-pointer walk from inside malloc misses it); its return probe stores
 * the returned address with its size and the user stack, and adds to the
 * outstanding bytes and count of that stack. free, realloc's old pointer
 * and munmap take them back. So what the END block prints is, per stack,
 * what was allocated during the trace and is not freed: the sums are kept
 * in the kernel, the output is one entry per stack, not per allocation.
 *
 * Nesting: glibc's realloc(NULL, n) calls malloc at malloc's own address,
 * and malloc calls mmap for large blocks and new arenas. A call whose
 * caller lies inside an allocator module while an outer call is in flight
 * (`@busy`) is the allocator's own and is not counted again; an mmap while
 * an allocator call is in flight is the allocator's, not the program's.
 *
 * Sampling: with `every` N > 1 a call below `bigBytes` is recorded with
 * probability 1/N (bpf's random numbers, so a loop's period cannot alias
 * with N) and weighs N; larger ones are always recorded and weigh 1. The
 * figures leave the kernel already scaled. With `every` 0 the first second
 * only counts calls and then picks N for at most `targetRate` recorded
 * calls per second (the stack walks and map updates are what cost).
 */

/** An allocator's module mapped by the target, and which of its entry points it exports. */
export interface AllocatorModule {
  /** The path bpftrace attaches to (as /proc/PID/maps names it). */
  path: string;
  /** The entry points it exports (a subset of ALLOC_FUNCS and FREE_FUNCS). */
  funcs: string[];
  /** Its executable mappings in the target: [start, end) addresses. */
  text: Array<[bigint, bigint]>;
}

export interface ScriptOptions {
  pid: number;
  modules: AllocatorModule[];
  /** Sampling factor: 1 = every call, N = one in N, 0 = chosen after a second of counting. */
  every: number;
  /** Auto sampling aims at this many recorded allocations per second. */
  targetRate: number;
  /** Allocations of at least this many bytes are always recorded. */
  bigBytes: number;
  /** Anonymous mmaps of at least this many bytes count as allocations. */
  mmapBytes: number;
  /** Frames of the user stack kept (the caller comes on top). */
  frames: number;
  /** Seconds of recording: the kernel side stops recording itself after them (0: until stopped). */
  seconds?: number;
}

/** Entry points that allocate: name -> the size expression and where the address comes back. */
const ALLOCS: Record<string, { size: string; ptr?: 'out' }> = {
  malloc: { size: 'arg0' },
  calloc: { size: 'arg0 * arg1' },
  realloc: { size: 'arg1' },
  valloc: { size: 'arg0' },
  pvalloc: { size: 'arg0' },
  memalign: { size: 'arg1' },
  aligned_alloc: { size: 'arg1' },
  posix_memalign: { size: 'arg2', ptr: 'out' },
};
export const ALLOC_FUNCS = Object.keys(ALLOCS);
export const FREE_FUNCS = ['free', 'mmap', 'munmap'];

/** Sizes travel packed with their weight: bytes << 16 | weight (weights below 65536). */
const WEIGHT_BITS = 16;

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** The condition "address $c lies in an allocator module's code". */
function inAllocator(modules: AllocatorModule[], v: string): string {
  const ranges = modules.flatMap((m) => m.text).map(([lo, hi]) => `(${v} >= ${hex(lo)} && ${v} < ${hex(hi)})`);
  return ranges.length ? ranges.join(' || ') : '0';
}

export function stacksScript(o: ScriptOptions): string {
  const filter = (more?: string) => `/pid == ${o.pid}${more ? ` && ${more}` : ''}/`;
  const inLib = inAllocator(o.modules, '$c');
  const stack = `ustack(perf, ${o.frames})`;
  const out: string[] = [];
  out.push(`BEGIN { @every = ${Math.max(1, o.every)}; @armed = 0; printf("memtop-trace: started\\n"); }`);
  // What a return does with an address `$a` of `$s` bytes (packed) for the caller and stack kept at entry.
  // The stack is walked once (the costly part of a record) and read back from @astk for the sums' keys.
  const record = (a: string) => [
    `@asz[${a}] = $w; @acl[${a}] = @cl[tid]; @astk[${a}] = ${stack};`,
    `@ob[@cl[tid], @astk[${a}]] = sum(($w >> ${WEIGHT_BITS}) * ($w & 0xffff)); @oc[@cl[tid], @astk[${a}]] = sum($w & 0xffff);`,
  ].join(' ');
  const release = (a: string) => [
    `$f = @asz[${a}]; if ($f != 0) {`,
    `@ob[@acl[${a}], @astk[${a}]] = sum(-(($f >> ${WEIGHT_BITS}) * ($f & 0xffff))); @oc[@acl[${a}], @astk[${a}]] = sum(-($f & 0xffff));`,
    `delete(@asz[${a}]); delete(@acl[${a}]); delete(@astk[${a}]); }`,
  ].join(' ');
  for (const m of o.modules) {
    const at = (kind: 'uprobe' | 'uretprobe', fn: string, more?: string) => `${kind}:${m.path}:${fn} ${filter(more)}`;
    for (const fn of m.funcs) {
      const a = ALLOCS[fn];
      if (a) {
        out.push(`${at('uprobe', fn)} {`,
          `  $c = *uptr((uint64 *)reg("sp"));`,
          // A call from inside the allocator while another is in flight is its own: its return is skipped.
          `  if (@busy[tid] != 0 && (${inLib})) { @skip[tid] = 1; }`,
          `  else {`,
          `    @busy[tid] = 1; @ncalls++; $sz = (uint64)(${a.size});`,
          `    if (@armed && ($sz >= ${o.bigBytes} || (uint64)rand % (uint64)@every == 0)) {`,
          `      @in[tid] = ($sz << ${WEIGHT_BITS}) | ($sz >= ${o.bigBytes} ? (uint64)1 : (uint64)@every); @cl[tid] = $c;`,
          a.ptr ? `      @outp[tid] = arg0;` : '',
          `    }`,
          fn === 'realloc' ? `    @old[tid] = arg0; @oldsz[tid] = arg1;` : '',
          `  }`,
          `}`);
        const addr = a.ptr ? '$p' : 'retval';
        out.push(`${at('uretprobe', fn, '@busy[tid]')} {`,
          `  if (@skip[tid]) { @skip[tid] = 0; } else {`,
          a.ptr ? `  $p = @outp[tid] != 0 && retval == 0 ? *uptr((uint64 *)@outp[tid]) : 0; delete(@outp[tid]);` : '',
          fn === 'realloc' ? `  if (@old[tid] != 0 && (retval != 0 || @oldsz[tid] == 0)) { $o = @old[tid]; ${release('$o')} } delete(@old[tid]); delete(@oldsz[tid]);` : '',
          `  $w = @in[tid];`,
          `  if ($w != 0 && ${addr} != 0 && @asz[${addr}] == 0) { ${record(addr)} }`,
          `  @busy[tid] = 0; @in[tid] = 0;`,
          `}}`);
      } else if (fn === 'free') {
        out.push(`${at('uprobe', fn, 'arg0 != 0')} { ${release('arg0')} }`);
      } else if (fn === 'mmap') {
        // Anonymous (MAP_ANONYMOUS 0x20), private or shared, large, and not the allocator's own.
        out.push(`${at('uprobe', fn, `@busy[tid] == 0 && (arg3 & 0x20) && arg1 >= ${o.mmapBytes}`)} {`,
          `  @mlen[tid] = arg1; @mcl[tid] = *uptr((uint64 *)reg("sp"));`,
          `}`);
        out.push(`${at('uretprobe', fn, '@mlen[tid]')} {`,
          `  if (@armed && (int64)retval != -1 && @asz[retval] == 0) {`,
          `    $w = (@mlen[tid] << ${WEIGHT_BITS}) | 1; @cl[tid] = @mcl[tid]; ${record('retval')}`,
          `  }`,
          `  delete(@mlen[tid]); delete(@mcl[tid]);`,
          `}`);
      } else if (fn === 'munmap') {
        out.push(`${at('uprobe', fn, 'arg0 != 0')} { ${release('arg0')} }`);
      }
    }
  }
  // Probes attach one after the other: recording starts a second after BEGIN, once the frees are
  // attached too (else the blocks allocated meanwhile would stay "outstanding" for ever). The interval
  // probes come last in the program, so they attach last.
  // The window is timed in the kernel: bpftrace may run END seconds after its SIGINT on a loaded
  // machine (2 s measured here beside a churner), and the calls recorded meanwhile would count
  // against fewer seconds than they took. After `seconds` the tick stops recording and exits.
  const pick = o.every === 0 ? `@every = @ncalls / ${o.targetRate} + 1; ` : '';
  out.push(`interval:s:1 /@armed == 0 && @t0 == 0/ { ${pick}@armed = 1; @t0 = nsecs; printf("memtop-trace: armed every %d\\n", @every); }`);
  out.push(`interval:s:1 { printf("memtop-trace: tick %d\\n", @ncalls); }`);
  if (o.seconds && o.seconds > 0) {
    out.push(`interval:ms:100 /@armed && nsecs - @t0 >= ${Math.round(o.seconds * 1e9)}/ { @armed = 0; @t1 = nsecs; exit(); }`);
  }
  // Nothing new is recorded once END runs (frees still count): the maps printed are the end's.
  out.push(`END {`,
    `  @armed = 0; if (@t1 == 0) { @t1 = nsecs; }`,
    `  printf("memtop-trace: window %d\\n", @t0 ? (@t1 - @t0) / 1000000 : 0);`,
    `  printf("memtop-trace: every %d\\n", @every);`,
    `  printf("memtop-trace: bytes\\n"); print(@ob);`,
    `  printf("memtop-trace: counts\\n"); print(@oc);`,
    `  printf("memtop-trace: end\\n");`,
    `  clear(@ob); clear(@oc); clear(@busy); clear(@skip); clear(@in); clear(@cl); clear(@outp); clear(@old); clear(@oldsz);`,
    `  clear(@mlen); clear(@mcl); clear(@asz); clear(@acl); clear(@astk); clear(@every); clear(@armed); clear(@ncalls); clear(@t0); clear(@t1);`,
    `}`);
  return out.filter((l) => l !== '').join('\n') + '\n';
}

/**
 * bpftrace v0.17 attaches the uprobes to the libc file, not to the process: every process using that
 * libc takes the traps while a trace runs (the pid test is inside the program). Said before each trace.
 */
export const SYSTEM_WIDE_COST = 'while it traces, EVERY process using the same libc slows down on malloc/free too (bpftrace 0.17 probes the file, not the process): an unrelated malloc-heavy process ran ~3000x slower here; keep traces short';
