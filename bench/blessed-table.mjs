#!/usr/bin/env node
/**
 * The benchmark's baseline for a Node terminal UI: a blessed program that
 * reads nothing and only draws a table of N rows (blessed's ListTable, every
 * row changing) once a second. Plain JavaScript so that it runs on bare
 * node, without a TypeScript loader, like the built memtop.
 *
 *   node bench/blessed-table.mjs N
 */
import blessed from 'blessed';

const rows = Number(process.argv[2] ?? 250);
const term = process.env.TERM ?? '';
const screen = blessed.screen({
  smartCSR: true,
  // blessed reads only legacy terminfo; tmux's own entries make it fall back (see the ecosystem notes).
  terminal: /256color|tmux|screen/.test(term) ? 'xterm-256color' : undefined,
});
const table = blessed.listtable({
  parent: screen,
  top: 0,
  left: 0,
  width: '100%',
  height: '100%',
  align: 'left',
  noCellBorders: true,
  style: { header: { bold: true } },
});

let tick = 0;
function draw() {
  tick++;
  const now = new Date().toLocaleTimeString('en-GB');
  const data = [['ROW', 'TICK', 'A', 'B', 'C', 'TIME']];
  for (let i = 0; i < rows; i++) {
    data.push([String(i), String(tick), String((i * tick) % 997), String((i + tick) % 89), String(i * 4096), now]);
  }
  table.setData(data);
  screen.render();
}

screen.key(['q', 'C-c'], () => process.exit(0));
draw();
setInterval(draw, 1000);
