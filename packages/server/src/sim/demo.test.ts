import { describe, expect, it } from 'vitest';
import { DEMO_CYCLE_MS, demoFleetConfig } from './demo.js';
import { createFleet } from './fleet.js';
import { simulate } from './simulate.js';

const START = Date.UTC(2025, 0, 6, 9, 0, 0);
const MINUTE = 60_000;

describe('demo fleet', () => {
  const fleet = createFleet(demoFleetConfig({ start: START }));

  it('shows an error spike, a latency regression and a new decision in the first ten minutes', () => {
    const first = fleet.incidents().filter((i) => i.start >= START && i.start < START + DEMO_CYCLE_MS);
    expect(first.map((i) => [i.kind, (i.start - START) / MINUTE, (i.end! - i.start) / MINUTE])).toEqual([
      ['error_spike', 3, 2],
      ['latency_regression', 6, 2],
      ['new_decision', 8, 2],
    ]);
    expect(first.map((i) => i.label)).toEqual([
      "error spike: 60% of 'refund' decisions fail",
      'latency regression: claude-sonnet-4-20250514 ×4',
      "new decision: 'offer_store_credit' appears (support-1)",
    ]);
  });

  it('repeats every ten minutes for a day, each new decision a new name', () => {
    const live = fleet.incidents().filter((i) => i.start >= START);
    expect(live.length).toBe(144 * 3);
    const names = live.flatMap((i) => (i.kind === 'new_decision' ? [i.decision] : []));
    expect(new Set(names).size).toBe(144);
  });

  it('puts three incidents in the last 24 hours of history', () => {
    expect(fleet.incidents().filter((i) => i.start < START).map((i) => [i.kind, (START - i.start) / MINUTE])).toEqual([
      ['cost_drift', 540],
      ['cohort_failure', 240],
      ['token_efficiency_drop', 120],
    ]);
  });

  it('leaves out incidents of agents a smaller fleet does not have', () => {
    const small = createFleet(demoFleetConfig({ start: START, agents: 2 }));
    expect(small.agents.map((a) => a.id)).toEqual(['support-1', 'research-1']);
    expect(small.incidents().filter((i) => i.start < START).map((i) => i.kind)).toEqual(['cost_drift', 'cohort_failure']);
  });

  it('sends 20–50 events per second', () => {
    for (const hour of [3, 15]) {
      const from = Date.UTC(2025, 0, 6, hour, 0, 0);
      let events = 0;
      for (const trace of simulate(fleet, { from, to: from + 10 * MINUTE })) events += trace.length;
      const perSecond = events / 600;
      expect(perSecond).toBeGreaterThan(20);
      expect(perSecond).toBeLessThan(50);
    }
  });
});
