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
}

export function Kpi({ id, label, value, change, unit, upIsGood, trend }: KpiProps) {
  const tone = change === null || Math.abs(change) < 0.02 ? 'flat' : change > 0 === upIsGood ? 'good' : 'bad';
  return (
    <div class="kpi" data-kpi={id} data-value={value ?? ''}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{fmtValue(value, unit)}</div>
      <div class={`kpi-change ${tone}`} title="against the previous period of equal length">
        {fmtChange(change)} <span class="muted">vs previous</span>
      </div>
      {trend && <Sparkline points={trend} label={label} />}
    </div>
  );
}
