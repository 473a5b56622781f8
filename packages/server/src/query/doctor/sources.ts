// A store's per-source figures as the report's sources: SDK name and version split apart, a label
// a person recognises, counts grouped by what they say about LLM calls.

import type { DoctorSourceKey, DoctorSourceRow } from '../../store/doctor-reads.js';
import type { DoctorSource, Transport } from './report-types.js';

/** A native SDK's mark is `name/version`; OTLP's telemetry.sdk.name has its version apart. */
function sdkOf(key: DoctorSourceKey): DoctorSource['sdk'] {
  if (key.sdk === null) return null;
  if (key.sdk_version !== null) return { name: key.sdk, version: key.sdk_version };
  const slash = key.sdk.indexOf('/');
  return slash > 0 ? { name: key.sdk.slice(0, slash), version: key.sdk.slice(slash + 1) } : { name: key.sdk, version: null };
}

const named = (x: { name: string; version: string | null }): string => (x.version === null ? x.name : `${x.name} ${x.version}`);

function transportOf(row: DoctorSourceRow): Transport {
  if (row.otlp_spans === row.spans) return 'otlp';
  return row.otlp_spans === 0 ? 'native' : 'mixed';
}

/**
 * "service checkout (opentelemetry-instrumentation-openai 0.3)": the instrumentation scope names
 * what produced the spans better than the SDK under it; native events name their agent.
 */
export function sourceLabel(key: DoctorSourceKey, transport: Transport): string {
  const scope = key.scope === null ? null : { name: key.scope, version: key.scope_version };
  const by = scope ?? sdkOf(key);
  const noun = transport === 'native' ? 'agent' : 'service';
  return by === null ? `${noun} ${key.service}` : `${noun} ${key.service} (${named(by)})`;
}

export function toSource(row: DoctorSourceRow): DoctorSource {
  const transport = transportOf(row);
  return {
    label: sourceLabel(row, transport),
    service: row.service,
    scope: row.scope === null ? null : { name: row.scope, version: row.scope_version },
    sdk: sdkOf(row),
    transport,
    spans: row.spans,
    llm_calls: row.llm_calls,
    llm: {
      with_model: row.llm_with_model,
      with_tokens: row.llm_with_tokens,
      cost_given: row.llm_cost_given,
      cost_computed: row.llm_cost_computed,
      cost_no_price: row.llm_cost_no_price,
      cost_unknown: row.llm_calls - row.llm_cost_given - row.llm_cost_computed - row.llm_cost_no_price,
      with_session: row.llm_with_session,
      with_decision: row.llm_with_decision,
    },
    decisions: row.with_decision,
    orphans: row.orphans,
    arrival_ms: { min: row.arrival_min_ms, median: row.arrival_median_ms, max: row.arrival_max_ms },
    ended_after_arrival: row.ended_after_arrival,
  };
}
