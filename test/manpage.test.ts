/**
 * The manual page (man/memtop.1, installed by package.json's `man` field)
 * and `memtop --help` name the same options: an option added to one and not
 * the other fails here, with the names that differ.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${root}dist/bin.cjs`;
const PAGE = `${root}man/memtop.1`;

/** Every -x and --long-name on the option lines of --help (the "Options:" block). */
function helpOptions(help: string): Set<string> {
  const lines = help.slice(help.indexOf('\nOptions:') + 1).split('\n').slice(1);
  const out = new Set<string>();
  for (const line of lines) {
    if (/^\S/.test(line)) break; // the next section
    const m = /^ {2}((?:-[A-Za-z], )?--[\w-]+)/.exec(line);
    if (!m) continue;
    for (const name of m[1]!.split(', ')) out.add(name);
  }
  return out;
}

/** Every option a tagged paragraph (.TP) of the OPTIONS section introduces. */
function manOptions(roff: string): Set<string> {
  const start = roff.indexOf('\n.SH OPTIONS');
  const end = roff.indexOf('\n.SH ', start + 1);
  const lines = roff.slice(start, end).split('\n');
  const out = new Set<string>();
  lines.forEach((line, i) => {
    if (lines[i - 1] !== '.TP') return;
    // ".BR \-m \", \" \-\-memory" -> "-m", "--memory"; arguments are in \fI...\fR or after the first space of .BI.
    const text = line.replace(/\\-/g, '-').replace(/\\f[IRB]/g, ' ').replace(/"/g, ' ');
    for (const m of text.matchAll(/(?:^|[\s,])(--?[A-Za-z][\w-]*)/g)) out.add(m[1]!);
  });
  return out;
}

test('man/memtop.1 and --help list the same options', () => {
  const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  const fromHelp = helpOptions(help);
  const fromMan = manOptions(readFileSync(PAGE, 'utf8'));
  assert.ok(fromHelp.size >= 30, `only ${fromHelp.size} options read from --help`);
  assert.ok(fromHelp.has('--proc') && fromHelp.has('-m') && fromHelp.has('--memory'));
  const missing = [...fromHelp].filter((o) => !fromMan.has(o));
  const extra = [...fromMan].filter((o) => !fromHelp.has(o));
  assert.deepEqual(missing, [], `in --help, not in man/memtop.1 (add a .TP paragraph): ${missing.join(' ')}`);
  assert.deepEqual(extra, [], `in man/memtop.1, not in --help: ${extra.join(' ')}`);
});

test('the two readers of options find them on real-shaped text', () => {
  const help = 'Usage: x\n\nOptions:\n  --version      v\n  -m, --memory   m\n                 continued --not-an-option\n  -h, --help     h\n\nExamples:\n  memtop --json 1\n';
  assert.deepEqual([...helpOptions(help)], ['--version', '-m', '--memory', '-h', '--help']);
  const roff = '.TH X 1\n.SH OPTIONS\n.TP\n.BR \\-m ", " \\-\\-memory\nThe memory view, see \\-\\-view.\n.TP\n.BI \\-\\-width " columns"\nW.\n.SH EXIT STATUS\n.TP\n.B \\-\\-nope\n';
  assert.deepEqual([...manOptions(roff)], ['-m', '--memory', '--width']);
});
