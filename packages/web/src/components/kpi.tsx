// One KPI card: value, change against the previous period (coloured by whether up is good), sparkline.

import type { Point } from '@sightline/api';
import { fmtChange, fmtValue, type Unit } from '../format';
import { Sparkline } from './sparkline';

export interface KpiProps {
  id: string;
  label: string;
  value: number | null;
  change: number | null;
  unit: Unit;
  /** Whether a rise is good news (traffic) or bad (errors, latency, cost). */
  upIsGood: boolean;
  trend: Point[] | null;
  /** The previous period's value; undefined when there is no previous period (no data before this one). */
  previous?: number | null;
}

/** What the change line says: "+12% vs previous", or plainly why there is nothing to compare. */
export function changeText(value: number | null, change: number | null, previous: number | null | undefined): string {
  if (previous === undefined) return 'no previous period';
  if (change !== null) return `${fmtChange(change)} vs previous`;
  if (previous === 0 && value !== null && value > 0) return 'none in the previous period';
  if (previous === 0 && value === 0) return 'none now or in the previous period';
  return 'no value to compare';
}

export function Kpi({ id, label, value, change, unit, upIsGood, trend, previous }: KpiProps) {
  const tone = change === null || Math.abs(change) < 0.02 ? 'flat' : change > 0 === upIsGood ? 'good' : 'bad';
  return (
    <div class="kpi" data-kpi={id} data-value={value ?? ''}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{fmtValue(value, unit)}</div>
      <div class={`kpi-change ${tone}`} title="against the period of equal covered length before this one">
        {changeText(value, change, previous)}
      </div>
      {trend && <Sparkline points={trend} label={label} />}
    </div>
  );
}
