// Picks the convention that describes a span: Sightline's own override first, then the most
// specific framework signal, then the generic conventions.

import type { AttributeReader } from '../attribute-reader.js';
import { SOURCES } from '../sources.js';
import type { OtlpSpan } from '../types.js';
import { aiSdkConvention } from './ai-sdk.js';
import { convention, UNDESCRIBED, type Convention } from './convention.js';
import { genAiConvention } from './gen-ai.js';
import { namedSpanConvention } from './named-spans.js';
import { openInferenceConvention } from './open-inference.js';

export function classify(span: OtlpSpan, reader: AttributeReader): Convention {
  const explicit = reader.take(SOURCES.spanType);
  if (explicit !== undefined) {
    const spanType = String(explicit);
    return convention(spanType, { toolName: spanType === 'tool_call' ? reader.peek(SOURCES.toolName) : undefined });
  }
  return (
    aiSdkConvention(span.name, reader) ??
    genAiConvention(span.kind, reader) ??
    namedSpanConvention(span.name, span.kind, reader) ??
    openInferenceConvention(reader) ??
    UNDESCRIBED
  );
}
