/**
 * /dev/kmsg records: "PRIO,SEQ,USEC,FLAGS;message" (and continuation lines
 * beginning with a space). memtop looks for the OOM killer's verdict, which
 * names the victim the oom_kill counter only counts:
 *   Out of memory: Killed process 31048 (lekker) total-vm:2936612kB, anon-rss:2060100kB, file-rss:4kB, ...
 *   Memory cgroup out of memory: Killed process 4242 (leaker) total-vm:..., anon-rss:...kB, ...
 */

const KILLED = /Killed process (\d+) \((.*)\) total-vm:\d+kB, anon-rss:(\d+)kB/;

/** An OOM kill as the kernel log reports it. */
export interface OomKill {
  pid: number;
  comm: string;
  /** Bytes of anonymous memory resident when killed (the log's anon-rss). */
  anonRss?: number;
}

/** The OOM kill a kernel log record reports, if it reports one. */
export function parseOomKill(record: string): OomKill | undefined {
  const semi = record.indexOf(';');
  const text = semi >= 0 ? record.slice(semi + 1) : record;
  const m = KILLED.exec(text);
  if (!m) return undefined;
  return { pid: Number(m[1]), comm: m[2]!, anonRss: Number(m[3]) * 1024 };
}

/** A record's time in seconds since boot (its third field, microseconds); undefined for a line without one. */
export function recordSeconds(record: string): number | undefined {
  const m = /^\d+,\d+,(\d+),/.exec(record);
  return m ? Number(m[1]) / 1e6 : undefined;
}
