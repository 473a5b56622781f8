// The doctor's findings: each gap in a source's telemetry as one sentence with its numbers and the
// attribute (OTLP) or field (native events) that fills it.

import type { DoctorUnpricedModel } from '../../store/doctor-reads.js';
import { formatShareOf as percent } from '@sightline/api';
import { count, duration } from './format.js';
import type { DoctorFinding, DoctorSource, Transport } from './report-types.js';

/** Where each figure comes from, as the sender must write it (docs/otlp-mapping.md, docs/events.md). */
const HINTS: Record<'model' | 'tokens' | 'session' | 'decision' | 'cost', Record<'otlp' | 'native', string>> = {
  model: { otlp: 'set gen_ai.request.model', native: 'send model' },
  tokens: { otlp: 'set gen_ai.usage.input_tokens and gen_ai.usage.output_tokens', native: 'send tokens_input and tokens_output' },
  session: { otlp: 'set gen_ai.conversation.id (or session.id)', native: 'send session_id' },
  decision: { otlp: 'set sightline.decision on the call that chooses', native: 'send decision_made on the call that chooses' },
  cost: { otlp: 'set gen_ai.usage.cost', native: 'send cost_usd' },
};

/** A mixed source is told both names. */
function hint(topic: keyof typeof HINTS, transport: Transport): string {
  if (transport === 'mixed') return `${HINTS[topic].otlp} (native events: ${HINTS[topic].native})`;
  return HINTS[topic][transport];
}

/** Missing for a tenth of the calls or more is a problem; for fewer, a warning. */
const severityOf = (missing: number, of: number): DoctorFinding['severity'] => (missing * 10 >= of ? 'problem' : 'warning');

/** A span ending more than this after the server received it means the sender's clock runs ahead. */
export const AHEAD_MS = 1_000;
/** A median arrival later than this after the span's end means a clock behind, or an exporter holding spans. */
export const LATE_MS = 5 * 60_000;

function missingShare(s: DoctorSource, topic: 'model' | 'tokens' | 'session', have: number, what: string): DoctorFinding | null {
  const missing = s.llm_calls - have;
  if (missing <= 0) return null;
  return {
    severity: severityOf(missing, s.llm_calls),
    topic,
    source: s.label,
    count: missing,
    text: `${percent(missing, s.llm_calls)} of LLM calls from ${s.label} (${count(missing, 'call')} of ${s.llm_calls.toLocaleString('en-US')}) have no ${what}: ${hint(topic, s.transport)}`,
  };
}

function sourceFindings(s: DoctorSource, graceMs: number): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  if (s.llm_calls > 0) {
    for (const f of [
      missingShare(s, 'model', s.llm.with_model, 'model'),
      missingShare(s, 'tokens', s.llm.with_tokens, 'token counts'),
    ]) if (f !== null) out.push(f);
    if (s.llm.cost_unknown > 0) {
      out.push({
        severity: severityOf(s.llm.cost_unknown, s.llm_calls),
        topic: 'cost',
        source: s.label,
        count: s.llm.cost_unknown,
        text: `${percent(s.llm.cost_unknown, s.llm_calls)} of LLM calls from ${s.label} have no cost, for want of a model or token counts to price: ${hint('model', s.transport)} and the token counts, or ${hint('cost', s.transport)}`,
      });
    }
    const session = missingShare(s, 'session', s.llm.with_session, 'session');
    if (session !== null) out.push(session);
    // Decisions recorded as their own spans count: the source records decisions, only elsewhere.
    if (s.decisions === 0) {
      out.push({
        severity: 'info',
        topic: 'decision',
        source: s.label,
        count: s.llm_calls,
        text: `No span from ${s.label} records a decision (${count(s.llm_calls, 'LLM call')} in range): to see what your agent chose, ${hint('decision', s.transport)}`,
      });
    }
  }
  if (s.orphans > 0) {
    out.push({
      severity: severityOf(s.orphans, s.spans),
      topic: 'orphans',
      source: s.label,
      count: s.orphans,
      text: `${count(s.orphans, 'span')} from ${s.label} (${percent(s.orphans, s.spans)}) ${s.orphans === 1 ? 'names' : 'name'} a parent that never arrived (waited ${duration(graceMs)}): export the parent's service to Sightline too, or look for spans its exporter dropped`,
    });
  }
  if (s.arrival_ms.min < -AHEAD_MS) {
    out.push({
      severity: 'warning',
      topic: 'clock',
      source: s.label,
      count: s.ended_after_arrival,
      text: `${count(s.ended_after_arrival, 'span')} from ${s.label} ended after the server received them, by up to ${duration(-s.arrival_ms.min)}: its clock runs ahead; sync it with NTP`,
    });
  } else if (s.arrival_ms.median > LATE_MS) {
    out.push({
      severity: 'warning',
      topic: 'clock',
      source: s.label,
      count: s.spans,
      text: `Spans from ${s.label} arrive ${duration(s.arrival_ms.median)} after they end (median): its clock runs behind, or its exporter holds spans that long; sync the clock with NTP or export more often`,
    });
  }
  return out;
}

function priceFindings(models: readonly DoctorUnpricedModel[]): DoctorFinding[] {
  return models.map((m) => ({
    severity: 'warning' as const,
    topic: 'cost' as const,
    source: null,
    count: m.spans,
    text: `Model ${m.model}${m.provider === null ? '' : ` (${m.provider})`} has no price, so ${count(m.spans, 'span')} with ${count(m.tokens_input + m.tokens_output, 'token')} ${m.spans === 1 ? 'has' : 'have'} no cost: add it under prices in the config file, or send the cost with each call`,
  }));
}

function unreadFindings(rows: readonly { source: string; attribute: string; spans: number }[]): DoctorFinding[] {
  const bySource = new Map<string, { attribute: string; spans: number }[]>();
  for (const r of rows) {
    const list = bySource.get(r.source) ?? [];
    list.push(r);
    bySource.set(r.source, list);
  }
  return [...bySource].map(([source, list]) => ({
    severity: 'info' as const,
    topic: 'unread_attributes' as const,
    source,
    count: list.reduce((n, r) => Math.max(n, r.spans), 0),
    text: `Spans from ${source} carry attributes no mapping reads: ${list.slice(0, 5).map((r) => `${r.attribute} (${count(r.spans, 'span')})`).join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}; they stay plain attributes: if one holds a model, tokens, a session or a decision, send it under a name docs/otlp-mapping.md lists`,
  }));
}

const RANK: Record<DoctorFinding['severity'], number> = { problem: 0, warning: 1, info: 2 };

/** Every finding, problems first, then by how many spans or calls each concerns. */
export function findingsOf(
  sources: readonly DoctorSource[],
  unpriced: readonly DoctorUnpricedModel[],
  unread: readonly { source: string; attribute: string; spans: number }[],
  graceMs: number,
): DoctorFinding[] {
  const all = [...sources.flatMap((s) => sourceFindings(s, graceMs)), ...priceFindings(unpriced), ...unreadFindings(unread)];
  // Stable: equal findings keep source order (most spans first).
  return all.map((f, i) => ({ f, i })).sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || b.f.count - a.f.count || a.i - b.i).map((x) => x.f);
}
