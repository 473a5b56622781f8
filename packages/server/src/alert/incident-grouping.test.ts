import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from './builtin-rules.js';
import { groupIncidents, type RuleView } from './incident-grouping.js';
import type { Incident } from './incident.js';
import { describeIncident } from './incident-text.js';
import type { AlertState, AlertStatus } from './state-machine.js';

const MINUTE = 60_000;
const T = Date.UTC(2025, 2, 3, 9, 14);
const cost = BUILTIN_RULES.find((r) => r.id === 'builtin.cost_per_inference')!;
const latency = BUILTIN_RULES.find((r) => r.id === 'builtin.latency_p95')!;
const errors = BUILTIN_RULES.find((r) => r.id === 'builtin.error_rate')!;
const AGENTS = Array.from({ length: 12 }, (_, i) => `agent-${i + 1}`);

function alert(ruleId: string, labels: Record<string, string>, status: AlertStatus, value: number, baseline: number, startedAt = T): AlertState {
  return {
    id: `${ruleId}:${JSON.stringify(labels)}`,
    project: 'p',
    rule_id: ruleId,
    rule_name: ruleId,
    severity: ruleId === 'builtin.error_rate' ? 'critical' : 'warning',
    labels,
    group_key: JSON.stringify(Object.values(labels)),
    status,
    since: startedAt,
    streak: 1,
    baseline: { mean: baseline, unitSigma: 0, samples: 1000, hours: 24 },
    value,
    threshold: null,
    exit_threshold: null,
    band: null,
    samples: 60,
    started_at: startedAt,
    fired_at: status === 'firing' ? startedAt + 5 * MINUTE : null,
    resolved_at: null,
    last_evaluated_at: T,
    notified: false,
    last_notified_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    evidence: null,
  };
}

/** Every agent calls gpt-4o and claude; the groups in `breaching` breach, all others are judged quiet. */
function costView(breaching: (labels: Record<string, string>) => boolean): RuleView {
  const groups = AGENTS.flatMap((agent) => ['gpt-4o', 'claude'].map((model) => ({ labels: { agent, model }, judged: true, breach: breaching({ agent, model }) })));
  return { rule: cost, groups };
}

function run(states: AlertState[], views: RuleView[], incidents: Incident[] = [], now = T + 5 * MINUTE) {
  const r = groupIncidents({
    project: 'p',
    now,
    correlationMs: 30 * MINUTE,
    incidents,
    states: new Map(states.map((s) => [s.id, s])),
    views: new Map(views.map((v) => [v.rule.id, v])),
    newId: (lead) => `inc:${lead.id}`,
  });
  for (const inc of r.changed) describeIncident(inc, inc.lead_rule_id === cost.id ? cost.groupBy : inc.lead_rule_id === errors.id ? errors.groupBy : latency.groupBy, now);
  return r;
}

describe('incident grouping', () => {
  it('makes one incident of a model-wide cost rise across every agent, named by the model, with the figures', () => {
    // 3 agents already fire, 9 are pending: all twelve are in the first incident.
    const states = AGENTS.map((agent, i) => alert(cost.id, { agent, model: 'gpt-4o' }, i < 3 ? 'firing' : 'pending', 0.0084, 0.0042));
    const r = run(states, [costView((l) => l.model === 'gpt-4o')]);
    expect(r.opened.length).toBe(1);
    const inc = r.opened[0]!;
    expect([inc.scope, inc.cause, inc.members.length]).toEqual([{ model: 'gpt-4o' }, { dimension: 'model', value: 'gpt-4o', groups_judged: 12 }, 12]);
    expect(inc.title).toBe('cost per call of gpt-4o +100% ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC');
    expect(inc.explanation).toBe(
      'model gpt-4o explains it: 12 of 12 groups with it breach, while the same agents with other models stay inside their baselines.',
    );
  });

  it('does not name a dimension that does not explain the breach: other models of the same agents breach too', () => {
    // agent-1 and agent-2 breach on both models: the agent explains each pair, not the model.
    const states = ['agent-1', 'agent-2'].flatMap((agent) => ['gpt-4o', 'claude'].map((model) => alert(cost.id, { agent, model }, 'firing', 0.01, 0.005)));
    const r = run(states, [costView((l) => l.agent === 'agent-1' || l.agent === 'agent-2')]);
    expect(r.opened.map((i) => [i.scope, i.members.length, i.title])).toEqual([
      [{ agent: 'agent-1' }, 2, 'cost per call of agent-1 +100% ($0.005 → $0.01) across all 2 models since 09:14 UTC'],
      [{ agent: 'agent-2' }, 2, 'cost per call of agent-2 +100% ($0.005 → $0.01) across all 2 models since 09:14 UTC'],
    ]);
  });

  it('joins another rule on the same model in the same minutes, and keeps an unrelated cause apart', () => {
    const states = [
      ...AGENTS.map((agent) => alert(cost.id, { agent, model: 'gpt-4o' }, 'firing', 0.0084, 0.0042)),
      alert(latency.id, { model: 'gpt-4o' }, 'firing', 1900, 1200, T + 3 * MINUTE),
      alert(errors.id, { agent: 'agent-3', decision: 'refund' }, 'firing', 0.8, 0.02),
    ];
    const r = run(states, [costView((l) => l.model === 'gpt-4o'), { rule: latency, groups: [{ labels: { model: 'gpt-4o' }, judged: true, breach: true }] }, { rule: errors, groups: [] }]);
    expect(r.opened.map((i) => [i.scope, [...new Set(i.members.map((m) => m.rule_id))].sort(), i.members.length])).toEqual([
      [{ model: 'gpt-4o' }, [cost.id, latency.id], 13],
      [{ agent: 'agent-3', decision: 'refund' }, [errors.id], 1],
    ]);
    expect(r.opened[0]!.explanation).toBe(
      'model gpt-4o explains it: 12 of 12 groups with it breach, while the same agents with other models stay inside their baselines. also p95 latency of gpt-4o +58% (1.20 s → 1.90 s).',
    );
    expect(r.opened[1]!.title).toBe('error rate of agent-3 × decision refund +78 points (2.0% → 80.0%) since 09:14 UTC');
  });

  it('widens a single-group incident to its cause when more groups follow, and resolves when all left', () => {
    const first = alert(cost.id, { agent: 'agent-1', model: 'gpt-4o' }, 'firing', 0.0084, 0.0042);
    const r1 = run([first], [costView((l) => l.agent === 'agent-1' && l.model === 'gpt-4o')]);
    expect(r1.opened.map((i) => i.scope)).toEqual([{ agent: 'agent-1', model: 'gpt-4o' }]);
    const open = r1.opened;
    const more = AGENTS.slice(1, 6).map((agent) => alert(cost.id, { agent, model: 'gpt-4o' }, 'pending', 0.0084, 0.0042));
    const r2 = run([first, ...more], [costView((l) => l.model === 'gpt-4o' && AGENTS.indexOf(l.agent!) < 6)], open, T + 10 * MINUTE);
    expect([r2.opened.length, open[0]!.scope, open[0]!.members.length, open[0]!.title]).toEqual([
      0,
      { model: 'gpt-4o' },
      6,
      'cost per call of gpt-4o +100% ($0.0042 → $0.0084) across 6 of 12 agents since 09:14 UTC',
    ]);
    const gone = [first, ...more].map((s) => ({ ...s, status: 'resolved' as const }));
    const r3 = run(gone, [costView(() => false)], open, T + 40 * MINUTE);
    expect([r3.resolved.length, open[0]!.status, open[0]!.resolved_at, open[0]!.members.every((m) => m.left_at === T + 40 * MINUTE)]).toEqual([1, 'resolved', T + 40 * MINUTE, true]);
  });

  it('words an incident by how far it went: its last minutes back near the baseline do not become its title', () => {
    const at = (value: number, status: AlertStatus = 'firing') => AGENTS.map((agent) => alert(cost.id, { agent, model: 'gpt-4o' }, status, value, 0.0042));
    const view = costView((l) => l.model === 'gpt-4o');
    const open = run(at(0.0063), [view]).opened;
    expect(open[0]!.title).toBe('cost per call of gpt-4o +50% ($0.0042 → $0.0063) across all 12 agents since 09:14 UTC');
    // It gets worse, then recovers while the alerts are still firing (they resolve only after quiet evaluations).
    run(at(0.0084), [view], open, T + 10 * MINUTE);
    run(at(0.00417), [view], open, T + 20 * MINUTE);
    expect(open[0]!.title).toBe('cost per call of gpt-4o +100% ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC');
    expect(open[0]!.members.map((m) => [m.value, m.peak])).toEqual(AGENTS.map(() => [0.00417, { value: 0.0084, baseline: 0.0042, samples: 60 }]));
    const r = run(at(0.0042, 'resolved'), [costView(() => false)], open, T + 30 * MINUTE);
    expect([r.resolved.length, open[0]!.status, open[0]!.title]).toEqual([1, 'resolved', 'cost per call of gpt-4o +100% ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC']);
  });

  it('opens nothing while every breaching alert is still pending', () => {
    const states = AGENTS.map((agent) => alert(cost.id, { agent, model: 'gpt-4o' }, 'pending', 0.0084, 0.0042));
    const r = run(states, [costView((l) => l.model === 'gpt-4o')]);
    expect([r.opened.length, r.changed.size]).toEqual([0, 0]);
  });
});
