import { kernelCount } from './number.js';

/** /proc/net/sockstat: memory held by TCP and UDP sockets, in pages. */
export interface SockMem {
  tcpPages: number;
  udpPages: number;
}

export function parseSockstat(text: string): SockMem | undefined {
  const tcp = /^TCP:.*\bmem (\d+)/m.exec(text);
  const udp = /^UDP:.*\bmem (\d+)/m.exec(text);
  if (!tcp && !udp) return undefined;
  return { tcpPages: (tcp && kernelCount(tcp[1])) || 0, udpPages: (udp && kernelCount(udp[1])) || 0 };
}
