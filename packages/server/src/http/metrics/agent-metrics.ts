// Agents' business metrics for Prometheus, per project × agent × model × span type (× decision
// where configured), fed by every group commit. Names follow the OpenTelemetry GenAI semantic
// conventions where one exists (gen_ai.client.token.usage, gen_ai.client.operation.duration, with
// their advised bucket boundaries); the rest are sightline_agent_*. A cardinality cap admits at most
// `maxSeries` label sets; spans of any further label set are counted, not recorded.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Span } from '../../model/span.js';

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
  const tokenUsage = new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Input and output tokens per LLM call (GenAI semantic conventions: gen_ai.client.token.usage).',
    labelNames: [...keyLabels, 'token_type'],
    buckets: TOKEN_USAGE_BUCKETS,
    registers,
  });
  const duration = new Histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Span latency in seconds (GenAI semantic conventions: gen_ai.client.operation.duration).',
    labelNames: keyLabels,
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

  return {
    record(spans) {
      for (const s of spans) {
        const labels: KeyLabels = { project: s.project, agent: s.agent_id, model: s.model ?? '', span_type: s.span_type };
        const decision = decisionFor(s);
        if (decision !== undefined) labels.decision = decision;
        const key = `${labels.project}\u0000${labels.agent}\u0000${labels.model}\u0000${labels.span_type}\u0000${decision ?? ''}`;
        if (!admitted.has(key)) {
          if (admitted.size >= opts.maxSeries) {
            droppedSpans.inc();
            if (!dropped.has(key) && dropped.size < MAX_REMEMBERED_DROPS) {
              dropped.add(key);
              droppedSeries.inc();
            }
            continue;
          }
          admitted.add(key);
          // Counters start at zero so rate() and increase() see the first error.
          errorsTotal.inc(labels, 0);
        }
        spansTotal.inc(labels);
        if (s.error_type !== null || s.error_message !== null) errorsTotal.inc(labels);
        for (const [type, field] of TOKEN_TYPES) {
          if (s[field] > 0) tokensTotal.inc({ ...labels, token_type: type }, s[field]);
        }
        if (s.cost_usd !== null && s.cost_usd > 0) costTotal.inc(labels, s.cost_usd);
        if (s.model !== null) {
          tokenUsage.observe({ ...labels, token_type: 'input' }, s.tokens_input);
          tokenUsage.observe({ ...labels, token_type: 'output' }, s.tokens_output);
        }
        duration.observe(labels, s.latency_ms / 1000);
      }
    },
  };
}
