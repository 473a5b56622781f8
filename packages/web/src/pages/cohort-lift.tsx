// A cohort in a picture and a sentence: each value's error-rate lift against the rest of the same
// agents with its 95 % interval (the Wilson interval of the cohort's error rate over the rest's
// rate), a line at 1× ("fails as often as the rest"), and one plain sentence per failing cohort.

import { fmtPercent } from '../format';
import type { Cohort } from '@sightline/api';

/** The lift and its 95 % interval; null when the rest has no errors (no ratio to draw). */
export function liftInterval(c: Cohort): { lift: number; low: number; high: number } | null {
  if (c.lift === null || c.rest_error_rate <= 0) return null;
  return { lift: c.lift, low: c.error_rate_ci[0] / c.rest_error_rate, high: c.error_rate_ci[1] / c.rest_error_rate };
}

const times = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')}×`;
const fmtQ = (q: number) => (q < 0.001 ? 'q < 0.001' : `q = ${q.toFixed(3)}`);

/**
 * @example cohortSentence(returns)
 *   // "Traces with input_category = returns failed 5.1× as often as the rest of support-1 and support-2:
 *   //  41.2% of 1,234 against 8.1% (95% interval 4.6×–5.6×, q < 0.001)."
 */
export function cohortSentence(c: Cohort): string {
  const who = c.agents.length <= 1 ? c.agents.join('') : `${c.agents.slice(0, -1).join(', ')} and ${c.agents[c.agents.length - 1]}`;
  const unit = c.unit === 'trace' ? 'Traces' : 'Spans';
  const iv = liftInterval(c);
  const how = iv ? `${times(iv.lift)} as often as` : 'while no error came from';
  const range = iv ? `95% interval ${times(iv.low)}–${times(iv.high)}, ` : '';
  return `${unit} with ${c.key} = ${c.value} failed ${how} the rest of ${who}: ${fmtPercent(c.error_rate)} of ${c.n.toLocaleString('en-US')} against ${fmtPercent(c.rest_error_rate)} (${range}${fmtQ(c.q)}).`;
}

/** Horizontal lift bars, one row per cohort: the dot is the lift, the line its interval, the rule at 1×. */
export function LiftChart({ cohorts, failing }: { cohorts: Cohort[]; failing: Set<string> }) {
  const rows = cohorts.map((c) => ({ c, iv: liftInterval(c) })).filter((r): r is { c: Cohort; iv: NonNullable<ReturnType<typeof liftInterval>> } => r.iv !== null);
  if (rows.length === 0) return <p class="muted small">No value of this attribute has a lift to draw: the rest of its agents had no errors.</p>;
  const max = Math.max(2, ...rows.map((r) => r.iv.high)) * 1.05;
  const W = 640;
  const LABEL = 170;
  const ROW = 22;
  const x = (v: number) => LABEL + (Math.min(v, max) / max) * (W - LABEL - 60);
  const height = rows.length * ROW + 24;
  return (
    <svg class="lift-chart" viewBox={`0 0 ${W} ${height}`} width={W} height={height} style={{ maxWidth: '100%', height: 'auto' }} role="img" aria-label={`Error-rate lift against the rest, ${rows.length} cohorts`} data-lift-rows={rows.length}>
      <line x1={x(1)} x2={x(1)} y1={4} y2={height - 18} stroke="currentColor" stroke-dasharray="3 3" opacity="0.6" />
      <text x={x(1)} y={height - 4} text-anchor="middle" font-size="11" fill="currentColor">
        1× (as often as the rest)
      </text>
      {rows.map(({ c, iv }, i) => {
        const y = 12 + i * ROW;
        const bad = failing.has(`${c.key}=${c.value}`);
        const color = bad ? '#dc2626' : '#64748b';
        return (
          <g key={c.value} data-lift={`${c.key}=${c.value}`} data-lift-value={iv.lift}>
            <text x={LABEL - 8} y={y + 4} text-anchor="end" font-size="12" fill="currentColor">
              {c.value.length > 22 ? `${c.value.slice(0, 21)}…` : c.value}
            </text>
            <line x1={x(iv.low)} x2={x(iv.high)} y1={y} y2={y} stroke={color} stroke-width="2" />
            <circle cx={x(iv.lift)} cy={y} r="4" fill={color} />
            <text x={x(iv.high) + 6} y={y + 4} font-size="11" fill="currentColor">
              {times(iv.lift)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
