// One-line descriptions of changes, with numbers: what a human reads in a finding.

import type { Dimension } from '../../model/span.js';
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

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sig = (s: number) => `${Math.abs(s).toFixed(1)}σ`;

export function formatP(p: number): string {
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

function subject(c: Change): string {
  const name = c.dimension === 'decision' ? `\`${c.group}\`` : c.group;
  return `${LABEL[c.metric]} of ${c.dimension.replace('_', ' ')} ${name}`;
}

/**
 * @example describeChange({ dimension: 'model', group: 'gpt-4o', metric: 'latency_p95', value: 1010, expected: 800, sigma: 3.4, p: null })
 *   // "p95 latency of model gpt-4o +210 ms (800 → 1,010 ms, 3.4σ)"
 */
export function describeChange(c: Change): string {
  const up = c.value >= c.expected;
  switch (c.metric) {
    case 'error_rate':
      return `${subject(c)} ${up ? 'rose' : 'fell'} ${pct(c.expected)} → ${pct(c.value)} (${c.p === null ? sig(c.sigma) : formatP(c.p)})`;
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
    case 'latency_avg':
      return `${subject(c)} ${up ? '+' : '−'}${int(Math.abs(c.value - c.expected))} ms (${int(c.expected)} → ${int(c.value)} ms, ${sig(c.sigma)})`;
    case 'cost_per_call':
      return `${subject(c)} ${up ? '+' : '−'}${pct(Math.abs(c.value / c.expected - 1))} ($${c.expected.toPrecision(3)} → $${c.value.toPrecision(3)}, ${sig(c.sigma)})`;
    case 'tokens_per_call':
      return `${subject(c)} ${up ? '+' : '−'}${pct(Math.abs(c.value / c.expected - 1))} (${int(c.expected)} → ${int(c.value)}, ${sig(c.sigma)})`;
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
