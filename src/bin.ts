#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The installed command (package.json's bin): turns on Node's on-disk
 * compile cache where the running Node has it, before any of memtop or its
 * libraries is loaded, then runs the command line (cli.ts, whose comment
 * explains the shebang's flag), bundled.
 *
 * module.enableCompileCache came with Node 22.1: a later start reads the
 * compiled code of memtop, commander and blessed from the cache (in the
 * temp directory, or NODE_COMPILE_CACHE) instead of compiling it again.
 * Node 20 has no such cache and runs as before.
 */
import { existsSync } from 'node:fs';
import module from 'node:module';

const withCache = module as typeof module & { enableCompileCache?: () => unknown };
try {
  withCache.enableCompileCache?.();
} catch {
  // A cache that cannot be written costs only its speed.
}
// npm run build also writes cli.bundle.js: cli.js and the ~70 modules it imports as one file, with a few
// chunks for what only some modes load. Node then resolves, reads and links a handful of files instead of
// every module (about a fifth of the CPU of a start-up, docs/BENCHMARKS.md); cli.js is what it is built from.
const bundle = new URL('./cli.bundle.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : './cli.js');
