/**
 * What runs in a process, told from its mappings (and, for Go, a note in its
 * executable the reader looks for), and what a growing region means there:
 * the detail view's advice on where to look next. Pure.
 */

export type Runtime = 'node' | 'python' | 'jvm' | 'go';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(/ \(deleted\)$/, '');

/** The runtime of a process: its executable's or libraries' names; `goBinary` from the reader. */
export function runtimeOf(mappings: readonly { name: string }[] | undefined, goBinary?: boolean): Runtime | undefined {
  if (mappings) {
    for (const m of mappings) if (/^libjvm\.so$/.test(base(m.name))) return 'jvm';
    for (const m of mappings) {
      const b = base(m.name);
      if (/^(node|nodejs)$/.test(b) || /^libnode\.so/.test(b)) return 'node';
      if (/^python[23]?(\.\d+)?$/.test(b) || /^libpython[23]/.test(b)) return 'python';
    }
  }
  return goBinary ? 'go' : undefined;
}

const ADVICE: Record<Runtime, { anon: string; heap: string }> = {
  node: {
    anon: '[anon] growth in Node is the JS heap (V8\'s old space): compare heap snapshots, e.g. start node with --heapsnapshot-signal=SIGUSR2 and send kill -USR2 PID twice, or attach the inspector (node --inspect, kill -USR1 PID, then chrome://inspect) and take snapshots there',
    heap: '[heap] growth in Node is native memory, not the JS heap: Buffers and ArrayBuffers (process.memoryUsage().arrayBuffers, external), native addons, the runtime itself; heap snapshots will not show it (heaptrack or bpftrace on malloc will)',
  },
  python: {
    anon: '[anon] growth in CPython is the object allocator (pymalloc\'s 256 KiB arenas) and large mallocs: tracemalloc (python -X tracemalloc, tracemalloc.take_snapshot() compared) or memray (memray attach PID) names the lines that allocate',
    heap: '[heap] growth in CPython is malloc (objects over 512 bytes, extension modules\' memory): tracemalloc sees Python\'s own allocations, memray (memray attach --native PID) extension modules\' too',
  },
  jvm: {
    anon: '[anon] in the JVM holds the Java heap, metaspace, the JIT\'s code and thread stacks: jcmd PID GC.heap_info and GC.class_histogram, a heap dump (jcmd PID GC.heap_dump FILE); growth beyond -Xmx is native: -XX:NativeMemoryTracking=summary, jcmd PID VM.native_memory',
    heap: '[heap] growth in the JVM is native malloc (JNI, direct buffers, the JVM itself): -XX:NativeMemoryTracking=summary and jcmd PID VM.native_memory summary.diff',
  },
  go: {
    anon: '[anon] growth in Go is the Go heap (the runtime maps it anonymously): a heap profile names the allocating code (net/http/pprof\'s /debug/pprof/heap, go tool pprof -diff_base)',
    heap: '[heap] growth in Go is cgo\'s malloc (C libraries called through cgo), outside the Go heap: heaptrack or bpftrace on malloc',
  },
};

/** What growth of the mapping group `region` means in `runtime`; undefined when memtop has nothing to add. */
export function regionAdvice(runtime: Runtime | undefined, region: string): string | undefined {
  if (region !== '[anon]' && region !== '[heap]') return undefined;
  const kind = region === '[anon]' ? 'anon' : 'heap';
  if (runtime) return ADVICE[runtime][kind];
  return kind === 'heap'
    ? '[heap] is malloc\'s main arena (brk): heaptrack, valgrind --tool=massif, or bpftrace on malloc name the allocating code'
    : '[anon] is anonymous memory: malloc\'s large blocks and arenas (mmap), or a runtime\'s own heap: heaptrack or bpftrace on malloc/mmap name the allocating code';
}
