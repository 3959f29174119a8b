/**
 * memtop -r FILE --report OUT.html: the incident as one self-contained page
 * (styles and the hover script inline, charts as inline SVG: no network, no
 * font, nothing to fetch), readable on a light page. A summary on top, then
 * memory by kind, paging and PSI, the processes that mattered with their
 * suspect periods, the exhaustion forecast, OOM kills and containment as
 * marked events, the cgroups that grew, and under each chart the command
 * line that prints its data.
 */
import { IncidentCollector, PAGING_FIELDS, type IncidentEvent, type ProcTrack } from './incident.js';
import { clock, escapeHtml, formatValue, renderChart, type ChartData, type ChartSpec, type Marker } from './svgchart.js';

export interface ReportMeta {
  /** The recording as given to -r (for the reproducing command lines). */
  file: string;
  /** Minutes east of UTC of the times shown (the replaying machine's, as -b and -e read them). */
  tzOffsetMin: number;
  /** memtop's version, for the footer. */
  version: string;
}

const PROC_COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

/** A word for the shell: single-quoted unless plain. */
const shellWord = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** -b/-e as memtop reads them: [YYYYMMDD ]hh:mm:ss in the replaying machine's local time. */
function timeArg(ms: number, tz: number): string {
  const d = new Date(ms + tz * 60_000).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 19)}`;
}

function duration(sec: number): string {
  if (sec < 120) return `${Math.round(sec)} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => x > 0).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};

/** The command, and for an interpreter the program it runs: "node (billing/index.js)". */
const nameOf = (tr: ProcTrack) => (tr.program ? `${tr.cmd} (${tr.program})` : tr.cmd);

function fateText(tr: ProcTrack, tz: number): string {
  if (!tr.fate) return 'running at the end';
  const at = clock(tr.fate.time, tz, true).slice(11);
  return tr.fate.kind === 'oom' ? `OOM-killed at ${at}` : tr.fate.kind === 'contained' ? `contained at ${at}` : `exited at ${at}`;
}

function eventMarkers(events: readonly IncidentEvent[]): Marker[] {
  return events.map((e) => ({
    time: e.time,
    color: e.kind === 'oom' ? '#b00020' : '#1f4fbf',
    dashed: e.kind === 'contained',
    label: `${e.kind === 'oom' ? 'OOM kill' : 'contained'}: ${e.cmd} (${e.pid})`,
  }));
}

const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('memtop-data').textContent);
  var tz = data.tzOffsetMin;
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  function fmt(v, unit) {
    if (v === null) return '-';
    if (unit === 'bytes') { var x = Math.abs(v), k = 0; while (x >= 1024 && k < 4) { x /= 1024; k++; } return (v < 0 ? '-' : '') + (x >= 100 || k === 0 ? x.toFixed(0) : x.toFixed(1)) + ' ' + units[k]; }
    if (unit === 'perSecond') return (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + '/s';
    if (unit === 'percent') return (v === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)) + '%';
    return v >= 1 ? v.toFixed(1) + ' h' : (v * 60).toFixed(0) + ' min';
  }
  function time(ms) { return new Date(ms + tz * 60000).toISOString().slice(0, 19).replace('T', ' '); }
  var tip = document.getElementById('tip');
  var drawn = 0;
  data.charts.forEach(function (c) {
    var svg = document.getElementById(c.id);
    if (!svg) return;
    var paths = svg.querySelectorAll('path');
    for (var p = 0; p < paths.length; p++) if ((paths[p].getAttribute('d') || '').length > 10) { drawn++; break; }
    var cursor = svg.querySelector('.cursor');
    svg.addEventListener('mousemove', function (ev) {
      var box = svg.getBoundingClientRect();
      var sx = (ev.clientX - box.left) * svg.viewBox.baseVal.width / box.width;
      var t = c.range[0] + (sx - c.x[0]) / (c.x[1] - c.x[0]) * (c.range[1] - c.range[0]);
      var lo = 0, hi = c.t.length - 1;
      while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (c.t[mid] < t) lo = mid; else hi = mid; }
      var i = Math.abs(c.t[lo] - t) <= Math.abs(c.t[hi] - t) ? lo : hi;
      var cx = c.x[0] + (c.t[i] - c.range[0]) / (c.range[1] - c.range[0] || 1) * (c.x[1] - c.x[0]);
      cursor.setAttribute('x1', cx); cursor.setAttribute('x2', cx); cursor.setAttribute('visibility', 'visible');
      var rows = ['<b>' + time(c.t[i]) + '</b>'];
      c.series.forEach(function (s) { if (s.v[i] !== null) rows.push('<span style="color:' + s.color + '">&#9632;</span> ' + s.name.replace(/[&<>]/g, '') + ': ' + fmt(s.v[i], c.unit)); });
      tip.innerHTML = rows.join('<br>');
      tip.style.display = 'block';
      tip.style.left = Math.min(window.innerWidth - 260, ev.clientX + 14) + window.scrollX + 'px';
      tip.style.top = ev.clientY + 14 + window.scrollY + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; cursor.setAttribute('visibility', 'hidden'); });
  });
  document.documentElement.dataset.charts = String(drawn);
  // #selftest: hover the middle of the first chart once and keep what the tip said (the headless test reads it).
  if (location.hash === '#selftest' && data.charts.length) {
    var first = document.getElementById(data.charts[0].id), r = first.getBoundingClientRect();
    first.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true }));
    document.documentElement.dataset.tip = tip.textContent;
  }
  // Milliseconds from the start of navigation to here: the page parsed, its charts laid out, hover set up.
  document.documentElement.dataset.renderMs = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = '1';
})();
`;

/** First of all, so that nothing the page does can fail unseen: errors are kept on the root element. */
const ERRORS = "var memtopErrors = []; window.addEventListener('error', function (e) { memtopErrors.push(String(e.message)); " +
  "document.documentElement.dataset.errors = memtopErrors.join(' | '); });";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b; background: #fff; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
.summary { background: #f6f7f9; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px; }
.summary p { margin: 4px 0; } .bad { color: #b00020; font-weight: 600; }
svg.chart { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
.grid { stroke: #e6e6e6; } .axis { stroke: #888; } .ylab { text-anchor: end; fill: #555; } .xlab { text-anchor: middle; fill: #555; }
.line { fill: none; stroke-width: 1.6; } .area { stroke: none; opacity: .9; } .period { opacity: .08; } .marker { stroke-width: 1.5; }
.mlab { font-size: 11px; font-weight: 600; } .cursor { stroke: #333; stroke-width: 1; }
.legend { font-size: 12px; margin: 2px 0 0 70px; } .legend span { margin-right: 12px; white-space: nowrap; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
code, pre { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; } pre.cmd { background: #f6f7f9; border: 1px solid #e3e6ea; padding: 4px 8px; margin: 4px 0 0; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; } th { background: #f6f7f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#tip { position: absolute; display: none; background: #fff; border: 1px solid #999; padding: 5px 8px; font-size: 12px; pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.15); max-width: 250px; }
footer { margin-top: 30px; color: #777; font-size: 12px; }
`;

function legend(items: { name: string; color: string }[]): string {
  return `<div class="legend">${items.map((i) => `<span><i style="background:${i.color}"></i>${escapeHtml(i.name)}</span>`).join('')}</div>`;
}

/** The page. */
export function renderReport(c: IncidentCollector, meta: ReportMeta): string {
  const tz = meta.tzOffsetMin;
  const n = c.times.length;
  const t0 = c.times[0] ?? 0;
  const t1 = c.times[n - 1] ?? t0;
  const range = { t0, t1 };
  const markers = eventMarkers(c.events);
  const charts: ChartData[] = [];
  const file = shellWord(meta.file);
  const window = `-b ${shellWord(timeArg(t0, tz))} -e ${shellWord(timeArg(t1, tz))}`;
  const cmd = (rest: string) => `<pre class="cmd">memtop -r ${escapeHtml(file)} ${escapeHtml(window)} ${escapeHtml(rest)}</pre>`;
  const chart = (spec: ChartSpec) => {
    const { svg, data } = renderChart(spec, tz, range);
    charts.push(data);
    return svg;
  };

  // Memory by kind, stacked to MemTotal; swap used over it.
  const kinds = [
    { name: 'used (anon, kernel)', color: '#4e79a7', values: c.mem.used },
    { name: 'slab', color: '#9c755f', values: c.mem.slab },
    { name: 'buffers', color: '#bab0ac', values: c.mem.buff },
    { name: 'page cache', color: '#8cc084', values: c.mem.cache },
    { name: 'free', color: '#e4eef7', values: c.mem.free },
  ];
  const memOverlay = [
    { name: 'MemTotal', color: '#333333', values: c.mem.tot, dashed: true },
    { name: 'swap used', color: '#c03d9e', values: c.mem.swapUsed },
  ];
  const memSvg = chart({ id: 'chart-memory', times: c.times, series: kinds, overlay: memOverlay, stacked: true, unit: 'bytes', markers, markerLabels: true });

  const pagColors = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e'];
  const pagSeries = PAGING_FIELDS.map((name, k) => ({ name, color: pagColors[k]!, values: c.paging[k]! }));
  const pagSvg = chart({ id: 'chart-paging', times: c.times, series: pagSeries, unit: 'perSecond', markers, height: 200 });
  const havePsi = c.psi.some.some((v) => !Number.isNaN(v));
  const psiSeries = [
    { name: 'memory some', color: '#ff7f0e', values: c.psi.some },
    { name: 'memory full', color: '#b00020', values: c.psi.full },
  ];
  const psiSvg = havePsi ? chart({ id: 'chart-psi', times: c.times, series: psiSeries, unit: 'percent', markers, height: 170 }) : '';

  // The processes that mattered, on the common time axis, their suspect periods as bands.
  const mattered = c.mattered();
  const procSeries = mattered.map((tr, k) => {
    const values = new Array<number>(n).fill(NaN);
    tr.sizes.forEach((v, i) => (values[tr.first + i] = v));
    return { name: `${nameOf(tr)} ${tr.pid}`, color: PROC_COLORS[k % PROC_COLORS.length]!, values };
  });
  const bands = mattered.flatMap((tr, k) => tr.suspect.map(([from, to]) => ({
    from, to, row: k, color: PROC_COLORS[k % PROC_COLORS.length]!,
    title: `${tr.cmd} (${tr.pid}) leak suspect ${clock(c.times[from]!, tz, true)} to ${clock(c.times[to]!, tz, true).slice(11)}`,
  })));
  const procSvg = mattered.length > 0
    ? chart({ id: 'chart-processes', times: c.times, series: procSeries, unit: 'bytes', bands, markers, markerLabels: true, height: 260 })
    : '';

  // The same processes as growth since each was first seen: a leaker of 100 MiB stands out beside a steady 8 GiB.
  const growthSeries = procSeries.map((ps) => {
    const first = ps.values.find((v) => !Number.isNaN(v)) ?? 0;
    return { ...ps, values: ps.values.map((v) => (Number.isNaN(v) ? NaN : v - first)) };
  });
  const growthSvg = mattered.length > 0
    ? chart({ id: 'chart-growth', times: c.times, series: growthSeries, unit: 'bytes', markers, height: 200 })
    : '';

  const fcHours = c.exhaust.map((s) => (Number.isNaN(s) ? NaN : s / 3600));
  const haveForecast = fcHours.some((v) => !Number.isNaN(v));
  const fcSvg = haveForecast
    ? chart({ id: 'chart-forecast', times: c.times, series: [{ name: 'memory + swap run out in', color: '#b00020', values: fcHours }], unit: 'hours', markers, clip: 24, height: 170 })
    : '';

  // Summary.
  const interval = median(c.elapsed.slice(1));
  const suspects = c.suspects();
  const ooms = c.events.filter((e) => e.kind === 'oom');
  const contained = c.events.filter((e) => e.kind === 'contained');
  const soonest = Math.min(...c.exhaust.filter((v) => !Number.isNaN(v)));
  const tzText = `UTC${tz >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(tz) / 60)).padStart(2, '0')}:${String(Math.abs(tz) % 60).padStart(2, '0')}`;
  const leakLines = suspects.slice(0, 8).map((tr) => {
    const grew = IncidentCollector.growth(tr);
    const since = clock(c.times[tr.suspect[0]![0]]!, tz, true).slice(11);
    return `<p class="bad">Leak: ${escapeHtml(nameOf(tr))} (pid ${tr.pid}, ${escapeHtml(tr.user)}) grew ${formatValue(grew, 'bytes')} at up to ` +
      `${formatValue(tr.maxTrate ?? 0, 'bytes')}/s, a suspect from ${since}; ${escapeHtml(fateText(tr, tz))}.</p>`;
  });
  const summary = [
    `<p><b>Host</b> ${escapeHtml(c.host)} &middot; <b>period</b> ${clock(t0, tz, true)} to ${clock(t1, tz, true)} (${tzText}, ${duration((t1 - t0) / 1000)}) ` +
      `&middot; <b>interval</b> ${duration(interval)} &middot; ${n} samples</p>`,
    ...(leakLines.length ? leakLines : ['<p>No process was a leak suspect in this period.</p>']),
    suspects.length > 8 ? `<p class="bad">And ${suspects.length - 8} more leak suspects (memtop -r ... -V leak lists them).</p>` : '',
    ooms.length
      ? `<p class="bad">OOM killer: ${ooms.length} kill${ooms.length > 1 ? 's' : ''}: ${ooms.map((e) => `${escapeHtml(e.cmd)} (pid ${e.pid}) at ${clock(e.time, tz, true).slice(11)}`).join(', ')}.</p>`
      : '<p>No OOM kill.</p>',
    contained.length ? `<p>Contained by memtop: ${contained.map((e) => `${escapeHtml(e.cmd)} (pid ${e.pid}) at ${clock(e.time, tz, true).slice(11)}`).join(', ')}.</p>` : '',
    Number.isFinite(soonest) ? `<p>Exhaustion forecast: at worst memory plus swap would have run out in ${duration(soonest)}.</p>` : '',
  ].join('');

  // hh:mm, or hh:mm:ss within a report shorter than six hours.
  const at = (ms: number) => (t1 - t0 < 6 * 3600_000 ? clock(ms, tz, true).slice(11) : clock(ms, tz));
  const procRows = mattered.map((tr, k) => {
    const known = tr.sizes.filter((v) => !Number.isNaN(v));
    // The first few periods; a process flagged again and again says how often.
    const shown = tr.suspect.slice(0, 4).map(([a, b]) => `${at(c.times[a]!)}-${at(c.times[b]!)}`).join(', ');
    const periods = tr.suspect.length > 4 ? `${shown} and ${tr.suspect.length - 4} more` : shown || '-';
    return `<tr><td><i style="display:inline-block;width:10px;height:10px;background:${PROC_COLORS[k % PROC_COLORS.length]}"></i></td>` +
      `<td class="num">${tr.pid}</td><td>${escapeHtml(nameOf(tr))}</td><td>${escapeHtml(tr.user)}</td><td>${escapeHtml(tr.cgroup ?? '-')}</td>` +
      `<td class="num">${tr.maxTrate === undefined ? '-' : `${formatValue(tr.maxTrate, 'bytes')}/s`}</td>` +
      `<td class="num">${formatValue(IncidentCollector.growth(tr), 'bytes')}</td><td class="num">${known.length ? formatValue(Math.max(...known), 'bytes') : '-'}</td>` +
      `<td>${escapeHtml(fateText(tr, tz))}</td><td>${periods}</td></tr>`;
  }).join('');

  const eventRows = c.events.map((e) => `<tr><td>${clock(e.time, tz, true)}</td><td>${e.kind === 'oom' ? '<b class="bad">OOM kill</b>' : 'contained'}</td>` +
    `<td class="num">${e.pid}</td><td>${escapeHtml(e.cmd)}</td><td class="num">${e.size === undefined ? '-' : formatValue(e.size, 'bytes')}</td>` +
    `<td>${escapeHtml(e.cgroup ?? '-')}</td></tr>`).join('');

  const grew = [...c.cgroups.values()].filter((g) => g.peak - g.first > 0 || g.oomKills > 0)
    .sort((a, b) => b.oomKills - a.oomKills || (b.peak - b.first) - (a.peak - a.first)).slice(0, 12);
  const cgRows = grew.map((g) => `<tr><td>${escapeHtml(g.path)}</td><td class="num">${g.limit === undefined ? 'none' : formatValue(g.limit, 'bytes')}</td>` +
    `<td class="num">${formatValue(g.first, 'bytes')}</td><td class="num">${formatValue(g.peak, 'bytes')}</td><td class="num">${formatValue(g.last, 'bytes')}</td>` +
    `<td class="num">${formatValue(g.peak - g.first, 'bytes')}</td><td class="num">${g.oomKills}</td></tr>`).join('');

  const dataJson = JSON.stringify({ tzOffsetMin: tz, charts }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>memtop report: ${escapeHtml(c.host)} ${clock(t0, tz, true)}</title>
<style>${STYLE}</style>
<script>${ERRORS}</script></head><body>
<h1>memtop report: ${escapeHtml(c.host)}</h1>
<div class="summary" id="summary">${summary}</div>

<h2>Memory by kind</h2>
${memSvg}
${legend([...kinds, ...memOverlay])}
${cmd('--csv')}

<h2>Paging and pressure</h2>
<p>Reclaim as PAG counts it (all reclaim, a cgroup limit's included): pages scanned and stolen, allocation stalls, pages swapped in and out, per second.</p>
${pagSvg}
${legend(pagSeries)}
${havePsi ? `<p>Memory pressure (PSI): share of each interval in which some or all tasks stalled on memory.</p>${psiSvg}${legend(psiSeries)}` : '<p>No PSI memory figures in this recording.</p>'}
${cmd('--csv')}

<h2>The processes that mattered</h2>
${mattered.length ? `<p>Resident + swapped size of the leak suspects, the OOM victims and the largest growers; a suspect's periods are the bars under the chart, one row per process in the table's order.</p>${procSvg}${legend(procSeries)}
<p>The same processes, growth since each was first seen:</p>${growthSvg}
<table id="processes"><tr><th></th><th>pid</th><th>command</th><th>user</th><th>cgroup</th><th>rate (TRATE max)</th><th>growth</th><th>peak</th><th>fate</th><th>suspect periods</th></tr>${procRows}</table>` : '<p>No process grew.</p>'}
${cmd('--csv -V memory')}

<h2>Events</h2>
${c.events.length ? `<table id="events"><tr><th>time</th><th>event</th><th>pid</th><th>command</th><th>size</th><th>cgroup</th></tr>${eventRows}</table>` : '<p>No OOM kill and no containment.</p>'}
${cmd("--json | jq -c 'select(.exited | any(.oom)) | {time, oom: [.exited[] | select(.oom)]}'")}

<h2>Exhaustion forecast</h2>
${haveForecast ? `<p>When memory plus swap would run out at the rate of each moment (drawn up to 24 h).</p>${fcSvg}` : '<p>Nothing was running out in this period.</p>'}
${cmd("--json | jq -c '{time, forecast}'")}

<h2>Cgroups that grew</h2>
${grew.length ? `<table id="cgroups"><tr><th>cgroup</th><th>limit</th><th>first</th><th>peak</th><th>last</th><th>grew</th><th>OOM kills</th></tr>${cgRows}</table>` : '<p>No memory cgroup grew (or none was recorded).</p>'}
${cmd("--json | jq -c '{time, cgroups}'")}

<footer>Made by memtop ${escapeHtml(meta.version)} from ${escapeHtml(meta.file)}. Times are ${tzText}. Each chart keeps, per ${'bucket'} of its time axis, the samples with each series' minimum and maximum, so peaks survive; hover a chart for its values.</footer>
<div id="tip"></div>
<script type="application/json" id="memtop-data">${dataJson}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
