#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The installed command (package.json's bin): turns on Node's on-disk
 * compile cache where the running Node has it, before any of memtop or its
 * libraries is loaded, then runs the command line (cli.ts, whose comment
 * explains the shebang's flag).
 *
 * module.enableCompileCache came with Node 22.1: a later start reads the
 * compiled code of memtop, commander and blessed from the cache (in the
 * temp directory, or NODE_COMPILE_CACHE) instead of compiling it again.
 * Node 20 has no such cache and runs as before.
 */
import module from 'node:module';

const withCache = module as typeof module & { enableCompileCache?: () => unknown };
try {
  withCache.enableCompileCache?.();
} catch {
  // A cache that cannot be written costs only its speed.
}
await import('./cli.js');
