// Numbers as a person (or a coding agent) reads them: each with its unit and sensible rounding.
// Shared by the CLI's tables and the MCP tools, so both say "1,240 ms" and "$0.0123" alike.

import type { Metric } from './query.js';

/** 1,234 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1 trace · 2 traces (nouns with a plain plural "s"). */
export function formatCountOf(n: number, noun: string): string {
  return `${formatCount(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** 640 ms · 12.5 s · 3 min 20 s · 2 h 05 min */
export function formatMs(ms: number): string {
  const a = Math.abs(ms);
  // Each step's bound is where its rounding would reach the next unit (999.6 ms is "1.00 s").
  if (a < 9.95) return `${Number(ms.toFixed(1))} ms`;
  if (a < 999.5) return `${Math.round(ms)} ms`;
  if (a < 9_995) return `${(ms / 1000).toFixed(2)} s`;
  if (a < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A bucket width: 1 min · 5 min · 1 h · 6 h · 1 d (a duration otherwise). */
export function formatInterval(ms: number): string {
  if (ms > 0 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatMs(ms);
}

/** $12.35 · $0.0123 (three significant digits below a dollar) · $0 */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '−' : '';
  const a = Math.abs(usd);
  if (a >= 1) return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `${sign}$${Number(a.toPrecision(3))}`;
}

/** A share 0..1 as 12.3% (two decimals below 1%, so 0.04% does not read as 0.0%). */
export function formatPct(share: number): string {
  const p = share * 100;
  return `${Math.abs(p) < 1 && p !== 0 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** A relative change as +12% / −8% (+1.5% when small, 265× when huge). */
export function formatChange(change: number): string {
  // Past +900% a factor reads better: "265×" rather than "+26391%".
  if (change >= 9) return `${Math.round(1 + change).toLocaleString('en-US')}×`;
  const p = change * 100;
  const digits = Math.abs(p) < 10 ? 1 : 0;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(digits)}%`;
}

/** 4,512 tokens · 1.2M tokens */
export function formatTokens(n: number): string {
  return n >= 10_000_000 ? `${(n / 1e6).toFixed(1)}M tokens` : `${formatCount(n)} tokens`;
}

/** 2026-03-03 06:05:07 UTC */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What a metric measures, for headers: "p95 latency (ms)". */
export const METRIC_LABEL: Record<Metric, string> = {
  count: 'spans',
  errors: 'errors',
  error_rate: 'error rate (%)',
  latency_avg: 'mean latency (ms)',
  latency_p50: 'p50 latency (ms)',
  latency_p95: 'p95 latency (ms)',
  latency_p99: 'p99 latency (ms)',
  cost: 'cost (USD)',
  cost_per_call: 'cost per call (USD)',
  tokens: 'tokens',
  tokens_input: 'input tokens',
  tokens_output: 'output tokens',
  tokens_per_call: 'tokens per call',
  confidence_avg: 'mean confidence (0–1)',
};

/** One value of `metric` with its unit: 1,240 ms · 3.2% · $0.0123 · 812 tokens. */
export function formatMetric(metric: Metric | string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  switch (metric) {
    case 'error_rate':
      return formatPct(v);
    case 'latency_avg':
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
      return formatMs(v);
    case 'cost':
    case 'cost_per_call':
      return formatUsd(v);
    case 'tokens':
    case 'tokens_input':
    case 'tokens_output':
    case 'tokens_per_call':
      return formatTokens(v);
    case 'confidence_avg':
      return v.toFixed(2);
    case 'count':
      return `${formatCount(v)} spans`;
    case 'errors':
      return `${formatCount(v)} errors`;
    default:
      return Number.isInteger(v) ? formatCount(v) : String(Number(v.toPrecision(4)));
  }
}
