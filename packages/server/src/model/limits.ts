// Limits on what one ingest request and one event may carry. They bound memory and CPU per
// request and keep single rows small enough for fast columnar scans.

export interface IngestLimits {
  /** Largest request body after decompression, in bytes. */
  maxBodyBytes: number;
  /** Most events one request may carry. */
  maxEventsPerRequest: number;
  /** Longest id-like string, in characters: agent_id, trace/span ids, model, provider, decision, error type, session and user ids. */
  maxIdLength: number;
  /** Longest span name, in characters. */
  maxNameLength: number;
  /** Longest error message, in UTF-8 bytes; longer messages are truncated, not rejected. */
  maxErrorMessageLength: number;
  /** Most top-level keys in `attributes` (after unknown top-level fields are moved in). */
  maxAttributes: number;
  /** Deepest nesting of objects and arrays inside `attributes` (a flat attribute is depth 1). */
  maxAttributeDepth: number;
  /** Largest `attributes`, serialised as JSON, in UTF-8 bytes. */
  maxAttributesBytes: number;
  /** Largest `input` or `output`, in UTF-8 bytes; longer content is truncated, not rejected. */
  maxContentBytes: number;
  /** Whether `input`/`output` are stored at all. */
  captureContent: boolean;
  /** How far past the server clock a timestamp may be, in ms. */
  maxFutureSkewMs: number;
  /** Earliest accepted timestamp, ms since epoch. */
  minTimestamp: number;
  /** Largest token count in any tokens_* field. */
  maxTokens: number;
  /** Largest latency_ms. */
  maxLatencyMs: number;
  /** Largest cost_usd of one event, in USD. */
  maxCostUsd: number;
  /** Ingest body bytes being read, decoded and validated at once; past it new requests get 429 at the door. */
  maxIngestBytesInFlight?: number;
  /** Longest an ingest request may wait for its acknowledgement; the door refuses requests predicted to wait longer. */
  maxQueueDelayMs?: number;
}

export const DEFAULT_LIMITS: Readonly<IngestLimits> = Object.freeze({
  /** Holds 10,000 typical events (~1 KiB each) with room to spare, yet bounds memory per request. */
  maxBodyBytes: 16 * 1024 * 1024,
  /** SDKs flush every few hundred events; 10,000 allows bulk imports without unbounded batches. */
  maxEventsPerRequest: 10_000,
  /** UUIDs, W3C ids and model names are far shorter; longer values are almost always a bug (a prompt in the wrong field). */
  maxIdLength: 256,
  /** Names are labels on charts; a route or a tool name with arguments fits comfortably. */
  maxNameLength: 1024,
  /** Enough for a message and the top of a stack trace, without letting errors dominate storage. */
  maxErrorMessageLength: 8 * 1024,
  /** Cohort analysis needs tens of dimensions, not thousands; more is usually a map dumped by mistake. */
  maxAttributes: 128,
  /** Four levels covers `{ tool: { args: { ... } } }`; deeper trees are not queryable anyway. */
  maxAttributeDepth: 4,
  /** Attributes are stored on every row; 16 KiB keeps rows small for columnar scans. */
  maxAttributesBytes: 16 * 1024,
  /** Enough context to debug a call; full transcripts belong in a dedicated store. */
  maxContentBytes: 32 * 1024,
  /** Prompts and outputs can hold personal data: stored only when switched on. */
  captureContent: false,
  /** Clock drift is seconds; a day catches ms/µs mix-ups without rejecting skewed hosts. */
  maxFutureSkewMs: 24 * 60 * 60 * 1000,
  /** 2000-01-01T00:00:00Z: earlier values are nearly always seconds sent as milliseconds. */
  minTimestamp: Date.UTC(2000, 0, 1),
  /** A billion tokens in one call is beyond any context window; larger values are corrupt. */
  maxTokens: 1_000_000_000,
  /** One day: longer spans are almost always a start time sent as a duration. */
  maxLatencyMs: 24 * 60 * 60 * 1000,
  /** A million dollars for one call is beyond any price list (a billion output tokens of the dearest
   * model cost less than $100,000); larger values are corrupt, and a few 1e308s would turn every sum
   * (overview cost, the Prometheus cost counter) into Infinity. */
  maxCostUsd: 1_000_000,
});
