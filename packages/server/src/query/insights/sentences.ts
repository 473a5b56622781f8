// One-line descriptions of changes, with numbers: what a human reads in a finding.

import type { Dimension } from '../../model/span.js';
import { formatChange, formatMs, formatPct, formatTokens, formatUsd } from '@sightline/api';
import type { BandMetric } from './bucket-scores.js';

export interface Change {
  dimension: Dimension;
  group: string;
  metric: BandMetric;
  value: number;
  expected: number;
  sigma: number;
  p: number | null;
}

const LABEL: Record<BandMetric, string> = {
  error_rate: 'error rate',
  latency_p50: 'p50 latency',
  latency_p95: 'p95 latency',
  latency_p99: 'p99 latency',
  latency_avg: 'mean latency',
  cost_per_call: 'cost per call',
  tokens_per_call: 'tokens per call',
  confidence_avg: 'mean confidence',
};

const sig = (s: number) => `${Math.abs(s).toFixed(1)}σ`;

export function formatP(p: number): string {
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

function subject(c: Change): string {
  // Plain words: these sentences land in the dashboard, notifications and the CLI, where markup
  // such as backticks around a decision would be printed as is.
  return `${LABEL[c.metric]} of ${c.dimension.replace('_', ' ')} ${c.group}`;
}

const relative = (c: Change) => (c.expected === 0 ? 'from 0' : formatChange(c.value / c.expected - 1));

/**
 * @example describeChange({ dimension: 'model', group: 'gpt-4o', metric: 'latency_p95', value: 1010, expected: 800, sigma: 3.4, p: null })
 *   // "p95 latency of model gpt-4o +210 ms (800 ms → 1.01 s, 3.4σ)"
 */
export function describeChange(c: Change): string {
  const up = c.value >= c.expected;
  switch (c.metric) {
    case 'error_rate':
      return `${subject(c)} ${up ? 'rose' : 'fell'} ${formatPct(c.expected)} → ${formatPct(c.value)} (${c.p === null ? sig(c.sigma) : formatP(c.p)})`;
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
    case 'latency_avg':
      return `${subject(c)} ${up ? '+' : '−'}${formatMs(Math.abs(c.value - c.expected))} (${formatMs(c.expected)} → ${formatMs(c.value)}, ${sig(c.sigma)})`;
    case 'cost_per_call':
      return `${subject(c)} ${relative(c)} (${formatUsd(c.expected)} → ${formatUsd(c.value)}, ${sig(c.sigma)})`;
    case 'tokens_per_call':
      return `${subject(c)} ${relative(c)} (${formatTokens(c.expected)} → ${formatTokens(c.value)}, ${sig(c.sigma)})`;
    case 'confidence_avg':
      return `${subject(c)} ${up ? 'rose' : 'fell'} ${c.expected.toFixed(2)} → ${c.value.toFixed(2)} (${sig(c.sigma)})`;
  }
}

/** "2025-03-03 06:00–06:30 UTC" (the end's date too when it differs). */
export function describeWindow(from: number, to: number): string {
  const a = new Date(from).toISOString();
  const b = new Date(to).toISOString();
  const sameDay = a.slice(0, 10) === b.slice(0, 10) || b.slice(11, 16) === '00:00';
  return `${a.slice(0, 10)} ${a.slice(11, 16)}–${sameDay ? '' : `${b.slice(0, 10)} `}${b.slice(11, 16)} UTC`;
}
