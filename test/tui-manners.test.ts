/**
 * Terminal manners end to end, in a pty read through a headless xterm, on
 * the case study's fake /proc (MEM critical, PAG almost critical, lekker
 * growing): NO_COLOR and a terminal without colours (vt100) get no colour
 * escapes but keep bold, blink and reverse; LANG=C and the Linux console get
 * ASCII trend charts instead of braille (which LANG=C turns into `?`); the
 * light theme's colours are readable on white; the configuration file sets
 * colours; the help overlay covers the width; the cgroup view's page counter
 * leaves its last header whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { makeTree } from './helpers/trees.js';
import { CASE_STUDY, lekkerGrown, makeFakeProc, writeFakeProc } from './tui-fakeproc.js';
import { PtyScreen, RED, sleep } from './tui-harness.js';

const MiB = 1024 * 1024;

/** memtop on a fresh fake /proc, at its second sample (lekker grown), with `env`; always cleaned up. */
async function withScreen(
  args: string[], env: Record<string, string>, size: [number, number], body: (s: PtyScreen) => Promise<void>, setup?: (dir: string) => string[],
  grow = true,
): Promise<void> {
  const fake = makeFakeProc(CASE_STUDY);
  const extra = setup?.(fake.dir) ?? [];
  const s = new PtyScreen(['--proc', fake.dir, ...extra, ...args, '600'], size[0], size[1], { env });
  try {
    // The first screen (its header: the 1000 s since boot), not its status line: a message can take that
    // (other tests on this machine contain processes, and the screen reports their end).
    await s.waitFor((t) => /16m40s elapsed/.test(t.lines()[0]!) && !!t.find(/^\s*\*?PID /), 'the first screen');
    if (grow) {
      writeFakeProc(fake.dir, lekkerGrown(150, 20));
      s.send('t');
      await s.waitText(/20s elapsed/);
    }
    await s.settled();
    await body(s);
  } finally {
    await s.close();
    fake.remove();
  }
}

/** The SGR parameters memtop wrote that select a colour (foreground, background, 256 or direct). */
function colourEscapes(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(/\x1b\[([\d;]*)m/g)) {
    const params = m[1]!.split(';').filter(Boolean).map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) out.push(m[0]);
  }
  return out;
}

function labelCell(s: PtyScreen, label: string) {
  const row = s.find(new RegExp(`^${label} `));
  assert.ok(row, `${label} line on screen`);
  return s.cell(0, row.y);
}

const panelShown = (s: PtyScreen) => ['memory over', 'used ', 'free '].every((l) => s.lines().some((x) => x.includes(l)));

test('NO_COLOR: no colour escapes at all, the critical label still bold and blinking, the header reversed, x flag shown', { timeout: 40000 }, async () => {
  await withScreen(['-m'], { NO_COLOR: '1' }, [80, 24], async (s) => {
    assert.match(s.lines()[0]!, /-x-----/, 'x flag in the header: colours are off');
    assert.equal(labelCell(s, 'MEM').fg, -1);
    assert.ok(labelCell(s, 'MEM').bold && labelCell(s, 'MEM').blink, 'critical MEM: bold and blinking');
    assert.ok(s.cell(0, 0).inverse, 'header in reverse video');
    s.send('B');
    await s.waitFor(panelShown, 'the trend panel');
    await s.settled();
    assert.deepEqual(colourEscapes(s.raw), [], 'no colour escape was written');
  });
  // An empty NO_COLOR is not set (no-color.org); the configuration file's `color = yes` overrides it.
  await withScreen(['-m'], { NO_COLOR: '' }, [80, 24], async (s) => {
    assert.equal(labelCell(s, 'MEM').fg, RED, 'empty NO_COLOR: colours');
  });
  const dir = mkdtempSync(join(tmpdir(), 'memtop-h24a-'));
  try {
    writeFileSync(join(dir, 'c'), 'color = yes\n');
    await withScreen(['-m', '--config', join(dir, 'c')], { NO_COLOR: '1' }, [80, 24], async (s) => {
      assert.equal(labelCell(s, 'MEM').fg, RED, 'color = yes in the file wins over NO_COLOR');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TERM=vt100 (terminfo: no colours): none sent, x says why, bold and reverse marks stay', { timeout: 40000 }, async () => {
  await withScreen(['-m'], { TERM: 'vt100' }, [80, 24], async (s) => {
    assert.ok(labelCell(s, 'MEM').bold, 'critical MEM bold');
    assert.ok(s.cell(0, 0).inverse, 'header in reverse video');
    s.send('x');
    await s.waitText(/the terminal has no colours \(terminfo of TERM=vt100\)/);
    s.send('B');
    await s.waitFor(panelShown, 'the trend panel');
    await s.settled();
    assert.deepEqual(colourEscapes(s.raw), [], 'no colour escape was written');
  });
});

/** The trend panel's rows: from the header to the status line above the process header. */
function panelRows(s: PtyScreen): string[] {
  const head = s.find(/^\s*PID /);
  assert.ok(head);
  return s.lines().slice(1, head.y);
}

for (const [what, env] of [
  ['LANG=C and LC_ALL=C', { LANG: 'C', LC_ALL: 'C' }],
  ['TERM=linux', { TERM: 'linux' }],
] as [string, Record<string, string>][]) {
  test(`${what}: the trend charts are ASCII, never braille or rows of ?`, { timeout: 40000 }, async () => {
    await withScreen(['-m'], env, [80, 24], async (s) => {
      s.send('B');
      await s.waitFor(panelShown, 'the trend panel');
      await s.settled();
      const rows = panelRows(s);
      assert.ok(rows.every((r) => !r.includes('?')), `no ? in the panel:\n${s.dump()}`);
      assert.ok(!/[\u2800-\u28ff]/.test(s.raw), 'no braille written');
      // The memory chart's flat lines and lekker's rising one, in ASCII marks.
      assert.ok(rows.some((r) => /-{10}/.test(r)), `a flat line drawn in -:\n${s.dump()}`);
      // The process chart's canvas starts at column 58 at 80 columns (62% of the width, 2 blanks, a 7-column label).
      assert.ok(rows.filter((r) => /[.'|-]/.test(r.slice(58))).length >= 3, `lekker's rise over several rows:\n${s.dump()}`);
      assert.ok(s.find(/RSIZE 31048 lekker/), 'the process chart names lekker');
    });
  });
}

test('braille where it can be drawn (UTF-8, an xterm): the same panel as braille', { timeout: 40000 }, async () => {
  await withScreen(['-m'], {}, [80, 24], async (s) => {
    s.send('B');
    await s.waitFor((t) => panelShown(t) && /[\u2800-\u28ff]/.test(t.lines().join('')), 'braille charts');
  });
});

/** xterm's default palette as RGB: the 16 basic colours, the 6x6x6 cube, the greys. */
function xtermRgb(i: number): [number, number, number] {
  const basic = [
    [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205], [229, 229, 229],
    [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255], [255, 0, 255], [0, 255, 255], [255, 255, 255],
  ];
  if (i < 16) return basic[i] as [number, number, number];
  if (i < 232) {
    const steps = [0, 95, 135, 175, 215, 255];
    const n = i - 16;
    return [steps[Math.floor(n / 36)]!, steps[Math.floor(n / 6) % 6]!, steps[n % 6]!];
  }
  const g = 8 + (i - 232) * 10;
  return [g, g, g];
}

/** WCAG's contrast ratio of a palette colour against white. */
function contrastOnWhite(i: number): number {
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = xtermRgb(i);
  const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return 1.05 / (l + 0.05);
}

/** Every foreground palette colour of a cell on the default background: what is drawn on the terminal's own background. */
function foregrounds(s: PtyScreen): Map<number, string> {
  const seen = new Map<number, string>();
  const buf = s.term.buffer.active;
  for (let y = 0; y < s.term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    for (let x = 0; x < s.term.cols; x++) {
      const c = line?.getCell(x);
      if (!c || !c.isFgPalette() || !c.isBgDefault() || c.isInverse() || c.getChars().trim() === '') continue;
      if (!seen.has(c.getFgColor())) seen.set(c.getFgColor(), `${c.getChars()} at ${x},${y}`);
    }
  }
  return seen;
}

test('--theme light: every colour drawn on the background reads on white (4.5:1 in xterm\'s palette); the default theme does not', { timeout: 60000 }, async () => {
  const check = async (args: string[], env: Record<string, string> = {}) => {
    let colours = new Map<number, string>();
    await withScreen(['-m', ...args], env, [120, 40], async (s) => {
      colours = foregrounds(s);
      s.send('B');
      await s.waitFor(panelShown, 'the trend panel');
      await s.settled();
      for (const [c, where] of foregrounds(s)) colours.set(c, where);
    });
    return colours;
  };
  const light = await check(['--theme', 'light']);
  assert.ok(light.size >= 4, `several colours drawn: ${[...light.keys()]}`);
  for (const [c, where] of light) assert.ok(contrastOnWhite(c) >= 4.5, `colour ${c} (${where}): ${contrastOnWhite(c).toFixed(2)}:1 on white`);
  // A terminal of 8 colours (TERM=xterm) has no dark shades: the light theme keeps to the basic colours that read.
  const light8 = await check(['--theme', 'light'], { TERM: 'xterm' });
  assert.ok(light8.size >= 3, `several colours drawn on 8 colours: ${[...light8.keys()]}`);
  for (const [c, where] of light8) assert.ok(c < 8 && contrastOnWhite(c) >= 4.5, `8 colours: colour ${c} (${where}): ${contrastOnWhite(c).toFixed(2)}:1 on white`);
  const dark = await check([]);
  assert.ok([...dark.keys()].some((c) => contrastOnWhite(c) < 2.5), 'the default theme keeps atop\'s colours (cyan, yellow, green: low on white)');
  assert.ok(dark.has(6) && !light.has(6), 'almost critical: cyan in the default theme, another colour in the light one');
});

test('the configuration file sets the theme and single colours (atoprc\'s colorcritical, coloralmost); a bad colour is refused', { timeout: 40000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-h24a-'));
  try {
    writeFileSync(join(dir, 'c'), 'theme = light\ncolorcritical = magenta\ncoloralmost = 94\n');
    await withScreen(['-m', '--config', join(dir, 'c')], {}, [80, 24], async (s) => {
      assert.equal(labelCell(s, 'MEM').fg, 5, 'MEM critical in magenta');
      assert.equal(labelCell(s, 'PAG').fg, 94, 'PAG almost critical in colour 94');
    }, undefined, false);
    writeFileSync(join(dir, 'bad'), 'colorcritical = reddish\n');
    const s = new PtyScreen(['--config', join(dir, 'bad'), '600'], 200, 24);
    try {
      assert.equal(await s.exited, 2);
      // The pty's last output can arrive after its exit is reported: wait for it in what memtop wrote.
      for (let i = 0; i < 40 && !/give one of/.test(s.raw); i++) await sleep(50);
      assert.match(s.raw.replace(/\s+/g, ' '), /bad:1: invalid colorcritical 'reddish': give one of black red green/);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the help overlay at 80x24 covers all 80 columns', { timeout: 30000 }, async () => {
  await withScreen([], {}, [80, 24], async (s) => {
    s.send('?');
    await s.waitText(/memtop keys/);
    await s.settled();
    const lines = s.lines();
    const top = lines.findIndex((l) => l.startsWith('+- memtop keys'));
    const bottom = lines.findIndex((l) => l.startsWith('+- any key closes'));
    assert.ok(top >= 0 && bottom > top, s.dump());
    for (let y = top; y <= bottom; y++) {
      assert.equal(lines[y]!.length, 80, `row ${y} of the overlay is 80 wide: ${lines[y]}`);
      assert.match(lines[y]!, /^[+|].*[+|]$/, `row ${y} framed at columns 1 and 80`);
    }
    assert.match(lines.join('\n'), /e F5\s+process tree/);
  });
});

test('the cgroup view at 120 columns: the page counter after the last header, not over it', { timeout: 40000 }, async () => {
  const setup = (dir: string) => {
    const cg = fakeCgroupFiles('v2', [
      { path: '/', pids: [1] },
      { path: '/system.slice', pids: [1530], memory: 900 * MiB, anon: 600 * MiB },
      { path: '/system.slice/upload.service', pids: [30457, 30925, 30926], memory: 780 * MiB, max: 800 * MiB, anon: 700 * MiB },
    ]);
    makeTree(cg.proc, dir);
    return ['--sys', makeTree(cg.sys, join(dir, 'fakesys'))];
  };
  for (const width of [120, 80, 160]) {
    await withScreen([], {}, [width, 30], async (s) => {
      s.send('G');
      await s.waitText(/^CGROUP\s+(NPROCS|MEMORY)/);
      await s.settled();
      const head = s.find(/^CGROUP\s+(NPROCS|MEMORY)/)!.line;
      assert.match(head, /\s\d+\/\d+$/, `${width}: the counter at the end, after a blank: ${head}`);
      const names = head.replace(/\s\d+\/\d+$/, '').trim().split(/\s+/);
      assert.ok(names.every((n) => /^[A-Z]+$/.test(n)), `${width}: every header whole: ${names.join(' ')}`);
      assert.equal(head.length, width);
    }, setup);
  }
});
