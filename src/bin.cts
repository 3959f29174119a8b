#!/bin/sh
// 2>/dev/null; unset NODE_EXTRA_CA_CERTS; exec node --max-semi-space-size=4 "$0" "$@"
"use strict";
/**
 * The installed command (package.json's bin): turns on Node's on-disk
 * compile cache where the running Node has it, before any of memtop or its
 * libraries is loaded, then runs the command line (cli.ts, whose comment
 * explains the shebang's flag), bundled.
 *
 * Both this file and the bundle are CommonJS although memtop's sources are
 * ES modules: Node then never starts its ES module loader (resolution,
 * module jobs, the CommonJS export lexer for commander), 20-30 ms of CPU
 * less per start here (`memtop --version` 90 -> 70 ms, median of 12).
 *
 * module.enableCompileCache came with Node 22.1: a later start reads the
 * compiled code of memtop, commander and blessed from the cache (in the
 * temp directory, or NODE_COMPILE_CACHE) instead of compiling it again.
 * Before 22.1 memtop keeps V8's code cache of its bundle itself (codecache.cts).
 *
 * The first two lines start node: the file is a shell script to /bin/sh
 * (line 2 runs `//`, a directory, quietly, then execs node on this file) and
 * JavaScript to node (line 2 is a comment). They drop NODE_EXTRA_CA_CERTS
 * from memtop's environment: Node 20 reads and parses that certificate
 * bundle before the first line of any script runs, 80 ms of CPU per start on
 * a machine that sets it to Debian's bundle (`node -e 0` 40 -> 120 ms), and
 * memtop makes no TLS connection. A shebang of `env -S` did the same, but
 * busybox's env (Alpine, its node images) has no -S and refused to start
 * memtop; every Linux has a /bin/sh, and dash or busybox sh costs about a
 * millisecond before node. The "use strict" is written out so that tsc
 * emits it below the shell's line rather than above it (where sh would run
 * it as a command).
 */
import nodeModule = require('node:module');
import fs = require('node:fs');
import path = require('node:path');

import { runCached } from './codecache.cjs';

const withCache = nodeModule as typeof nodeModule & { enableCompileCache?: () => unknown };
let nodeCaches = false;
try {
  nodeCaches = withCache.enableCompileCache !== undefined;
  withCache.enableCompileCache?.();
} catch {
  // A cache that cannot be written costs only its speed.
}
// npm run build writes cli.bundle.cjs: cli.js, the ~80 modules it imports and commander as one CommonJS file
// (package.json's build script; the other libraries stay outside, loaded when their mode or key needs them).
// Without it (tsc alone) the ES modules of dist/ run as they are.
const bundle = path.join(__dirname, 'cli.bundle.cjs');
if (!fs.existsSync(bundle)) void import('./cli.js');
else if (nodeCaches) require(bundle);
else runCached(bundle); // Node before 22.1: memtop keeps V8's code cache of the bundle itself (codecache.cts)
