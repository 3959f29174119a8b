/**
 * The configuration file as a fuzzer's input: random lines (known and
 * unknown keys, absurd numbers, long and binary values, NUL, CR, no `=`)
 * and files replaced by what no one writes there (a FIFO, a directory, a
 * symbolic link loop, /dev/zero, a sparse giant), from a fixed seed. memtop
 * reads each as the user's file ($XDG_CONFIG_HOME) and as --config, on the
 * case study's tree, with a SIGKILL deadline: it must end by itself, exit 0
 * (a line passed over said in one line each) or 2 (a usage error in one
 * line), never an internal error or a stack trace. FUZZ_CONFIGS sets how
 * many files (default 8); contrib/fuzz.sh runs hundreds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SETTINGS } from '../src/configfile.js';
import { CLI, requireBuild } from './helpers/cli.js';
import { FIXTURES } from './helpers/trees.js';
import { HOSTILE, plantHostile, random } from './helpers/fuzz.js';

requireBuild();

const CONFIGS = Number(process.env.FUZZ_CONFIGS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 21);
const PROC = ['--proc', join(FIXTURES, 'case-study', 't151232'), '--sys', join(FIXTURES, 'case-study', 'sys')];

const VALUES = [
  '-1', '0', '1e308', '-1e308', '1180591620717411303424', 'NaN', 'Infinity', '0x10', '3.5', '', 'yes', 'no', 'maybe',
  'memory', 'generic', 'RSIZE', 'rgrow', '10m', '99999999d', '0.001', '"quoted"', "'x", '#', '= =', 'a'.repeat(5000),
  '\u0000', '\r', '\u00ff\u00fe', '\u{1F4A5}', '--help', '-w /tmp/x',
];

test(`${CONFIGS} fuzzed configuration files (seed ${SEED}): every run ends by itself, exit 0 or 2 with one line each, no internal error`, { timeout: 30_000 + CONFIGS * 15000 }, () => {
  const rnd = random(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const keys = [...SETTINGS, 'colour', 'interva', '--top', 'VIEW', ' sort ', 'write', 'proc'];
  const root = mkdtempSync(join(tmpdir(), 'memtop-fuzzconf-'));
  try {
    for (let n = 0; n < CONFIGS; n++) {
      const home = join(root, String(n));
      const file = join(home, 'memtop', 'config');
      mkdirSync(join(home, 'memtop'), { recursive: true });
      const lines: string[] = [];
      for (let k = Math.floor(rnd() * 8); k >= 0; k--) {
        const r = rnd();
        lines.push(r < 0.1 ? pick(VALUES) : r < 0.2 ? `# ${pick(VALUES)}` : `${pick(keys)}${pick([' = ', '=', ' =', '\t=\t'])}${pick(VALUES)}`);
      }
      let what = `config ${n}: ${JSON.stringify(lines.join('\n')).slice(0, 300)}`;
      if (rnd() < 0.3) {
        const kind = pick(HOSTILE);
        what = `config ${n}: ${kind}`;
        plantHostile(file, kind, 1 << 30);
      } else {
        writeFileSync(file, lines.join(pick(['\n', '\r\n'])) + (rnd() < 0.5 ? '\n' : ''));
      }
      for (const args of [[], ['--config', file]]) {
        const r = spawnSync(process.execPath, [CLI, ...args, ...PROC, '--text', '--width', '120', '1', '1'], {
          encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL', env: { ...process.env, XDG_CONFIG_HOME: home },
        });
        const how = `${what} ${args.length ? 'as --config' : 'as the user\'s file'}`;
        assert.equal(r.signal, null, `${how}: hung`);
        assert.ok(r.status === 0 || r.status === 2, `${how}: exit ${r.status}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, how);
        for (const line of r.stderr.split('\n').filter(Boolean)) assert.match(line, /^memtop: /, `${how}: every line is memtop's`);
        if (r.status === 2) assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${how}: a usage error is one line`);
        else assert.match(r.stdout, /PID/, `${how}: and memtop ran`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
