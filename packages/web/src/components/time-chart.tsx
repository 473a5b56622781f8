// A uPlot time-series chart: axis labels with units, a legend with hover values, optional
// stacking (cost by model) and a shaded baseline band. Redraws in place when data changes.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Point, Series } from '../api/types';
import { fmtValue, type Unit } from '../format';
import { chartInk, PALETTE, useTheme } from '../state/theme';

export interface Band {
  lower: Point[];
  upper: Point[];
}

export interface TimeChartProps {
  title: string;
  series: Series[];
  unit: Unit;
  yLabel: string;
  stacked?: boolean;
  band?: Band | null;
  height?: number;
}

interface Built {
  data: uPlot.AlignedData;
  raw: (number | null)[][];
  labels: string[];
}

/** Aligns every series on one sorted set of timestamps (seconds, as uPlot wants). */
export function align(series: Series[], band: Band | null | undefined, stacked: boolean): Built {
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
  return { data: data as uPlot.AlignedData, raw, labels };
}

export function seriesSum(series: Series[]): number {
  let sum = 0;
  for (const s of series) for (const [, v] of s.points) sum += v ?? 0;
  return sum;
}

export function TimeChart({ title, series, unit, yLabel, stacked = false, band, height = 220 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const built = align(series, band, stacked);
  const shape = `${built.labels.join('\u0000')}|${band ? 1 : 0}|${stacked}|${theme}|${unit}`;
  const shapeRef = useRef('');
  const rawRef = useRef(built.raw);
  rawRef.current = built.raw;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    if (plot.current && shapeRef.current === shape) {
      plot.current.setData(built.data);
      return;
    }
    plot.current?.destroy();
    shapeRef.current = shape;
    const ink = chartInk(theme);
    const n = built.labels.length;
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
          label: yLabel,
          labelSize: 18,
          size: 64,
          values: (_u, vals) => vals.map((v) => fmtValue(v, unit)),
        },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })) },
        ...built.labels.map((label, i) => {
          const color = PALETTE[(stacked ? n - 1 - i : i) % PALETTE.length]!;
          return {
            label,
            stroke: color,
            width: stacked ? 1 : 1.6,
            ...(stacked && { fill: color + 'cc' }),
            spanGaps: false,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, si: number, idx: number | null) => fmtValue(idx == null ? null : (rawRef.current[si - 1]?.[idx] ?? null), unit),
          } satisfies uPlot.Series;
        }),
        ...(band
          ? [
              { label: 'baseline low', stroke: ink.band, width: 0, points: { show: false }, value: (_u: uPlot, v: number | null) => fmtValue(v, unit) },
              { label: 'baseline high', stroke: ink.band, width: 0, points: { show: false }, value: (_u: uPlot, v: number | null) => fmtValue(v, unit) },
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
    />
  );
}
