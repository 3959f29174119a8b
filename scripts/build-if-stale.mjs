#!/usr/bin/env node
/**
 * `npm start`'s first step: builds dist/ (npm run build: tsc + esbuild, ~5-17 s) only when it is
 * missing or older than what it is built from, so a start after the first one runs what is built
 * (a walk of src/ costs a few milliseconds). Built from: every file and directory under src/ (a
 * directory's time moves when a file is added, renamed or removed), package.json, package-lock.json
 * and tsconfig.json. dist/cli.bundle.cjs is what the build writes last; a fresh clone has no dist/
 * and builds. A failed build fails `npm start`, which then runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['dist/cli.bundle.cjs', 'dist/bin.cjs', 'dist/cli.js'];
const INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json'];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time under dir, directories included. */
function newest(dir) {
  let latest = mtime(dir) ?? 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : mtime(path) ?? 0);
  }
  return latest;
}

function why() {
  const built = OUTPUTS.map((p) => mtime(join(root, p)));
  if (built.some((t) => t === undefined)) return 'dist/ is not built yet';
  const oldest = Math.min(...built);
  const src = newest(join(root, 'src'));
  if (src > oldest) return 'src/ changed since the last build';
  const changed = INPUTS.find((p) => (mtime(join(root, p)) ?? 0) > oldest);
  return changed === undefined ? undefined : `${changed} changed since the last build`;
}

const reason = why();
if (reason !== undefined) {
  process.stderr.write(`memtop: ${reason}: npm run build\n`);
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
