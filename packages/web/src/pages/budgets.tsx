// Budgets: each budget's spend so far this period, where the current rate takes it by the period's
// end and the 80 % band around that, when it runs out at that rate, and its alerts (/api/budgets).
// A chart per budget: the spend so far (solid), the forecast (dashed) inside its band, the amount
// as a line. Budgets are created through the API or the config file (admin), not here.

import type { BudgetPoint as Point, BudgetScope, BudgetsReply, BudgetView } from '@sightline/api';
import { Panel } from '../components/panel';
import { fmtDateTime, fmtPercent, fmtUsd } from '../format';
import { useApi } from '../state/use-api';


const PERIOD: Record<BudgetView['period'], string> = { day: 'daily', week: 'weekly', month: 'monthly' };

/** "tenant acme", "agent support", "project". */
function subject(b: BudgetView): string {
  const s = b.scope;
  if (s.attribute) return `${s.attribute} ${s.value ?? ''}`;
  const k = (Object.keys(s) as (keyof BudgetScope)[])[0];
  return k ? `${k} ${s[k]}` : 'whole project';
}

const W = 640;
const H = 180;
const PAD = 8;

/** Spend so far, the forecast and its band, and the amount, over the whole period. */
function BudgetChart({ b }: { b: BudgetView }) {
  const top = Math.max(b.amountUsd, b.projection.high_usd, b.spent_usd) * 1.05 || 1;
  const x = (t: number) => PAD + ((t - b.period_start) / (b.period_end - b.period_start)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD);
  const line = (pts: Point[], f: (p: Point) => number) => pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ');
  const f = b.projection_series;
  const band = f.length > 0 ? `${line(f, (p) => p.high ?? p.spent)} ${[...f].reverse().map((p) => `L${x(p.at).toFixed(1)},${y(p.low ?? p.spent).toFixed(1)}`).join(' ')} Z` : '';
  return (
    <svg class="budget-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${subject(b)}: spent ${fmtUsd(b.spent_usd)} of ${fmtUsd(b.amountUsd)}, forecast ${fmtUsd(b.projection.projected_usd)}`} data-budget-chart={b.id}>
      <line x1={PAD} x2={W - PAD} y1={y(b.amountUsd)} y2={y(b.amountUsd)} class="budget-amount" stroke="currentColor" stroke-opacity="0.5" stroke-dasharray="2 3" />
      {band && <path d={band} class="budget-band" fill="var(--accent, #4a7dff)" fill-opacity="0.15" stroke="none" data-band />}
      <path d={line(b.history, (p) => p.spent)} fill="none" stroke="var(--accent, #4a7dff)" stroke-width="2" data-spent />
      <path d={line(f, (p) => p.spent)} fill="none" stroke="var(--accent, #4a7dff)" stroke-width="2" stroke-dasharray="6 4" data-forecast />
    </svg>
  );
}

function BudgetCard({ b }: { b: BudgetView }) {
  const p = b.projection;
  const over = p.projected_usd >= b.amountUsd;
  return (
    <li class="budget" data-budget={b.id}>
      <div>
        <strong>{b.name ?? b.id}</strong> <span class="muted">{`${subject(b)} · ${fmtUsd(b.amountUsd)} ${PERIOD[b.period]} · ${b.source}`}</span>
      </div>
      <div class="small">
        <span data-kpi="spent">{`Spent ${fmtUsd(b.spent_usd)} (${fmtPercent(b.share)})`}</span>
        {' · '}
        <span data-kpi="rate">{`${fmtUsd(b.rate_usd_per_day)} a day now`}</span>
        {' · '}
        <span data-kpi="forecast" class={over ? 'bad' : ''}>{`Forecast ${fmtUsd(p.projected_usd)} by ${fmtDateTime(b.period_end)} (80 % band ${fmtUsd(p.low_usd)}–${fmtUsd(p.high_usd)})`}</span>
        {p.exhaust_at !== null && (
          <>
            {' · '}
            <span data-kpi="exhaust">{`${b.spent_usd >= b.amountUsd ? 'ran out' : 'runs out around'} ${fmtDateTime(p.exhaust_at)}`}</span>
          </>
        )}
      </div>
      <BudgetChart b={b} />
      {b.alerts.length > 0 && (
        <ul class="alerts">
          {b.alerts.map((a) => (
            <li key={a.id} class={`alert ${a.status}`} data-budget-alert={a.kind} data-status={a.status}>
              <span class={`badge ${a.status === 'firing' ? 'bad' : 'warn'}`}>{a.status}</span> {a.summary}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function BudgetsPage() {
  const load = useApi<BudgetsReply>('/api/budgets');
  return (
    <Panel
      title="Budgets"
      load={load}
      wide
      isEmpty={(r) => r.budgets.length === 0}
      empty={
        <span>
          No budgets yet. Create one with <code>POST /api/budgets</code> (admin key) or <code>alerts.budgets</code> in the config file.
        </span>
      }
    >
      {(r) => <ul class="budgets">{r.budgets.map((b) => <BudgetCard key={b.id} b={b} />)}</ul>}
    </Panel>
  );
}
