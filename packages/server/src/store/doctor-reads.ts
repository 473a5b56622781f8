// The telemetry doctor's one store read (src/query/doctor builds the report from it): per source,
// how complete its LLM calls are, its orphan spans and clock skew; models without a price; and the
// attribute names no OTLP mapping reads. A slice of the Store contract of its own.
//
// A span's source: service (resource.service.name, else agent_id), instrumentation scope
// (otel.scope.name / .version) and SDK (resource.telemetry.sdk.name / .version, else the native
// SDK's sightline.sdk mark, `name/version`). Reserved attributes: see docs/doctor.md.

import type { DoctorOrphanExample, DoctorUnpricedModel } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { DoctorOrphanExample, DoctorUnpricedModel };

export interface DoctorScan {
  project: string;
  /** Spans with timestamp in [from, to), ms. */
  from: number;
  to: number;
  /**
   * A span is an orphan when its parent is not stored and it was ingested at or before
   * `orphanIngestedBefore` (now minus the grace period, ms). Parents are looked for among the
   * trace's spans starting in [from - PARENT_LOOKBACK_MS, to + PARENT_LOOKBACK_MS).
   */
  orphanIngestedBefore: number;
  /** Most rows of `unpriced_models` and of `unread_attributes`. */
  limit: number;
}

/** Parents may start this long before the range (a long agent run) or after it (skewed clocks). */
export const PARENT_LOOKBACK_MS = 3_600_000;

/** Identifies where spans came from; null where the span did not say. */
export interface DoctorSourceKey {
  service: string;
  scope: string | null;
  scope_version: string | null;
  /** `name` for OTLP (telemetry.sdk.name), `name/version` for a Sightline SDK's native events. */
  sdk: string | null;
  sdk_version: string | null;
}

export interface DoctorSourceRow extends DoctorSourceKey {
  spans: number;
  /** Spans carrying the OTLP mapping's mark (sightline.read): the rest arrived as native events. */
  otlp_spans: number;
  llm_calls: number;
  /** LLM calls with a model; with input or output tokens; … */
  llm_with_model: number;
  llm_with_tokens: number;
  llm_cost_given: number;
  llm_cost_computed: number;
  /** Model and tokens known, but no price for the model. */
  llm_cost_no_price: number;
  llm_with_session: number;
  llm_with_decision: number;
  /** Spans of any type that record a decision (decision spans included). */
  with_decision: number;
  /** Spans whose parent never arrived (see DoctorScan.orphanIngestedBefore). */
  orphans: number;
  /** ingested_at − span end (timestamp + latency_ms), ms: min, lower median, max. Negative: the span ended "after" it arrived. */
  arrival_min_ms: number;
  arrival_median_ms: number;
  arrival_max_ms: number;
  /** Spans that ended after the server received them (a clock running ahead). */
  ended_after_arrival: number;
}

export interface DoctorUnreadAttribute extends DoctorSourceKey {
  attribute: string;
  /** OTLP spans carrying it. */
  spans: number;
}

export interface DoctorFigures {
  /** Ordered by spans descending, then the key fields (byte order, nulls first). */
  sources: DoctorSourceRow[];
  /** Ordered by spans descending, then model, then provider. */
  unpriced_models: DoctorUnpricedModel[];
  /** Ordered by spans descending, then attribute, then the key fields. */
  unread_attributes: DoctorUnreadAttribute[];
  /** Up to five orphans, newest first (then by span id). */
  orphan_examples: DoctorOrphanExample[];
}

/** The doctor's slice of the Store contract (store.ts extends it). */
export interface DoctorReads {
  /**
   * Everything the doctor reports about one project's spans in [from, to), read from raw spans.
   * @example const figures = await store.doctorScan({ project, from, to, orphanIngestedBefore: now - 60_000, limit: 20 });
   */
  doctorScan(q: DoctorScan): Promise<DoctorFigures>;
}
