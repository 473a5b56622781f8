// One verdict per rule × group and evaluation: does the window value breach the threshold (to
// enter pending/firing), and is it back inside the exit threshold (to clear)? The exit threshold
// sits `hysteresis` of the way back towards the baseline, so a value hovering at the edge does not flap.

import { clampToMetric } from '@sightline/api';
import type { BaselineStats } from './figures.js';
import { binomialTailBound, windowSigma } from './figures.js';
import type { AlertRule } from './rule.js';

export interface Verdict {
  value: number | null;
  samples: number;
  breach: boolean;
  clear: boolean;
  /** Value beyond which the rule breaches; null for new_value rules and missing baselines. */
  threshold: number | null;
  exitThreshold: number | null;
  /** Baseline ± k σ of a window's value (k of the condition, 2 otherwise). */
  band: [number, number] | null;
  sigma: number | null;
  /** Why it did not breach, when it did not (for the API's "explain" and tests). */
  reason: string;
}

export interface WindowFigures {
  value: number | null;
  samples: number;
  errors: number;
}

const beyond = (direction: 'above' | 'below', v: number, t: number): boolean => (direction === 'above' ? v > t : v < t);

/** Judges a threshold-type rule (everything but new_value). */
export function judge(rule: AlertRule, w: WindowFigures, b: BaselineStats | null): Verdict {
  const c = rule.condition;
  const base = { value: w.value, samples: w.samples, threshold: null, exitThreshold: null, band: null, sigma: null };
  if (c.type === 'new_value') return { ...base, breach: false, clear: true, reason: 'new_value rules use judgeNew' };
  if (c.type === 'score_drop') return { ...base, breach: false, clear: true, reason: 'score_drop rules are judged by score-drop.ts' };
  const enough = w.samples >= rule.minSamples;
  if (c.type === 'above' || c.type === 'below') {
    const direction = c.type;
    const margin = rule.hysteresis * Math.abs(c.value);
    const exit = direction === 'above' ? c.value - margin : c.value + margin;
    const out = { ...base, threshold: c.value, exitThreshold: exit };
    if (w.value === null || !enough) return { ...out, breach: false, clear: true, reason: `${w.samples} samples < minSamples ${rule.minSamples}` };
    const breach = beyond(direction, w.value, c.value);
    return { ...out, breach, clear: !beyond(direction, w.value, exit), reason: breach ? '' : 'within threshold' };
  }
  // The fixed ceiling holds with or without a baseline; its exit sits `hysteresis` of it lower.
  const ceiling = rule.ceiling;
  const overCeiling = ceiling !== undefined && enough && w.value !== null && w.value > ceiling;
  const underCeilingExit = ceiling === undefined || w.value === null || w.value <= ceiling * (1 - rule.hysteresis);
  if (b === null || b.samples < rule.minBaselineSamples) {
    const reason = `baseline has ${b?.samples ?? 0} samples < minBaselineSamples ${rule.minBaselineSamples}`;
    if (ceiling === undefined) return { ...base, breach: false, clear: true, reason };
    const exit = ceiling * (1 - rule.hysteresis);
    return { ...base, threshold: ceiling, exitThreshold: exit, breach: overCeiling, clear: underCeilingExit, reason: overCeiling ? '' : `${reason}; within the ceiling ${ceiling}` };
  }
  const sigma = windowSigma(rule, b, Math.max(1, w.samples));
  const mu = b.mean;
  const direction = c.direction;
  const sign = direction === 'above' ? 1 : -1;
  let threshold: number;
  let gate = true;
  let gateReason = '';
  let k = 2;
  if (c.type === 'sigma') {
    k = c.k;
    const distance = Math.max(k * sigma, c.minDelta, c.minChange * Math.abs(mu));
    threshold = mu + sign * distance;
    if (c.maxPValue !== undefined && w.value !== null) {
      const p = Math.max(mu, 1e-6);
      const tail = binomialTailBound(w.errors, w.samples, Math.min(p, 1 - 1e-9));
      gate = tail < c.maxPValue;
      if (!gate) gateReason = `binomial tail bound ${tail.toPrecision(3)} ≥ maxPValue ${c.maxPValue}`;
    }
  } else {
    threshold = (mu * c.percent) / 100;
    if (c.confirmSigma > 0) k = c.confirmSigma;
    if (c.confirmSigma > 0 && w.value !== null) {
      gate = Math.abs(w.value - mu) >= c.confirmSigma * sigma;
      if (!gate) gateReason = `change is under ${c.confirmSigma} σ (σ = ${sigma.toPrecision(3)})`;
    }
  }
  const exitThreshold = mu + (threshold - mu) * (1 - rule.hysteresis);
  const out = { ...base, threshold, exitThreshold, band: [clampToMetric(rule.metric, mu - k * sigma), clampToMetric(rule.metric, mu + k * sigma)] as [number, number], sigma };
  if (w.value === null || !enough) return { ...out, breach: false, clear: true, reason: `${w.samples} samples < minSamples ${rule.minSamples}` };
  const over = beyond(direction, w.value, threshold);
  const breach = (over && gate) || overCeiling;
  const reason = breach ? '' : over ? gateReason : 'within threshold';
  return { ...out, breach, clear: !beyond(direction, w.value, exitThreshold) && underCeilingExit, reason };
}

/**
 * Judges a new_value rule: the group appears at least minSamples times in the window, never in the
 * baseline window, and its parent (the group without its last dimension, e.g. the agent) has enough
 * baseline history for "never" to mean something.
 */
export function judgeNew(rule: AlertRule, w: WindowFigures, seenInBaseline: number, parentBaseline: number): Verdict {
  const base = { value: w.samples, samples: w.samples, threshold: rule.minSamples, exitThreshold: 1, band: null, sigma: null };
  if (parentBaseline < rule.minBaselineSamples) {
    return { ...base, breach: false, clear: true, reason: `baseline has ${parentBaseline} samples < minBaselineSamples ${rule.minBaselineSamples}` };
  }
  if (seenInBaseline > 0) return { ...base, breach: false, clear: true, reason: `seen ${seenInBaseline} times in the baseline` };
  const breach = w.samples >= rule.minSamples;
  return { ...base, breach, clear: w.samples === 0, reason: breach ? '' : `${w.samples} samples < minSamples ${rule.minSamples}` };
}
