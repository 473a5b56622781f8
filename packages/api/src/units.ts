// Numbers as a person (or a coding agent) reads them: each with its unit and sensible rounding.
// The one home of number formatting: the CLI's tables, the MCP tools, alert and incident texts,
// notifications and the dashboard (packages/web/src/format.ts re-exports it) all say "1.24 s",
// "12.1%" and "$0.0042" alike. Pure and dependency-free, in the API contract package so the server
// and the dashboard share one copy.

import type { ScoreKind } from './scores.js';

/** 1,234 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1 trace · 2 traces (nouns with a plain plural "s"). */
export function formatCountOf(n: number, noun: string): string {
  return `${formatCount(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** 812 · 12.3k · 4.5M: for KPI cards and axis ticks where a column of digits would not fit. */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100 || Number.isInteger(v)) return formatCount(v);
  return String(Number(v.toFixed(a >= 10 ? 1 : 2)));
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

/** A bucket width or a period: 1 min · 5 min · 1 h · 6 h · 1 d (a duration otherwise). */
export function formatInterval(ms: number): string {
  if (ms > 0 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatMs(ms);
}

/** $1,235 (whole dollars from $100) · $12.35 · $0.50 (cents from 10¢) · $0.0123 (three significant digits below) · $0 */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '−' : '';
  const a = Math.abs(usd);
  if (a >= 99.995) return `${sign}$${Math.round(a).toLocaleString('en-US')}`;
  if (a >= 0.1) return `${sign}$${a.toFixed(2)}`;
  return `${sign}$${Number(a.toPrecision(3))}`;
}

/** A share or rate 0..1 as 12.1% (0.04% below 1%, so a rare error does not read as 0.0%; never 100.0% for less than all). */
export function formatPct(share: number): string {
  const p = share * 100;
  if (p !== 0 && Math.abs(p) < 1) return `${p.toFixed(2)}%`;
  if (p >= 99.95 && p < 100) return '99.9%';
  return `${p.toFixed(1)}%`;
}

/**
 * `part` of `whole` as a percentage that never rounds a part to all or none: whole numbers from
 * 10%, one decimal below (and above 99%), never "0%" for a part above zero nor "100%" for less than all.
 * @example formatShareOf(42, 100) // → '42%'; formatShareOf(1, 3000) // → '0.1%'
 */
export function formatShareOf(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0%';
  if (part >= whole) return '100%';
  const p = (part / whole) * 100;
  if (p < 0.1) return '0.1%';
  if (p > 99) return `${Math.min(99.9, Math.floor(p * 10) / 10)}%`;
  return p < 10 ? `${Math.round(p * 10) / 10}%` : `${Math.round(p)}%`;
}

/** A relative change as +12% / −8.0% (one decimal below 10%, 265× when huge). */
export function formatChange(change: number): string {
  // Past +900% a factor reads better: "265×" rather than "+26391%".
  if (change >= 9) return `${Math.round(1 + change).toLocaleString('en-US')}×`;
  const p = change * 100;
  const digits = Math.abs(p) < 9.95 ? 1 : 0;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(digits)}%`;
}

/** A change of a rate in percentage points: +7.8 points · −12 points. */
export function formatPoints(from: number, to: number): string {
  const pts = (to - from) * 100;
  const a = Math.abs(pts);
  return `${pts >= 0 ? '+' : '−'}${a < 9.95 ? a.toFixed(1) : Math.round(a)} points`;
}

/** 4,512 tokens · 12.3M tokens */
export function formatTokens(n: number): string {
  return n >= 10_000_000 ? `${(n / 1e6).toFixed(1)}M tokens` : `${formatCount(n)} tokens`;
}

/** 2026-03-03 06:05:07 UTC */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "09:14 UTC", with the date when it is not the day of `ref`. */
export function formatClock(ms: number, ref: number): string {
  const a = new Date(ms).toISOString();
  const sameDay = a.slice(0, 10) === new Date(ref).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${a.slice(0, 10)} `}${a.slice(11, 16)} UTC`;
}

/** What a metric measures, for headers: "p95 latency (ms)". */
export const METRIC_LABEL = {
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
  token_efficiency: 'output tokens per input token',
  score_mean: 'mean score',
} as const satisfies Record<string, string>;

/** What a metric is called in a sentence: "p95 latency", "error rate". */
export const METRIC_NAME: Record<string, string> = {
  count: 'spans',
  errors: 'errors',
  error_rate: 'error rate',
  latency_avg: 'mean latency',
  latency_p50: 'p50 latency',
  latency_p95: 'p95 latency',
  latency_p99: 'p99 latency',
  cost: 'cost',
  cost_per_call: 'cost per call',
  tokens: 'tokens',
  tokens_input: 'input tokens',
  tokens_output: 'output tokens',
  tokens_per_call: 'tokens per call',
  confidence_avg: 'mean confidence',
  token_efficiency: 'output tokens per input token',
  score_mean: 'mean score',
};

/** "p95 latency" for a known metric, the metric's own name otherwise. */
export const metricName = (metric: string): string => METRIC_NAME[metric] ?? metric;

/** Metrics that are shares of 0..1: their values, bands and thresholds never leave [0, 1]. */
const SHARE_METRICS = new Set(['error_rate', 'confidence_avg']);

/**
 * The range a metric's value can take: every metric here is non-negative, rates and confidences
 * are at most 1. A band or threshold computed as mean ± kσ is clamped to it before anyone reads it.
 */
export function clampToMetric(metric: string, v: number): number {
  return Math.min(SHARE_METRICS.has(metric) ? 1 : Infinity, Math.max(0, v));
}

/** One value of `metric` with its unit: 1.24 s · 3.2% · $0.0123 · 812 tokens. */
export function formatMetric(metric: string, v: number | null | undefined): string {
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
    case 'token_efficiency':
    // A score is on the scale its sender chose (0–1, 1–5, thumbs as 1/0): two decimals, no unit.
    case 'score_mean':
      return v.toFixed(2);
    case 'count':
      return `${formatCount(v)} spans`;
    case 'errors':
      return `${formatCount(v)} errors`;
    default:
      return Number.isInteger(v) ? formatCount(v) : String(Number(v.toPrecision(4)));
  }
}

/** "12.1% – 18.0%": a band of `metric`, clamped to the values the metric can take. */
export function formatBand(metric: string, low: number, high: number): string {
  return `${formatMetric(metric, clampToMetric(metric, low))} – ${formatMetric(metric, clampToMetric(metric, high))}`;
}

/** A value against its baseline: "+100%" · "−35%" · for rates "+7.8 points" · "from 0". */
export function formatMetricChange(metric: string, value: number, base: number): string {
  if (metric === 'error_rate') return formatPoints(base, value);
  if (base === 0) return value === 0 ? '+0.0%' : 'from 0';
  return formatChange(value / base - 1);
}

/** A score's value: 0.83 · 4 · 1,250 (numbers to two decimals) · yes / no (booleans) · the label (categories); a labelled number "0.25 (poor)". */
export function formatScoreValue(kind: ScoreKind, value: number | null, label: string | null): string {
  if (kind === 'category' || value === null) return label ?? 'n/a';
  const shown = kind === 'boolean' ? (value >= 0.5 ? 'yes' : 'no') : Math.abs(value) >= 100 ? formatCount(value) : String(Number(value.toFixed(2)));
  return label === null || kind === 'boolean' ? shown : `${shown} (${label})`;
}

/** A mean of scores: 0.83 (numbers, always two decimals) · "82.0% yes" (booleans: the share of 1s) · n/a without one. */
export function formatScoreMean(kind: ScoreKind, mean: number | null): string {
  if (mean === null || !Number.isFinite(mean)) return 'n/a';
  if (kind === 'boolean') return `${formatPct(mean)} yes`;
  return Math.abs(mean) >= 100 ? formatCount(mean) : mean.toFixed(2);
}

/** A change of a mean: +0.12 / −0.05 (numbers) · +7.8 points (booleans, a change of the share of yes). */
export function formatScoreChange(kind: ScoreKind, change: number): string {
  if (kind === 'boolean') return formatPoints(0, change);
  return `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(2)}`;
}
