/**
 * One recorder per raw log: a second `memtop -w FILE` (or --log-dir DIR)
 * is refused instead of both appending and cutting each other's records.
 *
 * Node has no flock(2). The lock is a Unix socket in Linux's abstract
 * namespace named after the file's device and inode: binding it is atomic
 * (a second bind fails with EADDRINUSE), and the kernel removes it when its
 * holder exits, however it ends, so a crashed recorder never blocks the
 * next one and there is no stale lock file to judge by pid. The holder
 * answers a connection with its pid, so the refusal can name it. Its
 * limit: recorders in different network namespaces (containers sharing a
 * volume) do not see each other's locks.
 */
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { MemtopError, reasonOf } from '../messages.js';

export interface WriteLock {
  release(): void;
}

function lockName(path: string): string {
  // A file is created if missing: a new file's lock must be the one the next recorder finds.
  let fd: number;
  try {
    fd = openSync(path, statSync(path, { throwIfNoEntry: false })?.isDirectory() ? 'r' : 'a');
  } catch (err) {
    throw new MemtopError(`cannot write ${path}: ${reasonOf(err)}`);
  }
  try {
    const st = fstatSync(fd);
    return `\0memtop-write-lock:${st.dev}:${st.ino}`;
  } finally {
    closeSync(fd);
  }
}

/** The pid the holder of `name` answers with, or undefined (no answer within a second). */
function holderPid(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(name);
    let text = '';
    const done = () => {
      socket.destroy();
      const pid = Number(text.trim());
      resolve(Number.isInteger(pid) && pid > 0 ? pid : undefined);
    };
    socket.setTimeout(1000, done);
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', done);
    socket.on('error', done);
  });
}

/**
 * Takes the write lock of `path` (a file, created if missing, or the
 * directory of daily logs); throws a MemtopError naming it and the holder's
 * pid when another memtop holds it.
 */
export async function lockForWriting(path: string, what = path): Promise<WriteLock> {
  const name = lockName(path);
  const server: Server = createServer((socket) => socket.end(`${process.pid}\n`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new MemtopError(`cannot lock ${what} for writing: ${reasonOf(err)}`);
    const pid = await holderPid(name);
    throw new MemtopError(`${what} is being written by another memtop${pid ? ` (pid ${pid})` : ''}: not writing it too`);
  }
  server.unref(); // the lock keeps nothing running
  return { release: () => server.close() };
}
