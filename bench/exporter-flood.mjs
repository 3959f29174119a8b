// Issue 21's exporter floods, by hand (the test, test/hostile-exporter-flood.test.ts, runs fewer clients):
//   node bench/exporter-flood.mjs pipeline 250 2000    250 clients each sending 2000 pipelined GETs, reading nothing
//   node bench/exporter-flood.mjs pipeline 600 2000
//   RECONNECT=1 node bench/exporter-flood.mjs slowread 1000 2000    reading a byte a second, each closed one replaced
// Starts memtop --prometheus 127.0.0.1:0 1 on the real /proc (CLI=path to another build), floods it, scrapes
// 12 times a second apart (3 s timeout), and prints memtop's RSS before and after and its peak (VmHWM).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
const [mode, clients, reqs = '2000'] = process.argv.slice(2);
const cli = process.env.CLI ?? new URL("../dist/bin.cjs", import.meta.url).pathname;
const child = spawn(process.execPath, [cli, '--prometheus', '127.0.0.1:0', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
const port = await new Promise((res) => { let e=''; child.stderr.on('data', (d) => { e += d; const m = /127\.0\.0\.1:(\d+)/.exec(e); if (m) res(Number(m[1])); }); });
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
await new Promise((r) => setTimeout(r, 2500));
const before = rss();
const one = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n';
const batch = one.repeat(Number(reqs));
const socks = [];
let alive = true;
const open = () => {
  if (!alive) return;
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  if (process.env.RECONNECT) s.on('close', () => setTimeout(open, 100));
  s.on('connect', () => {
    s.write(batch);
    if (mode === 'slowread') {
      s.pause();
      const t = setInterval(() => { if (s.destroyed) return clearInterval(t); s.read(1); }, 1000);
    } else s.pause();
  });
  socks.push(s);
};
for (let i = 0; i < Number(clients); i++) open();
await new Promise((r) => setTimeout(r, 3000));
let ok = 0, n = 0; const took = [];
for (let i = 0; i < 12; i++) {
  n++;
  const t0 = Date.now();
  const got = await new Promise((res) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: 3000 }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); r.on('error', () => res('err')); });
    req.on('timeout', () => { req.destroy(); res('timeout'); });
    req.on('error', (e) => res(e.code));
    req.end();
  });
  if (got === 200) { ok++; took.push(Date.now() - t0); }
  await new Promise((r) => setTimeout(r, 1000));
}
console.log(`${mode} ${clients} clients x ${reqs}: RSS before ${before.toFixed(0)} MB, after ${rss().toFixed(0)} MB, peak ${hwm().toFixed(0)} MB; scrapes ${ok}/${n}, slowest ${Math.max(0, ...took)} ms`);
alive = false; for (const s of socks) s.destroy(); child.kill('SIGKILL'); process.exit(0);
