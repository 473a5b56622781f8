// OpenTelemetry GenAI semantic conventions: `gen_ai.operation.name` decides the span type.

import type { AttributeReader } from '../attribute-reader.js';
import { SOURCES } from '../sources.js';
import { convention, type Convention } from './convention.js';

/** gen_ai.operation.name → span_type. */
const OPERATION_TYPES: Record<string, string> = {
  chat: 'llm_call',
  generate_content: 'llm_call',
  text_completion: 'llm_call',
  completion: 'llm_call',
  embeddings: 'embedding',
  execute_tool: 'tool_call',
  invoke_agent: 'agent_step',
  create_agent: 'agent_step',
  invoke_workflow: 'agent_step',
  plan: 'agent_step',
  retrieval: 'retrieval',
  search_memory: 'retrieval',
};

const SPAN_KIND_CLIENT = 3;

/**
 * An `invoke_agent` span of kind CLIENT calls a remote agent whose model calls are invisible
 * here, so its usage is the only record of them and counts. An in-process (INTERNAL) agent's
 * model calls are its child `chat` spans: its usage, if it reports one, is their sum. A workflow
 * always runs its agents as children.
 */
function isRollup(operation: string, kind: number): boolean {
  return (operation === 'invoke_agent' && kind !== SPAN_KIND_CLIENT) || operation === 'invoke_workflow';
}

/** One shared convention per operation and roll-up flag: most spans need no allocation here. */
const SHARED = new Map<string, Convention>();
for (const [operation, spanType] of Object.entries(OPERATION_TYPES)) {
  SHARED.set(`${operation}:false`, Object.freeze(convention(spanType)));
  SHARED.set(`${operation}:true`, Object.freeze(convention(spanType, { rollup: true })));
}

export function genAiConvention(kind: number, reader: AttributeReader): Convention | undefined {
  const operation = reader.string('gen_ai.operation.name');
  if (operation === undefined || !Object.hasOwn(OPERATION_TYPES, operation)) return undefined;
  const spanType = OPERATION_TYPES[operation];
  if (spanType === 'tool_call') return convention(spanType, { toolName: reader.peek(SOURCES.toolName) });
  return SHARED.get(`${operation}:${isRollup(operation, kind)}`);
}
