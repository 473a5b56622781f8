// Agents' business metrics for Prometheus, per project × agent × model × span type (× decision
// where configured), fed by every group commit. Names follow the OpenTelemetry GenAI semantic
// conventions where one exists (gen_ai.client.token.usage, gen_ai.client.operation.duration, with
// their advised bucket boundaries); the rest are sightline_agent_*. A cardinality cap admits at most
// `maxSeries` label sets; spans of any further label set are counted, not recorded.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Span } from '../../model/span.js';
import { SeriesHistogram } from './series-histogram.js';

/** Advised boundaries of gen_ai.client.token.usage (GenAI semantic conventions), in tokens. */
export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Advised boundaries of gen_ai.client.operation.duration (GenAI semantic conventions), in seconds. */
export const OPERATION_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export interface AgentMetricsOptions {
  /** Most distinct label sets (project × agent × model × span type × decision) recorded. */
  maxSeries: number;
  /** Adds a `decision` label: for every agent (true), none (false) or the listed agent ids. */
  decisionLabel: boolean | string[];
}

export interface AgentMetrics {
  record(spans: readonly Span[]): void;
}

/** Label values of one series key; `project` decides which read keys see it (see onlyProject). */
/**
 * A stored value as a label value: control characters (a NUL, which the text format cannot carry
 * and scrapers choke on) written as \u escapes; prom-client escapes backslash, quote and newline.
 */
export function labelText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type KeyLabels = { project: string; agent: string; model: string; span_type: string; decision?: string };

const TOKEN_TYPES = [
  ['input', 'tokens_input'],
  ['output', 'tokens_output'],
  ['cache_read', 'tokens_cache_read'],
  ['cache_write', 'tokens_cache_write'],
  ['reasoning', 'tokens_reasoning'],
] as const;

/** Dropped label sets remembered to count each once; past this many, new ones are not counted again. */
const MAX_REMEMBERED_DROPS = 100_000;

export function createAgentMetrics(registry: Registry, opts: AgentMetricsOptions): AgentMetrics {
  const withDecision = opts.decisionLabel !== false;
  const keyLabels = ['project', 'agent', 'model', 'span_type', ...(withDecision ? ['decision'] : [])];
  const registers = [registry];
  const spansTotal = new Counter({ name: 'sightline_agent_spans_total', help: 'Committed spans.', labelNames: keyLabels, registers });
  const errorsTotal = new Counter({ name: 'sightline_agent_errors_total', help: 'Committed spans with an error.', labelNames: keyLabels, registers });
  const tokensTotal = new Counter({
    name: 'sightline_agent_tokens_total',
    help: 'Tokens by type; input includes cached input, as in the GenAI conventions.',
    labelNames: [...keyLabels, 'token_type'],
    registers,
  });
  const costTotal = new Counter({ name: 'sightline_agent_cost_usd_total', help: 'Cost in US dollars (given or computed from the price table).', labelNames: keyLabels, registers });
  const tokenUsage = new SeriesHistogram({
    name: 'gen_ai_client_token_usage',
    help: 'Input and output tokens per LLM call (GenAI semantic conventions: gen_ai.client.token.usage).',
    buckets: TOKEN_USAGE_BUCKETS,
    registers,
  });
  const duration = new SeriesHistogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Latency in seconds of spans with a model (GenAI semantic conventions: gen_ai.client.operation.duration).',
    buckets: OPERATION_DURATION_BUCKETS,
    registers,
  });
  const admitted = new Set<string>();
  const dropped = new Set<string>();
  new Gauge({ name: 'sightline_metrics_series', help: 'Label sets recorded by the agent metrics.', registers, collect() { this.set(admitted.size); } });
  new Gauge({ name: 'sightline_metrics_series_limit', help: 'Cap on label sets recorded by the agent metrics.', registers, collect() { this.set(opts.maxSeries); } });
  const droppedSeries = new Counter({ name: 'sightline_metrics_series_dropped_total', help: 'Label sets not recorded because the cap was reached.', registers });
  const droppedSpans = new Counter({ name: 'sightline_metrics_spans_dropped_total', help: 'Spans left out of the agent metrics because their label set was over the cap.', registers });

  const decisionFor = (s: Span): string | undefined => {
    if (!withDecision) return undefined;
    if (Array.isArray(opts.decisionLabel) && !opts.decisionLabel.includes(s.agent_id)) return '';
    return s.decision_made ?? '';
  };

  /** prom-client children of one admitted label set, resolved once (label hashing is the hot cost). */
  interface Series {
    spans: { inc(v?: number): void };
    errors: { inc(v?: number): void };
    tokens: { inc(v?: number): void }[];
    cost: { inc(v?: number): void };
    usageIn: { observe(v: number): void };
    usageOut: { observe(v: number): void };
    duration: { observe(v: number): void };
  }
  /**
   * Series by project → agent → model → span type → decision: five lookups of short strings a span,
   * cheaper than building and hashing one joined key (~0.5 µs a span on the HTTP thread).
   */
  const series = new Map<string, Map<string, Map<string, Map<string, Map<string, Series>>>>>();
  const level = <V>(m: Map<string, V>, k: string, make: () => V): V => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };

  const admit = (s: Span, decision: string): Series | null => {
    const known = series.get(s.project)?.get(s.agent_id)?.get(s.model ?? '')?.get(s.span_type)?.get(decision);
    if (known) return known;
    // JSON, not a separator character: ids may hold any character, NUL included.
    const key = JSON.stringify([s.project, s.agent_id, s.model, s.span_type, decision]);
    if (admitted.size >= opts.maxSeries) {
      if (!dropped.has(key) && dropped.size < MAX_REMEMBERED_DROPS) {
        dropped.add(key);
        droppedSeries.inc();
      }
      return null;
    }
    const labels: KeyLabels = { project: s.project, agent: labelText(s.agent_id), model: labelText(s.model ?? ''), span_type: s.span_type };
    if (withDecision) labels.decision = labelText(decision);
    admitted.add(key);
    const created: Series = {
      spans: spansTotal.labels(labels),
      errors: errorsTotal.labels(labels),
      tokens: TOKEN_TYPES.map(([type]) => tokensTotal.labels({ ...labels, token_type: type })),
      cost: costTotal.labels(labels),
      usageIn: tokenUsage.labels({ ...labels, token_type: 'input' }),
      usageOut: tokenUsage.labels({ ...labels, token_type: 'output' }),
      duration: duration.labels(labels),
    };
    // Counters start at zero so rate() and increase() see the first error.
    created.errors.inc(0);
    const byAgent = level(series, s.project, () => new Map());
    const byModel = level(byAgent, s.agent_id, () => new Map());
    const byType = level(byModel, s.model ?? '', () => new Map());
    level(byType, s.span_type, () => new Map()).set(decision, created);
    return created;
  };

  return {
    record(spans) {
      // Counters are summed per series over the batch and incremented once; histograms observe each span.
      const sums = new Map<Series, { spans: number; errors: number; tokens: number[]; cost: number }>();
      for (const s of spans) {
        const target = admit(s, decisionFor(s) ?? '');
        if (target === null) {
          droppedSpans.inc();
          continue;
        }
        let sum = sums.get(target);
        if (!sum) sums.set(target, (sum = { spans: 0, errors: 0, tokens: [0, 0, 0, 0, 0], cost: 0 }));
        sum.spans++;
        if (s.error_type !== null || s.error_message !== null) sum.errors++;
        TOKEN_TYPES.forEach(([, field], i) => (sum.tokens[i]! += s[field]));
        if (s.cost_usd !== null && s.cost_usd > 0) sum.cost += s.cost_usd;
        // GenAI client metrics describe model operations: spans without a model stay out.
        if (s.model !== null) {
          target.usageIn.observe(s.tokens_input);
          target.usageOut.observe(s.tokens_output);
          target.duration.observe(s.latency_ms / 1000);
        }
      }
      for (const [target, sum] of sums) {
        target.spans.inc(sum.spans);
        if (sum.errors > 0) target.errors.inc(sum.errors);
        sum.tokens.forEach((n, i) => n > 0 && target.tokens[i]!.inc(n));
        if (sum.cost > 0) target.cost.inc(sum.cost);
      }
    },
  };
}
