// A tiny inline SVG trend line for KPI cards (cheaper than a chart instance per card).

import type { Point } from '@sightline/api';

export function Sparkline({ points, label }: { points: Point[]; label: string }) {
  const vals = points.filter((p): p is [number, number] => p[1] !== null);
  if (vals.length === 0) return <svg class="spark" aria-hidden="true" viewBox="0 0 100 24" />;
  // One bucket so far (a new agent): a dot, not an empty card.
  if (vals.length === 1)
    return (
      <svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={`${label} trend`}>
        <circle cx="100" cy="12" r="2" fill="currentColor" vector-effect="non-scaling-stroke" />
      </svg>
    );
  const t0 = vals[0]![0];
  const t1 = vals[vals.length - 1]![0];
  const max = Math.max(...vals.map((p) => p[1]));
  const min = Math.min(0, ...vals.map((p) => p[1]));
  const x = (t: number) => ((t - t0) / (t1 - t0 || 1)) * 100;
  const y = (v: number) => 22 - ((v - min) / (max - min || 1)) * 20;
  const d = vals.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(2)},${y(p[1]).toFixed(2)}`).join('');
  return (
    <svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={`${label} trend`}>
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
