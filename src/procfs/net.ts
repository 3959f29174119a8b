/** /proc/net/snmp, /proc/net/snmp6 and /proc/net/dev: the counters of atop's NET lines. */
import { isKernelCount } from './number.js';

/** "Proto: Name Name ..." header lines followed by "Proto: n n ..." value lines. */
export function parseSnmp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const names = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    if (names[0] !== values[0] || !names[0]?.endsWith(':') || Number.isNaN(Number(values[1]))) continue;
    const proto = names[0].slice(0, -1);
    for (let k = 1; k < names.length && k < values.length; k++) out[`${proto}.${names[k]}`] = Number(values[k]) || 0;
    i++;
  }
  return out;
}

/** "Name value" lines. */
export function parseSnmp6(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value !== undefined && !Number.isNaN(Number(value))) out[name] = Number(value);
  }
  return out;
}

/** Transport and network counters, IPv4 and IPv6 added up as atop adds them. */
export interface NetCounters {
  tcpi: number; tcpo: number; udpi: number; udpo: number;
  tcpao: number; tcppo: number; tcprs: number; tcpie: number; tcpor: number;
  udpnp: number; udpie: number;
  ipi: number; ipo: number; ipfrw: number; deliv: number; icmpi: number; icmpo: number;
}

export function netCounters(v4: Record<string, number>, v6: Record<string, number>): NetCounters {
  const a = (k: string) => v4[k] ?? 0;
  const b = (k: string) => v6[k] ?? 0;
  return {
    tcpi: a('Tcp.InSegs'), tcpo: a('Tcp.OutSegs'),
    udpi: a('Udp.InDatagrams') + b('Udp6InDatagrams'), udpo: a('Udp.OutDatagrams') + b('Udp6OutDatagrams'),
    tcpao: a('Tcp.ActiveOpens'), tcppo: a('Tcp.PassiveOpens'), tcprs: a('Tcp.RetransSegs'),
    tcpie: a('Tcp.InErrs'), tcpor: a('Tcp.OutRsts'),
    udpnp: a('Udp.NoPorts') + b('Udp6NoPorts'), udpie: a('Udp.InErrors') + b('Udp6InErrors'),
    ipi: a('Ip.InReceives') + b('Ip6InReceives'), ipo: a('Ip.OutRequests') + b('Ip6OutRequests'),
    ipfrw: a('Ip.ForwDatagrams') + b('Ip6OutForwDatagrams'), deliv: a('Ip.InDelivers') + b('Ip6InDelivers'),
    icmpi: a('Icmp.InMsgs') + b('Icmp6InMsgs'), icmpo: a('Icmp.OutMsgs') + b('Icmp6OutMsgs'),
  };
}

export interface NetDevCounters {
  name: string;
  rbytes: number; rpackets: number; rerrs: number; rdrop: number; rmulticast: number;
  sbytes: number; spackets: number; serrs: number; sdrop: number; colls: number;
}

export function parseNetDev(text: string): NetDevCounters[] {
  const out: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    // An interface with a counter no kernel prints is unknown, not shown with it.
    if (!name || f.length < 16 || !f.every(isKernelCount)) continue;
    out.push({
      name, rbytes: f[0]!, rpackets: f[1]!, rerrs: f[2]!, rdrop: f[3]!, rmulticast: f[7]!,
      sbytes: f[8]!, spackets: f[9]!, serrs: f[10]!, sdrop: f[11]!, colls: f[13]!,
    });
  }
  return out;
}
