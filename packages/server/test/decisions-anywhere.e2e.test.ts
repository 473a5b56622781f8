// Decisions in the article's shape, end to end: `llm_call` events carrying `decision_made` (its
// log_inference), no `decision` spans at all. Two days of that traffic through the real server
// over HTTP (in process, so the alert engine's clock is injected), then an error spike on one
// decision and a decision never seen before: the built-in error_rate and new_decision rules fire
// within their documented time (alert/README.md), and the APIs the dashboard's decision pages
// read show both. Then the same choice recorded on an llm_call and again as its own decision span
// (children first, in another request): counted once.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 4, 5, 0, 0);
/** Where the history ends and the evaluated hours begin. */
const S = T0 + 2 * DAY;
const SPIKE = S + 10 * MINUTE;
const NOVEL = S + 40 * MINUTE;
const ADMIN = 'sl_admin_decisions_e2e_0123456789abcdef';
const DECISIONS = ['refund', 'refund', 'refund', 'refund', 'escalate', 'escalate', 'escalate', 'answer', 'answer', 'answer'];

/** One minute of the support agent's LLM calls, as the article logs them: ten a minute, 2 % errors. */
function minuteOfCalls(minute: number): Record<string, unknown>[] {
  const n = (minute - T0) / MINUTE;
  return DECISIONS.map((base, i) => {
    const k = n * DECISIONS.length + i;
    let decision = base;
    // From NOVEL on, two answers a minute become a decision never made before.
    if (minute >= NOVEL && i >= 8) decision = 'offer_store_credit';
    const spiking = decision === 'refund' && minute >= SPIKE && minute < SPIKE + 30 * MINUTE;
    const failed = spiking ? i % 4 !== 0 : k % 50 === 0;
    return {
      agent_id: 'support-bot',
      span_type: 'llm_call',
      timestamp: minute + i * 5_000,
      model: 'gpt-4o',
      tokens_input: 1200 + (k % 7) * 10,
      tokens_output: 80 + (k % 5),
      latency_ms: 600 + (k % 11) * 20,
      decision_made: decision,
      confidence: 0.8,
      ...(failed && { error: { type: 'tool_error', message: 'refund API returned 500' } }),
    };
  });
}

describe('decisions made on llm_call events', () => {
  let now = S;
  let dataDir: string;
  let sightline: RunningSightline;
  const fired: { rule: string; labels: Record<string, string | null>; at: number }[] = [];

  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${sightline.url}${path}`, { key: ADMIN, ...opts });
  const ingest = async (events: Record<string, unknown>[]) => {
    for (let i = 0; i < events.length; i += 5000) {
      const r = await api('/v1/events', { body: events.slice(i, i + 5000) });
      expect([r.status, r.body.rejected]).toEqual([200, []]);
    }
  };
  /** Minute by minute to `until`: that minute's calls, then an evaluation one minute later (the engine reads the past). */
  const runUntil = async (until: number) => {
    for (; now < until; now += MINUTE) {
      await ingest(minuteOfCalls(now));
      const r = await api('/api/alerts/evaluate', { method: 'POST' });
      expect(r.status).toBe(200);
      for (const t of r.body.transitions) if (t.transition === 'firing') fired.push({ rule: t.rule_id, labels: t.labels, at: now + MINUTE });
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-decisions-e2e-'));
    // The timer never fires during the test: evaluation is driven through the API.
    const config = loadConfig({ flags: { port: 0, data: dataDir, adminKey: ADMIN, alerts: { intervalMs: HOUR } } });
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
    const history: Record<string, unknown>[] = [];
    for (let m = T0; m < S; m += MINUTE) history.push(...minuteOfCalls(m));
    await ingest(history);
  }, 120_000);

  afterAll(async () => {
    await sightline?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires the built-in error_rate rule on the spiking decision within 6 minutes, and nothing before', async () => {
    await runUntil(SPIKE);
    expect(fired).toEqual([]);
    await runUntil(SPIKE + 20 * MINUTE);
    const errorRate = fired.filter((f) => f.rule === 'builtin.error_rate');
    expect(errorRate.map((f) => f.labels)).toEqual([{ agent: 'support-bot', decision: 'refund' }]);
    // Three refunds a minute, three in four failing: 5 samples (minSamples) after 2 minutes, then
    // two breaching evaluations (forEvaluations).
    expect(errorRate[0]!.at - SPIKE).toBeLessThanOrEqual(6 * MINUTE);
    const alerts = await api('/api/alerts?status=firing');
    expect(alerts.body.alerts.map((a: { rule_id: string; labels: unknown }) => [a.rule_id, a.labels])).toEqual([
      ['builtin.error_rate', { agent: 'support-bot', decision: 'refund' }],
    ]);
  }, 300_000);

  it('fires new_decision on the first evaluation the new decision is seen three times', async () => {
    await runUntil(NOVEL + 10 * MINUTE);
    const novel = fired.filter((f) => f.rule === 'builtin.new_decision');
    expect(novel.map((f) => f.labels)).toEqual([{ agent: 'support-bot', decision: 'offer_store_credit' }]);
    // Two a minute: three seen after the second minute, judged at the next evaluation.
    expect(novel[0]!.at - NOVEL).toBeLessThanOrEqual(3 * MINUTE);
  }, 300_000);

  it('shows both on the decision pages: distribution, new decisions, error rate by decision, failing traces', async () => {
    const range = `from=${S}&to=${now}`;
    const report = await api(`/api/insights/decisions?${range}&interval=1h`);
    expect(report.status).toBe(200);
    expect(report.body.new_decisions.map((d: { agent: string; decision: string; count: number }) => [d.agent, d.decision, d.count])).toEqual([
      ['support-bot', 'offer_store_credit', 20],
    ]);
    const counts = Object.fromEntries(report.body.agents[0].decisions.map((d: { decision: string; count: number }) => [d.decision, d.count]));
    const minutes = (now - S) / MINUTE;
    expect(counts).toEqual({ refund: 4 * minutes, escalate: 3 * minutes, answer: 3 * minutes - 20, offer_store_credit: 20 });
    // The dashboard's "decision share" and the fleet view's error rate by decision read these.
    const shares = await api(`/api/timeseries?metric=count&group_by=decision&has_decision=true&${range}&interval=1h`);
    expect(shares.body.series.map((s: { group: string }) => s.group).sort()).toEqual(['answer', 'escalate', 'offer_store_credit', 'refund']);
    const errors = await api(`/api/timeseries?metric=error_rate&group_by=decision&has_decision=true&from=${SPIKE}&to=${SPIKE + 30 * MINUTE}&interval=10m`);
    const rate = Object.fromEntries(errors.body.series.map((s: { group: string; points: [number, number][] }) => [s.group, s.points.map((p) => p[1])]));
    expect(rate).toEqual({ refund: [0.75, 0.75, 0.75], escalate: [0, 0, 0], answer: [0, 0, 0] });
    const failing = await api(`/api/traces?decision=refund&errors=1&from=${SPIKE}&to=${SPIKE + MINUTE}`);
    expect(failing.body.traces).toHaveLength(3);
  });

  it('counts a choice recorded on an llm_call and again as its child decision span once, whichever arrives first', async () => {
    const at = now;
    const call = (trace: string) => ({ agent_id: 'dup-bot', trace_id: trace, span_id: `${trace}-call`, span_type: 'llm_call', timestamp: at, model: 'gpt-4o', decision_made: 'refund', confidence: 0.9 });
    const decision = (trace: string) => ({ agent_id: 'dup-bot', trace_id: trace, span_id: `${trace}-decision`, parent_span_id: `${trace}-call`, span_type: 'decision', timestamp: at + 10, decision_made: 'refund', confidence: 0.9 });
    // Child first, parent in a later request (revised when the parent commits) …
    await ingest([decision('dup-1')]);
    await ingest([call('dup-1')]);
    // … and parent first (attributed before it is stored).
    await ingest([call('dup-2')]);
    await ingest([decision('dup-2')]);
    const rows = await api(`/api/timeseries?metric=count&group_by=decision&has_decision=true&agent=dup-bot&from=${at}&to=${at + MINUTE}&interval=1m`);
    expect(rows.body.series.map((s: { group: string; points: [number, number][] }) => [s.group, s.points.map((p) => p[1])])).toEqual([['refund', [2]]]);
    for (const trace of ['dup-1', 'dup-2']) {
      const t = await api(`/api/traces/${trace}`);
      expect(t.body.spans.map((s: { span_type: string; decision_made: string | null; attributes: Record<string, unknown> }) => [s.span_type, s.decision_made, s.attributes['sightline.decision_repeats_parent'] ?? null])).toEqual([
        ['llm_call', 'refund', null],
        ['decision', null, 'refund'],
      ]);
    }
    const found = await api(`/api/traces?agent=dup-bot&from=${at}&to=${at + MINUTE}`);
    expect(found.body.traces.map((t: { trace_id: string; decisions: string[] }) => [t.trace_id, t.decisions]).sort()).toEqual([['dup-1', ['refund']], ['dup-2', ['refund']]]);
  });
});
