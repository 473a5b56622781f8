import { describe, expect, it } from 'vitest';
import { describeChange, describeWindow, formatP } from './sentences.js';

describe('finding sentences', () => {
  it('writes each kind of change with its numbers', () => {
    expect(describeChange({ dimension: 'model', group: 'gpt-4o', metric: 'latency_p95', value: 1010, expected: 800, sigma: 3.4, p: null })).toBe(
      'p95 latency of model gpt-4o +210 ms (800 ms → 1.01 s, 3.4σ)',
    );
    expect(describeChange({ dimension: 'decision', group: 'refund', metric: 'error_rate', value: 0.173, expected: 0.021, sigma: 9, p: 1e-9 })).toBe(
      'error rate of decision refund rose 2.1% → 17.3% (p<0.001)',
    );
    expect(describeChange({ dimension: 'model', group: 'gpt-4o', metric: 'cost_per_call', value: 0.03, expected: 0.01, sigma: 5.04, p: null })).toBe(
      'cost per call of model gpt-4o +200% ($0.01 → $0.03, 5.0σ)',
    );
    expect(describeChange({ dimension: 'agent', group: 'triage', metric: 'tokens_per_call', value: 1200, expected: 800, sigma: 4, p: null })).toBe(
      'tokens per call of agent triage +50% (800 tokens → 1,200 tokens, 4.0σ)',
    );
    expect(formatP(0.0123)).toBe('p=0.012');
  });
  it('writes a time window', () => {
    expect(describeWindow(Date.UTC(2025, 2, 3, 14, 5), Date.UTC(2025, 2, 3, 14, 20))).toBe('2025-03-03 14:05–14:20 UTC');
    expect(describeWindow(Date.UTC(2025, 2, 3, 23, 0), Date.UTC(2025, 2, 4, 0, 0))).toBe('2025-03-03 23:00–00:00 UTC');
  });
});
