import { describe, expect, it } from 'vitest';
import { activeSilence, silenceMatches, type Silence } from './silences.js';

const silence = (over: Partial<Silence> = {}): Silence => ({
  id: 's1',
  project: 'p',
  matchers: {},
  starts_at: 100,
  ends_at: 200,
  created_by: 'k',
  comment: '',
  created_at: 0,
  ...over,
});
const alert = { project: 'p', rule_id: 'builtin.error_rate', labels: { agent: 'support-1', decision: 'refund' } };

describe('silences', () => {
  it('holds only between starts_at and ends_at', () => {
    expect([99, 100, 199, 200].map((t) => silenceMatches(silence(), alert, t))).toEqual([false, true, true, false]);
  });

  it('matches by rule and by every label matcher', () => {
    expect(silenceMatches(silence({ rule_id: 'builtin.error_rate', matchers: { agent: 'support-1' } }), alert, 150)).toBe(true);
    expect(silenceMatches(silence({ rule_id: 'builtin.latency_p95' }), alert, 150)).toBe(false);
    expect(silenceMatches(silence({ matchers: { agent: 'support-1', decision: 'search_kb' } }), alert, 150)).toBe(false);
    expect(silenceMatches(silence({ project: 'q' }), alert, 150)).toBe(false);
  });

  it('activeSilence returns the first covering silence', () => {
    const list = [silence({ id: 'a', matchers: { agent: 'x' } }), silence({ id: 'b' })];
    expect(activeSilence(list, alert, 150)?.id).toBe('b');
    expect(activeSilence(list, alert, 250)).toBeUndefined();
  });
});
