#!/usr/bin/env node
/**
 * The start-up floor of a Node terminal program, for part 4 of the benchmark:
 * what any program built on Node (and on blessed, memtop's screen library)
 * pays before its first full screen, reading nothing. CommonJS and run as
 * memtop runs (no NODE_EXTRA_CA_CERTS, the same heap flag).
 *
 *   node bench/startup-floor.cjs text      50 lines of 200 characters on stdout
 *   node bench/startup-floor.cjs blessed   the same text in a blessed screen and box,
 *                                          loaded as memtop loads them (the two widgets alone)
 *
 * Both stay until killed, like a monitor waiting for its next refresh.
 */
'use strict';
const rows = Number(process.stdout.rows || 50);
const cols = Number(process.stdout.columns || 200);
const line = (i) => `${String(i).padStart(5)} ${'floor '.repeat(Math.ceil(cols / 6))}`.slice(0, cols);
const text = Array.from({ length: rows }, (_, i) => line(i));

if (process.argv[2] === 'blessed') {
  const term = process.env.TERM || '';
  const screen = require('blessed/lib/widgets/screen')({
    smartCSR: true,
    terminal: /256color|tmux|screen/.test(term) ? 'xterm-256color' : undefined,
    warnings: false,
  });
  require('blessed/lib/widgets/box')({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', content: text.join('\n') });
  screen.render();
} else {
  process.stdout.write(`\x1b[H\x1b[2J${text.join('\r\n')}`);
}
setInterval(() => {}, 1 << 30);
