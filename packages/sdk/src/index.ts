// Public surface of @sightline/sdk.

export { createSightline } from './client.js';
export type { Sightline, SightlineStats, TraceFields, RecordedFields, DecisionFields } from './client.js';
export type { SightlineOptions } from './config.js';
export type { ScoreFields, FeedbackFields, ScoreSource, ScoreItem } from './score.js';
export type { Clock, TimerHandle } from './clock.js';
export type { Logger } from './log.js';
export type { Span } from './span.js';
export type { SpanEvent, SpanFields, SpanType, EventError, IntegrationEvent } from './event.js';
export type { Transport, EncodedBatch, ExportResult, RejectedEvent } from './transport.js';
export { wrapOpenAI } from './wrap-openai.js';
export { wrapAnthropic } from './wrap-anthropic.js';
export { createOpenAIAgentsProcessor } from './openai-agents.js';
export type { AgentsTracingProcessor, AgentsTrace, AgentsSpan, AgentsSpanData } from './openai-agents.js';
