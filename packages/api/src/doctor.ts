// The telemetry doctor's report (GET /api/doctor): what `sightline doctor` prints and the
// dashboard's Doctor page shows. packages/server/src/query/doctor builds it.

/** How a source's spans arrived: all through OTLP, all as native events, or both. */
export type Transport = 'otlp' | 'native' | 'mixed';

export interface DoctorSource {
  /** Reads "service checkout (opentelemetry-instrumentation-openai 0.3)" or "agent support (sightline-sdk-js 0.1.0)". */
  label: string;
  service: string;
  scope: { name: string; version: string | null } | null;
  sdk: { name: string; version: string | null } | null;
  transport: Transport;
  spans: number;
  llm_calls: number;
  /** LLM calls with each property; shares are these over llm_calls. */
  llm: {
    with_model: number;
    with_tokens: number;
    cost_given: number;
    cost_computed: number;
    /** Model and tokens known, no price for the model. */
    cost_no_price: number;
    /** Neither given nor computable: no model or no tokens. */
    cost_unknown: number;
    with_session: number;
    with_decision: number;
  };
  /** Spans of any type recording a decision (decision spans included). */
  decisions: number;
  orphans: number;
  /** Server receipt minus span end, ms; negative: the span ended after it arrived (clock ahead). */
  arrival_ms: { min: number; median: number; max: number };
  ended_after_arrival: number;
}

export type FindingTopic = 'model' | 'tokens' | 'cost' | 'session' | 'decision' | 'orphans' | 'clock' | 'unread_attributes';

export interface DoctorFinding {
  /** problem: figures are wrong or missing for many calls; warning: for some; info: worth knowing. */
  severity: 'problem' | 'warning' | 'info';
  topic: FindingTopic;
  /** The source's label, or null for a finding about the project (a model without a price). */
  source: string | null;
  /** How many spans or calls it concerns. */
  count: number;
  /** One sentence: what is wrong, with numbers and units, then what to change. */
  text: string;
}

export interface DoctorUnpricedModel {
  model: string;
  provider: string | null;
  /** Spans with this model and tokens but cost_source none. */
  spans: number;
  tokens_input: number;
  tokens_output: number;
}

export interface DoctorOrphanExample {
  service: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string | null;
  timestamp: number;
}

export interface DoctorReport {
  project: string;
  from: number;
  to: number;
  /** Spans ingested less than this long ago are not called orphans yet. */
  grace_ms: number;
  /** Most spans first. */
  sources: DoctorSource[];
  /** Most urgent first. */
  findings: DoctorFinding[];
  unpriced_models: DoctorUnpricedModel[];
  /** OTLP attributes no mapping reads, most frequent first. */
  unread_attributes: { source: string; attribute: string; spans: number }[];
  orphans: { total: number; examples: DoctorOrphanExample[] };
}
