// Keeps the two GenAI client metrics Sightline uses (token usage and operation duration
// histograms) and explains everything else it drops.

import { MAX_INVALID_MESSAGES, type Attributes, type AttrValue, type InvalidItems, type OtlpMetric } from './types.js';

export const GENAI_METRICS = ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration'] as const;
export type GenAiMetricName = (typeof GENAI_METRICS)[number];

/** One histogram data point of a GenAI client metric, flattened for storage. */
export interface GenAiMetricPoint {
  metric: GenAiMetricName;
  /** `{token}` for token usage, `s` for duration. */
  unit: string;
  /** The resource's service.name (or "unknown_service"), the same fallback spans use for agent_id. */
  agent_id: string;
  /** End of the interval, ms since epoch. */
  timestamp: number;
  /** Start of the interval, ms since epoch (null when not sent). */
  start_timestamp: number | null;
  temporality: 'delta' | 'cumulative' | 'unspecified';
  /** gen_ai.operation.name, gen_ai.provider.name (or gen_ai.system), gen_ai.request.model / gen_ai.response.model, gen_ai.token.type, error.type … */
  attributes: Attributes;
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  bucket_counts: number[];
  explicit_bounds: number[];
}

export interface SelectedMetrics {
  points: GenAiMetricPoint[];
  /** Data points not kept, with one message per metric name. */
  dropped: InvalidItems;
}

const TEMPORALITY = ['unspecified', 'delta', 'cumulative'] as const;
const KEPT: ReadonlySet<string> = new Set(GENAI_METRICS);

function agentOf(resource: Attributes): string {
  const name: AttrValue | undefined = resource['service.name'];
  return typeof name === 'string' && name !== '' ? name : 'unknown_service';
}

function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1_000_000n);
}

/**
 * Splits decoded metrics into GenAI histogram points (kept) and everything else (dropped,
 * counted per data point and named once per metric).
 */
export function selectGenAiMetrics(metrics: OtlpMetric[]): SelectedMetrics {
  const points: GenAiMetricPoint[] = [];
  const dropped: InvalidItems = { count: 0, messages: [] };
  const droppedByName = new Map<string, { points: number; reason: string }>();
  for (const metric of metrics) {
    if (KEPT.has(metric.name) && metric.kind === 'histogram') {
      for (const p of metric.histogramPoints) {
        points.push({
          metric: metric.name as GenAiMetricName,
          unit: metric.unit,
          agent_id: agentOf(metric.resource),
          timestamp: nanosToMs(p.timeNanos),
          start_timestamp: p.startNanos === 0n ? null : nanosToMs(p.startNanos),
          temporality: TEMPORALITY[metric.temporality] ?? 'unspecified',
          attributes: p.attributes,
          count: p.count,
          sum: p.sum,
          min: p.min,
          max: p.max,
          bucket_counts: p.bucketCounts,
          explicit_bounds: p.explicitBounds,
        });
      }
      continue;
    }
    if (metric.pointCount === 0) continue;
    const reason = KEPT.has(metric.name) ? `must be a histogram, got ${metric.kind}` : 'not a GenAI client metric';
    const entry = droppedByName.get(metric.name) ?? { points: 0, reason };
    entry.points += metric.pointCount;
    droppedByName.set(metric.name, entry);
  }
  for (const [name, entry] of droppedByName) {
    dropped.count += entry.points;
    if (dropped.messages.length < MAX_INVALID_MESSAGES) {
      dropped.messages.push(`${name || '(unnamed)'}: ${entry.points} data point${entry.points === 1 ? '' : 's'} dropped (${entry.reason})`);
    }
  }
  return { points, dropped };
}

/** The partial-success message for dropped metrics: what was dropped and what Sightline keeps. */
export function droppedMetricsMessage(dropped: InvalidItems): string {
  return `Sightline keeps only the histograms ${GENAI_METRICS.join(' and ')}; ${dropped.messages.join('; ')}`;
}
