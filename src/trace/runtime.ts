/**
 * Runtimes whose heap is not malloc's, told from the process's mappings and
 * executable: native stacks there show the runtime, not the program, and
 * each runtime has its own tool. Pure: paths in, one line per runtime out.
 */

export interface RuntimeFacts {
  /** The executable's path (/proc/PID/exe). */
  exe: string;
  /** Paths of the mapped files (/proc/PID/maps). */
  mapped: readonly string[];
  /** The executable is a Go binary (it has a .go.buildinfo or .gopclntab section). */
  go: boolean;
}

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export function runtimeLines(f: RuntimeFacts): string[] {
  const exe = base(f.exe);
  const libs = f.mapped.map(base);
  const out: string[] = [];
  if (/^(node|nodejs|deno|bun)$/.test(exe) || libs.some((l) => /^libnode\.so/.test(l))) {
    out.push('Node.js/V8: JavaScript objects live in V8\'s own heap: take a heap snapshot (node --heapsnapshot-signal=SIGUSR2, or the inspector\'s Memory tab)');
  }
  if (/^python[0-9.]*$/.test(exe) || libs.some((l) => /^libpython[0-9.]+\.so/.test(l))) {
    out.push('Python: objects come from pymalloc\'s arenas: use tracemalloc (python -X tracemalloc, tracemalloc.take_snapshot())');
  }
  if (libs.some((l) => l === 'libjvm.so')) {
    out.push('JVM: the Java heap is one large mapping: jcmd PID GC.heap_dump for objects, -XX:NativeMemoryTracking=summary and jcmd PID VM.native_memory for native memory');
  }
  if (f.go) out.push('Go: its heap is its own (not malloc): use pprof\'s heap profile (net/http/pprof, go tool pprof)');
  return out;
}
