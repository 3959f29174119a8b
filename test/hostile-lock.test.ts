/**
 * The writer lock against a local user (src/rawlog/lock.ts): a throw-away
 * user (made with useradd, removed after) binds the lock names of root's
 * log file and of root's --log-dir first, even hides its socket in a
 * message so that no process holds it visibly; root's -w and daily logger
 * record anyway. A holder that could write the file (here: a world-
 * writable file) still stops a second recorder, and two real recorders are
 * still refused, naming the first.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { couldWrite, socketsOf } from '../src/rawlog/lock.js';
import { readLog } from './helpers/rawlog.js';
import { FIXTURES } from './helpers/trees.js';

const CLI = join(FIXTURES, '..', 'dist', 'bin.cjs');
const PROC = ['--proc', join(FIXTURES, 'case-study', 't151232'), '--sys', join(FIXTURES, 'case-study', 'sys')];
const dir = mkdtempSync(join(tmpdir(), 'memtop-lock-'));
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

function memtop(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the lock names of a file are found in /proc/net/unix; who could write a file is told by uid, groups and mode', () => {
  const table = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 1001 @memtop-write-lock:64768:12',
    '0000000000000000: 00000002 00000000 00010000 0001 01 1002 @memtop-write-lock:64768:12:77:abcd',
    '0000000000000000: 00000002 00000000 00010000 0001 01 1003 @memtop-write-lock:64768:123',
    '0000000000000000: 00000002 00000000 00010000 0001 01 1004 /run/memtop-write-lock:64768:12',
    '0000000000000000: 00000003 00000000 00000000 0001 03 1005',
  ].join('\n');
  assert.deepEqual([...socketsOf(table, 'memtop-write-lock:64768:12').keys()], [1001, 1002]);
  const status = (uid: number, gid: number, groups = '') => `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nGroups:\t${groups}\n`;
  const rootFile = { uid: 0, gid: 0, mode: 0o100644 };
  assert.equal(couldWrite(status(0, 0), rootFile), true);
  assert.equal(couldWrite(status(1001, 1001), rootFile), false);
  assert.equal(couldWrite(status(1001, 1001, '4'), { uid: 0, gid: 4, mode: 0o100664 }), true, 'by a supplementary group');
  assert.equal(couldWrite(status(1001, 1001), { ...rootFile, mode: 0o100666 }), true);
  assert.equal(couldWrite(status(1001, 1001), { uid: 1001, gid: 1001, mode: 0o100644 }), true);
});

/** A throw-away user, removed after the test. */
function throwAwayUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = `mt21-${process.pid}`;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  return r.status === 0 ? name : undefined;
}

/** Binds, as `user`, the lock names of `path` (the old name and one of the new kind); `hide`: sends the sockets away in a message, held by no process. */
async function impostor(user: string, path: string, hide: boolean): Promise<ChildProcess> {
  const st = statSync(path);
  const base = `memtop-write-lock:${st.dev}:${st.ino}`;
  const script = `
import socket, sys, time
held = []
for name in ["${base}", "${base}:1:ffff"]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\\0" + name)
    s.listen()
    held.append(s)
if ${hide ? 'True' : 'False'}:
    a, b = socket.socketpair()
    socket.send_fds(a, [b"x"], [s.fileno() for s in held])
    for s in held: s.close()
    held = [a, b]
print("ready", flush=True)
time.sleep(120)
`;
  // setpriv execs python as the user (no process of root's in between to outlive a kill).
  const id = (flag: string) => spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim();
  const child = spawn('setpriv', [`--reuid=${id('-u')}`, `--regid=${id('-g')}`, '--clear-groups', '/usr/bin/python3', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`the impostor ended (${code}): ${err}`)));
  });
  return child;
}

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
};

test('a local user binding the lock names first does not stop root\'s -w or --log-dir; a holder that could write the file does; two recorders are still refused', { timeout: 120000 }, async (t) => {
  const user = throwAwayUser();
  if (!user) return t.skip('needs root and useradd');
  if (spawnSync('/usr/bin/python3', ['-c', 'import socket; socket.send_fds']).status !== 0) return t.skip('needs /usr/bin/python3 with socket.send_fds');
  const children: ChildProcess[] = [];
  try {
    for (const hide of [false, true]) {
      const file = join(dir, `rec-${hide}`);
      writeFileSync(file, '');
      children.push(await impostor(user, file, hide));
      const r = memtop(['-w', file, ...PROC, '0.1', '2']);
      assert.equal(r.code, 0, `${hide ? 'a hidden socket' : 'a socket'} of uid ${user}: ${r.err}`);
      assert.equal(r.err, '');
      assert.equal(readLog(file).length, 2, 'root recorded');
      // The daily logger's directory, likewise.
      const daily = join(dir, `daily-${hide}`);
      spawnSync('mkdir', [daily]);
      children.push(await impostor(user, daily, hide));
      const d = memtop(['--log-dir', daily, ...PROC, '0.1', '2']);
      assert.equal(d.code, 0, d.err);
      assert.equal(d.err, '');
    }
    // A file anyone may write: its holder could be a recorder, and is counted.
    const open = join(dir, 'open');
    writeFileSync(open, '');
    chmodSync(open, 0o666);
    const holder = await impostor(user, open, false);
    children.push(holder);
    const refused = memtop(['-w', open, ...PROC, '0.1', '2']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^memtop: .*open is being written by another memtop \(pid \d+\): not writing it too\n$/);
    // Two real recorders, with the impostor's sockets around: the second is refused, naming the first.
    const file = join(dir, 'rec-false');
    const first = spawn(process.execPath, [CLI, '-w', file, ...PROC, '0.2'], { stdio: 'ignore' });
    children.push(first);
    const before = readLog(file).length;
    for (let i = 0; i < 200 && readLog(file).length < before + 1; i++) await new Promise((r) => setTimeout(r, 50));
    const second = memtop(['-w', file, ...PROC, '0.1', '2']);
    assert.equal(second.code, 1, second.err);
    assert.equal(second.err, `memtop: ${file} is being written by another memtop (pid ${first.pid}): not writing it too\n`);
  } finally {
    for (const c of children) await stop(c);
    const del = spawnSync('userdel', [user], { encoding: 'utf8' });
    assert.equal(del.status, 0, `userdel ${user}: ${del.stderr}`);
  }
  assert.equal(spawnSync('id', [user]).status, 1, 'the throw-away user is gone');
});
