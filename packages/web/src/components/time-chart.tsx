// A uPlot time-series chart: axis labels with units, a legend with the latest values (hover
// values under the cursor), optional stacking (cost by model), a shaded baseline band, the newest
// bucket marked "partial" while it is still filling, and dots for points without neighbours (a new
// agent's few buckets would otherwise draw nothing). Redraws in place when data changes.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Point, Series } from '@sightline/api';
import { fmtValue, type Unit } from '../format';
import { chartInk, PALETTE, useTheme } from '../state/theme';
import { sameData } from './same-data';

export interface Band {
  lower: Point[];
  upper: Point[];
}

/** Buckets outside the band, drawn as dots on the line (above: red, below: blue). */
export interface Marks {
  above: Point[];
  below: Point[];
}

export interface TimeChartProps {
  title: string;
  series: Series[];
  unit: Unit;
  /** The quantity without its unit ("p95 latency"); the axis adds the unit its ticks are in. */
  yLabel: string;
  stacked?: boolean;
  band?: Band | null;
  marks?: Marks | null;
  height?: number;
  /** Bucket width: the newest bucket is marked partial while it has not ended. */
  intervalMs?: number;
}

const trim = (v: number) => String(Number(v.toPrecision(4)));

/**
 * The y axis's unit and tick format, chosen from the largest value so the label and the ticks
 * always agree (latency in s once it passes a second, rates in %, money in USD).
 */
export function axisFormat(unit: Unit, max: number): { suffix: string; tick: (v: number) => string } {
  switch (unit) {
    case 'ms':
      return max >= 1000 ? { suffix: 's', tick: (v) => trim(v / 1000) } : { suffix: 'ms', tick: (v) => trim(v) };
    case 'rate':
    case 'percent':
      return { suffix: '%', tick: (v) => trim(v * 100) };
    case 'usd':
      return { suffix: 'USD', tick: (v) => trim(v) };
    case 'ratio':
      return { suffix: '', tick: (v) => trim(v) };
    default:
      return { suffix: '', tick: (v) => fmtValue(v, unit) };
  }
}

interface Built {
  data: uPlot.AlignedData;
  raw: (number | null)[][];
  labels: string[];
}

/** Whether a column has a value with no value on either side: a line cannot draw it, a dot can. */
export function hasIsolated(col: readonly (number | null)[]): boolean {
  return col.some((v, i) => v !== null && (col[i - 1] ?? null) === null && (col[i + 1] ?? null) === null);
}

/** The newest non-null value of a column, for the legend when the cursor is not over the chart. */
export function latest(col: readonly (number | null)[] | undefined): number | null {
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null && col[i] !== undefined) return col[i]!;
  return null;
}

/** Start of the newest bucket when it has not ended at `now` (ms), else null. */
export function partialBucket(series: Series[], intervalMs: number | undefined, now: number): number | null {
  if (!intervalMs) return null;
  let last = -Infinity;
  for (const s of series) for (const p of s.points) if (p[0] > last) last = p[0];
  return last + intervalMs > now ? last : null;
}

/** Aligns every series on one sorted set of timestamps (seconds, as uPlot wants). */
export function align(series: Series[], band: Band | null | undefined, stacked: boolean, marks?: Marks | null): Built {
  const ts = new Set<number>();
  for (const s of series) for (const p of s.points) ts.add(p[0]);
  if (band) for (const p of band.lower) ts.add(p[0]);
  const xs = [...ts].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const col = (points: Point[]) => {
    const out: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const [t, v] of points) out[index.get(t)!] = v;
    return out;
  };
  let raw = series.map((s) => col(s.points));
  let labels = series.map((s) => s.group);
  let drawn = raw;
  if (stacked) {
    const sums = raw.map(() => new Array<number | null>(xs.length).fill(null));
    for (let i = 0; i < xs.length; i++) {
      let acc = 0;
      raw.forEach((r, k) => {
        acc += r[i] ?? 0;
        sums[k]![i] = acc;
      });
    }
    // Top of the stack first, so each lower layer paints over the one above it.
    drawn = sums.reverse();
    raw = [...raw].reverse();
    labels = [...labels].reverse();
  }
  const data: (number | null)[][] = [xs.map((t) => t / 1000), ...drawn];
  if (band) data.push(col(band.lower), col(band.upper));
  if (marks) data.push(col(marks.above.filter((p) => index.has(p[0]))), col(marks.below.filter((p) => index.has(p[0]))));
  return { data: data as uPlot.AlignedData, raw, labels };
}

/** Hatches the newest bucket while it is still filling, labelled "partial", so its lower total does not read as a drop. */
function drawPartial(u: uPlot, from: number | null, intervalMs: number | undefined, ink: ReturnType<typeof chartInk>): void {
  if (from === null || !intervalMs) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const x0 = Math.max(left, u.valToPos(from / 1000, 'x', true));
  const x1 = Math.min(left + width, Math.max(x0 + 6 * devicePixelRatio, u.valToPos((from + intervalMs) / 1000, 'x', true)));
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, top, x1 - x0, height);
  ctx.clip();
  ctx.strokeStyle = ink.axis;
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = devicePixelRatio;
  for (let x = x0 - height; x < x1; x += 6 * devicePixelRatio) {
    ctx.moveTo(x, top + height);
    ctx.lineTo(x + height, top);
  }
  ctx.stroke();
  ctx.restore();
  ctx.save();
  ctx.fillStyle = ink.axis;
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  ctx.textAlign = 'right';
  ctx.fillText('partial', left + width - 4 * devicePixelRatio, top + 12 * devicePixelRatio);
  ctx.restore();
}

/** Sum of every value, leaving out the bucket starting at `skip` (the partial one, scaled by the time it has covered). */
export function seriesSum(series: Series[], skip: number | null = null): number {
  let sum = 0;
  for (const s of series) for (const [t, v] of s.points) if (t !== skip) sum += v ?? 0;
  return sum;
}

export function TimeChart({ title, series, unit, yLabel, stacked = false, band, marks, height = 220, intervalMs }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const built = align(series, band, stacked, marks);
  let max = 0;
  for (const col of built.data.slice(1)) for (const v of col as (number | null)[]) if (v !== null && v > max) max = v;
  const axis = axisFormat(unit, max);
  const axisLabel = axis.suffix ? `${yLabel} (${axis.suffix})` : yLabel;
  const dots = built.raw.map(hasIsolated);
  const shape = `${built.labels.join('\u0000')}|${band ? 1 : 0}|${marks ? 1 : 0}|${stacked}|${theme}|${unit}|${axisLabel}|${dots.join()}`;
  const shapeRef = useRef('');
  const rawRef = useRef(built.raw);
  rawRef.current = built.raw;
  const partial = partialBucket(series, intervalMs, Date.now());
  const partialRef = useRef<number | null>(partial);
  partialRef.current = partial;
  // What the plot last drew: a page re-renders every chart on each answer of any of its panels,
  // and redrawing unchanged charts was most of the dashboard's rendering work on load.
  const drawn = useRef<{ data: uPlot.AlignedData; partial: number | null } | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    if (plot.current && shapeRef.current === shape) {
      if (drawn.current && drawn.current.partial === partial && sameData(drawn.current.data, built.data)) return;
      drawn.current = { data: built.data, partial };
      plot.current.setData(built.data);
      return;
    }
    plot.current?.destroy();
    shapeRef.current = shape;
    drawn.current = { data: built.data, partial };
    const ink = chartInk(theme);
    const n = built.labels.length;
    const bandValue = (u: uPlot, v: number | null, si: number, idx: number | null) => fmtValue(idx == null ? latest(u.data[si] as (number | null)[]) : v, unit);
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { focus: { prox: 16 } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: ink.axis, grid: { stroke: ink.grid }, ticks: { stroke: ink.grid } },
        {
          stroke: ink.axis,
          grid: { stroke: ink.grid },
          ticks: { stroke: ink.grid },
          label: axisLabel,
          labelSize: 18,
          size: 56,
          values: (_u, vals) => vals.map((v) => axis.tick(v)),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            drawPartial(u, partialRef.current, intervalMs, ink);
            // Counted for the tests: an answer for another panel must not redraw this chart.
            el.dataset.draws = String(Number(el.dataset.draws ?? 0) + 1);
          },
        ],
      },
      series: [
        { label: 'time', value: (_u, v) => (v == null ? 'latest' : new Date(v * 1000).toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })) },
        ...built.labels.map((label, i) => {
          const color = PALETTE[(stacked ? n - 1 - i : i) % PALETTE.length]!;
          return {
            label,
            stroke: color,
            width: stacked ? 1 : 1.6,
            ...(stacked && { fill: color + 'cc' }),
            spanGaps: false,
            points: dots[i] ? { show: true, size: 6, stroke: color, fill: color } : { show: false },
            // Off the chart the legend shows each series' latest value, never a row of dashes.
            value: (_u: uPlot, _v: number | null, si: number, idx: number | null) => fmtValue(idx == null ? latest(rawRef.current[si - 1]) : (rawRef.current[si - 1]?.[idx] ?? null), unit),
          } satisfies uPlot.Series;
        }),
        ...(band
          ? [
              { label: 'expected low', stroke: ink.band, width: 0, points: { show: false }, value: bandValue },
              { label: 'expected high', stroke: ink.band, width: 0, points: { show: false }, value: bandValue },
            ]
          : []),
        ...(marks
          ? [
              { label: 'above band', stroke: '#dc2626', fill: '#dc2626', paths: () => null, points: { show: true, size: 7, stroke: '#dc2626', fill: '#dc2626' }, value: (_u: uPlot, v: number | null) => fmtValue(v, unit) },
              { label: 'below band', stroke: '#2563eb', fill: '#2563eb', paths: () => null, points: { show: true, size: 7, stroke: '#2563eb', fill: '#2563eb' }, value: (_u: uPlot, v: number | null) => fmtValue(v, unit) },
            ]
          : []),
      ],
      ...(band && { bands: [{ series: [n + 2, n + 1] as [number, number], fill: ink.band }] }),
    };
    plot.current = new uPlot(opts, built.data, el);
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [height]);

  const last = series.map((s) => `${s.group} ${fmtValue([...s.points].reverse().find((p) => p[1] !== null)?.[1] ?? null, unit)}`).join(', ');
  return (
    <div
      class="chart"
      ref={box}
      role="img"
      aria-label={`${title}: ${series.length} series over ${built.data[0].length} buckets; latest ${last}`}
      data-chart={title}
      data-series={series.length}
      data-sum={seriesSum(series).toFixed(6)}
      data-sum-ended={seriesSum(series, partial).toFixed(6)}
      data-y-label={axisLabel}
      data-partial-bucket={partial ?? undefined}
      data-dots={dots.filter(Boolean).length}
      data-out-of-band={marks ? marks.above.filter((p) => p[1] !== null).length + marks.below.filter((p) => p[1] !== null).length : undefined}
    />
  );
}
