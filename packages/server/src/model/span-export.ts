// How spans leave Sightline: as ingest-format events (NDJSON, so export → import round-trips) and
// as CSV rows with a fixed header; and how a CSV row of that header becomes an event again.

import type { Span } from './span.js';

/** CSV columns, in order. `cost_source` is informative: import recomputes costs that were computed. */
export const CSV_COLUMNS = [
  'timestamp', 'agent_id', 'trace_id', 'span_id', 'parent_span_id', 'span_type', 'name', 'model', 'provider',
  'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning',
  'latency_ms', 'cost_usd', 'cost_source', 'decision_made', 'confidence', 'error_type', 'error_message',
  'session_id', 'user_id', 'attributes', 'input', 'output',
] as const;

type CsvColumn = (typeof CSV_COLUMNS)[number];

const NUMERIC: ReadonlySet<string> = new Set([
  'timestamp', 'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning',
  'latency_ms', 'cost_usd', 'confidence',
]);

/**
 * The event a client would send to produce this span. Nulls and empty attributes are left out;
 * a cost the server computed is left out too, so the importing server computes it the same way.
 */
export function spanToEvent(s: Span): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  for (const col of CSV_COLUMNS) {
    if (col === 'cost_source') continue;
    const v = s[col];
    if (v === null || v === undefined) continue;
    if (col === 'cost_usd' && s.cost_source !== 'given') continue;
    if (col === 'attributes' && Object.keys(s.attributes).length === 0) continue;
    e[col] = v;
  }
  return e;
}

export function spanToCsvValues(s: Span): (string | number | null)[] {
  return CSV_COLUMNS.map((col) => (col === 'attributes' ? JSON.stringify(s.attributes) : s[col]));
}

/**
 * A CSV record under `header` as an ingest event. Values that do not parse are passed on as text,
 * so the server's validation names the field and the problem, exactly as for an API call.
 */
export function csvRecordToEvent(header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  let costSource: string | undefined;
  header.forEach((col, i) => {
    const raw = fields[i];
    if (raw === undefined || raw === '') return;
    if (col === 'cost_source') {
      costSource = raw;
      return;
    }
    if (NUMERIC.has(col)) {
      const n = Number(raw);
      e[col] = Number.isFinite(n) && raw.trim() !== '' ? n : raw;
    } else if (col === 'attributes') {
      try {
        e[col] = JSON.parse(raw);
      } catch {
        e[col] = raw;
      }
    } else {
      e[col as CsvColumn] = raw;
    }
  });
  if (costSource !== undefined && costSource !== 'given') delete e.cost_usd;
  return e;
}
