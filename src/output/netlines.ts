/** atop's NET lines: transport, network and one per active interface (2.8.1 field priorities). */
import type { IfInterval, NetInterval } from '../model/net.js';
import { blankField, countField, type SysField, type SysLine } from './sysfield.js';

/** "si 2464 Kbps": bits per second in the first unit that keeps the number within 4 digits. */
function bpsText(bps: number): string {
  const units = ['K', 'M', 'G', 'T'];
  let v = bps / 1000;
  let u = 0;
  while (v > 9999 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${String(Math.min(9999, Math.trunc(v))).padStart(4)} ${units[u]}bps`;
}

function speedText(mbps: number): string {
  return mbps >= 10000 ? `sp ${String(Math.trunc(mbps / 1000)).padStart(4)} Gbps` : `sp ${String(mbps).padStart(4)} Mbps`;
}

export function netLines(net: NetInterval | undefined, ifs: IfInterval[], all: boolean): SysLine[] {
  const lines: SysLine[] = [];
  if (net) {
    const transport = net.tcpi + net.tcpo + net.udpi + net.udpo + net.tcpao + net.tcppo + net.tcprs + net.tcpie + net.tcpor + net.udpnp + net.udpie;
    if (all || transport > 0) {
      lines.push({
        label: 'NET', level: 'ok',
        fields: [
          { prio: 9, text: 'transport   ' },
          countField('tcpi', net.tcpi, 8), countField('tcpo', net.tcpo, 8),
          countField('udpi', net.udpi, 8), countField('udpo', net.udpo, 8),
          countField('tcpao', net.tcpao, 6), countField('tcppo', net.tcppo, 5), countField('tcprs', net.tcprs, 4),
          countField('tcpie', net.tcpie, 3), countField('tcpor', net.tcpor, 2), countField('udpnp', net.udpnp, 1),
          countField('udpie', net.udpie, 3),
        ],
      });
    }
    const network = net.ipi + net.ipo + net.ipfrw + net.deliv + net.icmpi + net.icmpo;
    if (all || network > 0) {
      lines.push({
        label: 'NET', level: 'ok',
        fields: [
          { prio: 5, text: 'network     ' },
          countField('ipi', net.ipi, 4), countField('ipo', net.ipo, 4), countField('ipfrw', net.ipfrw, 4), countField('deliv', net.deliv, 4),
          blankField(), blankField(), blankField(),
          countField('icmpi', net.icmpi, 1), countField('icmpo', net.icmpo, 1),
        ],
      });
    }
  }
  for (const d of ifs) {
    if (!all && d.rpackets + d.spackets === 0) continue;
    const busy = d.busy === undefined ? '----' : `${String(Math.max(-99, Math.min(999, Math.round(d.busy)))).padStart(3)}%`;
    const fields: SysField[] = [
      { prio: 8, text: `${d.name.slice(0, 7).padEnd(7)} ${busy}`, color: 'line' },
      blankField(),
      countField('pcki', d.rpackets, 7), countField('pcko', d.spackets, 7),
      blankField(),
      { prio: 5, text: speedText(d.speed) },
      { prio: 6, text: `si ${bpsText(d.rbps)}` }, { prio: 6, text: `so ${bpsText(d.sbps)}` },
      blankField(),
      countField('coll', d.colls, 2), countField('mlti', d.rmulticast, 2),
      countField('erri', d.rerrs, 4), countField('erro', d.serrs, 4), countField('drpi', d.rdrop, 3), countField('drpo', d.sdrop, 3),
    ];
    const level = d.busy === undefined ? 'ok' : d.busy >= 90 ? 'crit' : d.busy >= 72 ? 'almost' : 'ok';
    lines.push({ label: 'NET', level, fields });
  }
  return lines;
}
