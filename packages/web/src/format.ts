// Number, time and unit formatting shared by KPIs, tables, chart axes and tooltips.

import { formatChange, formatCompact, formatInterval, formatMs, formatPct, formatShareOf, formatUsd } from '@sightline/api';

export type Unit = 'count' | 'rate' | 'ms' | 'usd' | 'tokens' | 'percent' | 'ratio' | 'per_min';

// The numbers themselves come from the one formatter the server's texts, notifications and CLI
// use too, so a figure reads the same on a page, in Slack and in a terminal.
export const fmtNumber = formatCompact;
export const fmtMs = formatMs;
export const fmtUsd = formatUsd;
export const fmtPercent = formatPct;
export const fmtInterval = formatInterval;

/** `part` of `whole` as a percentage, as the server's doctor prints it (never "0%" for a part nor "100%" for less than all). */
export const fmtShare = formatShareOf;

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

/** "+12%" / "−4.0%"; "n/a" when there is nothing to compare with (callers say why). */
export function fmtChange(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'n/a' : formatChange(v);
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
