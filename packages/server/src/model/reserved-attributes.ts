// Attribute names Sightline itself writes on spans at ingest, read back by the telemetry doctor
// (docs/doctor.md). A client sending one of them is taken at its word.

/**
 * On every span mapped from OTLP: the names of its own attributes the mapping read but kept
 * (e.g. gen_ai.operation.name). The span's other own attributes — not otel.scope.*, resource.*
 * or sightline.* — are read by no mapping. Its presence marks the span as OTLP.
 */
export const READ_MARK = 'sightline.read';

/** On native spans a Sightline SDK sent: its `name/version`, from the request's User-Agent. */
export const SDK_MARK = 'sightline.sdk';

/** Attributes naming a span's source, as the OTLP mapping stores them. */
export const SOURCE_ATTRIBUTES = {
  service: 'resource.service.name',
  scope: 'otel.scope.name',
  scopeVersion: 'otel.scope.version',
  sdk: 'resource.telemetry.sdk.name',
  sdkVersion: 'resource.telemetry.sdk.version',
} as const;

/** Prefixes of attributes that describe where a span came from, not what it did: never "unread". */
export const ORIGIN_PREFIXES = ['resource.', 'otel.scope.', 'sightline.'] as const;
