/**
 * Time-series charts as inline SVG, drawn here rather than by a chart
 * library in the browser: the page opens offline and from a mail attachment,
 * shows its charts with scripts blocked (a mail client's preview), and needs
 * no dependency to vendor. Hover values come from a small script of the page
 * (output/report.ts) reading the points each chart carries.
 *
 * Downsampling keeps peaks: the samples kept for a chart are, per bucket of
 * the time axis, those holding each series' minimum and maximum (and the
 * bucket's edges around a gap), so a spike of one sample survives 8,640
 * samples drawn in 480 buckets.
 */

export type Unit = 'bytes' | 'perSecond' | 'percent' | 'hours';

export interface ChartSeries {
  name: string;
  color: string;
  /** One value per sample of the chart's times; NaN where unknown (a gap). */
  values: readonly number[];
  /** Dashed line (a reference such as MemTotal). */
  dashed?: boolean;
}

export interface Band {
  /** Sample index range [from, to], inclusive. */
  from: number;
  to: number;
  color: string;
  /** Row of bands under the plot (one per process). */
  row: number;
  title: string;
}

export interface Marker {
  time: number;
  color: string;
  label: string;
  dashed?: boolean;
}

export interface ChartSpec {
  id: string;
  times: readonly number[];
  series: ChartSeries[];
  unit: Unit;
  /** Stacked areas (bottom first) instead of lines; the key series for downsampling is `stackKey`. */
  stacked?: boolean;
  /** Lines drawn over a stacked chart, not stacked (MemTotal, swap used). */
  overlay?: ChartSeries[];
  bands?: Band[];
  markers?: Marker[];
  /** Write the markers' labels (the first chart does; the others draw the lines only). */
  markerLabels?: boolean;
  /** Largest value drawn: higher ones are clipped (the forecast beyond its horizon). */
  clip?: number;
  height?: number;
}

export const WIDTH = 960;
const LEFT = 70;
const RIGHT = 14;
const TOP = 12;
const BOTTOM = 26;
/** Buckets on the time axis: two kept samples each at most per series, about one per two pixels. */
export const BUCKETS = 480;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The sample indices a chart keeps: in each of `buckets` equal slices of the
 * time axis, the samples holding each series' minimum and maximum, and the
 * first and last known sample around a gap; every sample when there are few.
 */
export function peakIndices(times: readonly number[], series: readonly (readonly number[])[], buckets = BUCKETS): number[] {
  const n = times.length;
  if (n <= buckets * 2) return Array.from({ length: n }, (_, i) => i);
  const t0 = times[0]!;
  const span = Math.max(1, times[n - 1]! - t0);
  const keep = new Set<number>([0, n - 1]);
  let start = 0;
  for (let b = 0; b < buckets && start < n; b++) {
    const endTime = t0 + (span * (b + 1)) / buckets;
    let end = start;
    while (end < n && (times[end]! <= endTime || b === buckets - 1)) end++;
    if (end === start) continue;
    for (const values of series) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = values[i]!;
        if (Number.isNaN(v)) {
          // A gap: keep the known samples on both sides, so the line breaks where it did.
          if (i > start && !Number.isNaN(values[i - 1]!)) keep.add(i - 1);
          if (i + 1 < end && !Number.isNaN(values[i + 1]!)) keep.add(i + 1);
          continue;
        }
        if (lo < 0 || v < values[lo]!) lo = i;
        if (hi < 0 || v > values[hi]!) hi = i;
      }
      if (lo >= 0) keep.add(lo);
      if (hi >= 0) keep.add(hi);
    }
    start = end;
  }
  return [...keep].sort((a, b) => a - b);
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `decimals`: as many as given (the axis' labels, which must tell their ticks apart), else what reads best. */
export function formatValue(v: number, unit: Unit, decimals?: number): string {
  if (Number.isNaN(v)) return '-';
  switch (unit) {
    case 'bytes': {
      let x = Math.abs(v);
      let k = 0;
      while (x >= 1024 && k < BINARY.length - 1) {
        x /= 1024;
        k++;
      }
      return `${v < 0 ? '-' : ''}${x.toFixed(decimals ?? (x >= 100 || k === 0 ? 0 : 1))} ${BINARY[k]}`;
    }
    case 'perSecond':
      if (decimals !== undefined) return `${v.toFixed(decimals)}/s`;
      return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}/s`;
    case 'percent':
      if (decimals !== undefined) return `${v.toFixed(decimals)}%`;
      return `${v === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
    case 'hours':
      return v >= 1 ? `${v.toFixed(1)} h` : `${(v * 60).toFixed(0)} min`;
  }
}

/** Tick values from 0 to at least max: 1, 2 or 5 times a power of ten (of 1024^k for bytes). */
function ticks(max: number, unit: Unit): number[] {
  // A quiet chart still gets a readable scale: 1%, 1/s, 1 h, 1 MiB at least.
  max = Math.max(max, unit === 'bytes' ? 1024 * 1024 : 1);
  let scale = 1;
  if (unit === 'bytes') while (max / scale >= 1024) scale *= 1024;
  const raw = max / scale / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow * scale;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(v);
  return out;
}

/** The axis' labels: the fewest decimals (up to 3) that tell every tick apart. */
function tickLabels(values: readonly number[], unit: Unit): string[] {
  if (unit === 'hours') return values.map((v) => formatValue(v, unit));
  // A label must say its tick's value, not a rounding of it (0.25 is not "0.3").
  const exact = (label: string, v: number) => {
    const [number = '', suffix = ''] = label.split(' ');
    const back = parseFloat(number) * (unit === 'bytes' ? 1024 ** Math.max(0, BINARY.indexOf(suffix)) : 1);
    return Math.abs(back - v) <= 1e-6 * Math.max(1, Math.abs(v));
  };
  for (let d = 0; ; d++) {
    const labels = values.map((v) => formatValue(v, unit, d));
    if (d === 3 || (new Set(labels).size === labels.length && labels.every((l, k) => exact(l, values[k]!)))) {
      return labels.map((l) => l.replace(/\.0+(?=\D|$)/, ''));
    }
  }
}

/** Local wall-clock time of the page's reader: the offset is the report's (minutes east of UTC). */
export function clock(ms: number, tzOffsetMin: number, withDate = false): string {
  const d = new Date(ms + tzOffsetMin * 60_000).toISOString();
  return withDate ? `${d.slice(0, 10)} ${d.slice(11, 19)}` : d.slice(11, 16);
}

function timeTicks(t0: number, t1: number): number[] {
  const span = Math.max(1, t1 - t0);
  const steps = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);
  const step = steps.find((s) => span / s <= 8) ?? 86400_000;
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
  return out;
}

const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

/** What the page's hover script reads of a chart: its kept times and values. */
export interface ChartData {
  id: string;
  unit: Unit;
  /** The plot's left and right edge in SVG units, and the times they stand for. */
  x: [number, number];
  range: [number, number];
  t: number[];
  series: { name: string; color: string; v: (number | null)[] }[];
}

/** The chart's SVG and the points it keeps (for hover values). */
export function renderChart(spec: ChartSpec, tzOffsetMin: number, range: { t0: number; t1: number }): { svg: string; data: ChartData } {
  const height = spec.height ?? 230;
  const bandRows = spec.bands ? Math.max(0, ...spec.bands.map((b) => b.row + 1)) : 0;
  const plotBottom = height - BOTTOM - bandRows * 7;
  const all = [...spec.series, ...(spec.overlay ?? [])];
  // Stacked: the tops of the bands are what is drawn, so peaks are kept on those.
  const stackedTops: number[][] = [];
  if (spec.stacked) {
    const acc = spec.times.map(() => 0);
    for (const s of spec.series) stackedTops.push(s.values.map((v, i) => (acc[i] = acc[i]! + (Number.isNaN(v) ? 0 : v))));
  }
  const keepOn = spec.stacked ? [...stackedTops, ...(spec.overlay ?? []).map((s) => s.values as number[])] : all.map((s) => s.values as number[]);
  const kept = peakIndices(spec.times, keepOn);
  const clip = (v: number) => (spec.clip !== undefined && v > spec.clip ? spec.clip : v);
  let max = 0;
  let min = 0;
  for (const values of keepOn) {
    for (const i of kept) {
      if (Number.isNaN(values[i]!)) continue;
      max = Math.max(max, clip(values[i]!));
      min = Math.min(min, values[i]!);
    }
  }
  // Below zero (a growth chart's shrinking process) the same step goes down as far as needed.
  const up = ticks(max - min, spec.unit);
  const step = up[1]! - up[0]!;
  const yMin = min < 0 ? -Math.ceil(-min / step) * step : 0;
  const yTicks: number[] = [];
  const top = Math.max(max, yMin + up.at(-1)!);
  for (let v = yMin; v < top + step * 0.999 || yTicks.length < 2; v += step) yTicks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  const yMax = yTicks.at(-1)!;
  const { t0, t1 } = range;
  const x = (t: number) => LEFT + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - LEFT - RIGHT);
  const y = (v: number) => plotBottom - ((clip(v) - yMin) / (yMax - yMin)) * (plotBottom - TOP);
  const out: string[] = [];
  out.push(`<svg class="chart" id="${spec.id}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" xmlns="http://www.w3.org/2000/svg">`);
  // Grid and axes.
  const yLabels = tickLabels(yTicks, spec.unit);
  yTicks.forEach((v, k) => {
    out.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    out.push(`<text class="ylab" x="${LEFT - 6}" y="${fmt(y(v) + 4)}">${escapeHtml(yLabels[k]!)}</text>`);
  });
  const withDate = t1 - t0 > 86400_000 || new Date(t0).getUTCDate() !== new Date(t1).getUTCDate();
  const tTicks = timeTicks(t0, t1);
  // Ticks closer than a minute need their seconds.
  const seconds = tTicks.length > 1 && tTicks[1]! - tTicks[0]! < 60_000;
  for (const t of tTicks) {
    out.push(`<line class="grid" x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${TOP}" y2="${plotBottom}"/>`);
    const label = withDate && clock(t, tzOffsetMin) === '00:00'
      ? clock(t, tzOffsetMin, true).slice(0, 10)
      : seconds ? clock(t, tzOffsetMin, true).slice(11) : clock(t, tzOffsetMin);
    // A label at either end of the axis stays inside the picture.
    const anchor = x(t) > WIDTH - RIGHT - 30 ? ' style="text-anchor:end"' : x(t) < LEFT + 30 ? ' style="text-anchor:start"' : '';
    out.push(`<text class="xlab" x="${fmt(x(t))}" y="${height - 8}"${anchor}>${label}</text>`);
  }
  out.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fmt(y(0))}" y2="${fmt(y(0))}"/>`);
  // Series.
  const path = (values: readonly number[]) => {
    let d = '';
    let pen = false;
    for (const i of kept) {
      const v = values[i]!;
      if (Number.isNaN(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${fmt(x(spec.times[i]!))} ${fmt(y(v))}`;
      pen = true;
    }
    return d;
  };
  if (spec.stacked) {
    let below: number[] | undefined;
    spec.series.forEach((s, k) => {
      const top = stackedTops[k]!;
      let d = '';
      for (const i of kept) d += `${d ? 'L' : 'M'}${fmt(x(spec.times[i]!))} ${fmt(y(top[i]!))}`;
      for (let j = kept.length - 1; j >= 0; j--) {
        const i = kept[j]!;
        d += `L${fmt(x(spec.times[i]!))} ${fmt(y(below ? below[i]! : 0))}`;
      }
      out.push(`<path class="area" d="${d}Z" fill="${s.color}"><title>${escapeHtml(s.name)}</title></path>`);
      below = top;
    });
  } else {
    for (const s of spec.series) {
      out.push(`<path class="line" d="${path(s.values)}" stroke="${s.color}"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeHtml(s.name)}</title></path>`);
    }
  }
  for (const s of spec.overlay ?? []) {
    out.push(`<path class="line" d="${path(s.values)}" stroke="${s.color}"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeHtml(s.name)}</title></path>`);
  }
  for (const b of spec.bands ?? []) {
    const bx = x(spec.times[b.from]!);
    const bw = Math.max(2, x(spec.times[b.to]!) - bx);
    const by = plotBottom + 3 + b.row * 7;
    out.push(`<rect class="band" x="${fmt(bx)}" y="${by}" width="${fmt(bw)}" height="5" fill="${b.color}"><title>${escapeHtml(b.title)}</title></rect>`);
  }
  // Labels close together go on the next row down (four rows, then round again), so none hides another.
  const rowEnds: number[] = [];
  for (const m of spec.markers ?? []) {
    const mx = x(m.time);
    out.push(`<line class="marker" x1="${fmt(mx)}" x2="${fmt(mx)}" y1="${TOP}" y2="${plotBottom}" stroke="${m.color}"${m.dashed ? ' stroke-dasharray="4 3"' : ''}><title>${escapeHtml(m.label)}</title></line>`);
    if (!spec.markerLabels) continue;
    let row = rowEnds.findIndex((end) => end < mx);
    if (row < 0) row = rowEnds.length < 4 ? rowEnds.length : 0;
    rowEnds[row] = mx + 6.2 * m.label.length + 8;
    const right = mx + 6.2 * m.label.length > WIDTH - RIGHT;
    const lx = right ? mx - 3 : mx + 3;
    out.push(`<text class="mlab" x="${fmt(lx)}" y="${TOP + 10 + row * 12}" fill="${m.color}"${right ? ' text-anchor="end"' : ''}>${escapeHtml(m.label)}</text>`);
  }
  out.push(`<line class="cursor" x1="0" x2="0" y1="${TOP}" y2="${plotBottom}" visibility="hidden"/>`);
  out.push('</svg>');
  const round = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 100) / 100);
  const data: ChartData = {
    id: spec.id,
    unit: spec.unit,
    x: [LEFT, WIDTH - RIGHT],
    range: [t0, t1],
    t: kept.map((i) => spec.times[i]!),
    series: all.map((s) => ({ name: s.name, color: s.color, v: kept.map((i) => round(s.values[i]!)) })),
  };
  return { svg: out.join(''), data };
}
