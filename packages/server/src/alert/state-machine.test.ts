import { describe, expect, it } from 'vitest';
import { ruleSchema } from './rule.js';
import type { Verdict } from './judge.js';
import { step, type AlertState } from './state-machine.js';

const rule = ruleSchema.parse({ id: 'r', name: 'R', metric: 'error_rate', condition: { type: 'above', value: 0.5 }, forEvaluations: 2, clearEvaluations: 2 });
const verdict = (breach: boolean, clear: boolean): Verdict => ({ value: 1, samples: 50, breach, clear, threshold: 0.5, exitThreshold: 0.375, band: null, sigma: null, reason: '' });

function run(seq: [boolean, boolean][]): (string | null)[] {
  let s: AlertState | undefined;
  return seq.map(([breach, clear], i) => {
    const r = step(s, { id: 'a', project: 'p', rule, labels: { agent: 'x' }, groupKey: '["x"]', verdict: verdict(breach, clear), baseline: null, now: i * 30_000 });
    s = r.state;
    return `${r.state.status}${r.transition ? `(${r.transition})` : ''}`;
  });
}

describe('alert state machine', () => {
  it('goes ok → pending → firing → resolved, firing only after forEvaluations and resolving after clearEvaluations', () => {
    expect(run([[true, false], [true, false], [true, false], [false, true], [false, true], [false, true]])).toEqual([
      'pending(pending)',
      'firing(firing)',
      'firing',
      'firing',
      'resolved(resolved)',
      'resolved',
    ]);
  });

  it('cancels a pending alert whose breach does not hold', () => {
    expect(run([[true, false], [false, false], [true, false], [true, false]])).toEqual(['pending(pending)', 'ok(cancelled)', 'pending(pending)', 'firing(firing)']);
  });

  it('stays firing while the value sits between the exit and entry thresholds (hysteresis)', () => {
    // breach=false, clear=false: below the entry threshold but not back past the exit threshold.
    expect(run([[true, false], [true, false], [false, false], [false, false], [false, true], [false, false], [false, true], [false, true]])).toEqual([
      'pending(pending)',
      'firing(firing)',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'resolved(resolved)',
    ]);
  });

  it('fires again from resolved, with a fresh notification flag', () => {
    let s: AlertState | undefined;
    const at = (breach: boolean, clear: boolean, now: number) => {
      const r = step(s, { id: 'a', project: 'p', rule: { ...rule, forEvaluations: 1, clearEvaluations: 1 }, labels: {}, groupKey: '[]', verdict: verdict(breach, clear), baseline: null, now });
      s = r.state;
      return r;
    };
    at(true, false, 0);
    s!.notified = true;
    at(false, true, 1);
    const again = at(true, false, 2);
    expect([again.transition, again.state.fired_at, again.state.notified, again.state.resolved_at]).toEqual(['firing', 2, false, null]);
  });
});
