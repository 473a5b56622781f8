// Number, time and unit formatting shared by KPIs, tables, chart axes and tooltips.

export type Unit = 'count' | 'rate' | 'ms' | 'usd' | 'tokens' | 'percent' | 'ratio' | 'per_min';

export function fmtNumber(v: number, digits = 1): string {
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(digits) + 'B';
  if (a >= 1e6) return (v / 1e6).toFixed(digits) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(digits) + 'k';
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

export function fmtMs(v: number): string {
  if (v >= 60_000) return (v / 60_000).toFixed(1) + ' min';
  if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
  return Math.round(v) + ' ms';
}

export function fmtUsd(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '$0';
  if (a < 0.01) return '$' + v.toFixed(4);
  if (a < 100) return '$' + v.toFixed(2);
  return '$' + Math.round(v).toLocaleString('en-US');
}

export function fmtPercent(v: number): string {
  const p = v * 100;
  return (p !== 0 && Math.abs(p) < 1 ? p.toFixed(2) : p.toFixed(1)) + '%';
}

/**
 * `part` of `whole` as a percentage, as the server's doctor prints it: whole numbers from 10 %, one
 * decimal below and above 99 %, never "0 %" for a part nor "100 %" for less than all.
 */
export function fmtShare(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0 %';
  if (part >= whole) return '100 %';
  const p = (part / whole) * 100;
  if (p < 0.1) return '0.1 %';
  if (p > 99) return `${Math.min(99.9, Math.floor(p * 10) / 10)} %`;
  return p < 10 ? `${Math.round(p * 10) / 10} %` : `${Math.round(p)} %`;
}

export function fmtValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  switch (unit) {
    case 'ms':
      return fmtMs(v);
    case 'usd':
      return fmtUsd(v);
    case 'rate':
    case 'percent':
      return fmtPercent(v);
    case 'ratio':
      return v.toFixed(2);
    case 'per_min':
      return fmtNumber(v) + '/min';
    default:
      return fmtNumber(v);
  }
}

/** "+12.3%" / "−4.0%"; null when there is nothing to compare with. */
export function fmtChange(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'no previous data';
  const p = v * 100;
  return (p >= 0 ? '+' : '−') + Math.abs(p).toFixed(1) + '%';
}

export function fmtTime(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Units of each timeseries metric, for axes and tooltips. */
export const METRIC_UNIT: Record<string, Unit> = {
  count: 'count',
  errors: 'count',
  error_rate: 'rate',
  latency_avg: 'ms',
  latency_p50: 'ms',
  latency_p95: 'ms',
  latency_p99: 'ms',
  cost: 'usd',
  cost_per_call: 'usd',
  tokens: 'tokens',
  tokens_input: 'tokens',
  tokens_output: 'tokens',
  tokens_per_call: 'tokens',
  confidence_avg: 'ratio',
};
