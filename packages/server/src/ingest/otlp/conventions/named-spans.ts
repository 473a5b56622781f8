// Frameworks recognised by their span names and private attributes rather than a shared
// convention: Pydantic AI / Logfire's older names, Google ADK's `call_llm`, and MCP spans.

import type { AttributeReader } from '../attribute-reader.js';
import { SOURCES } from '../sources.js';
import { convention, type Convention } from './convention.js';

/** `tools/call get_weather` → `get_weather` (MCP and GenAI span names are `{operation} {target}`). */
function mcpTarget(spanName: string, method: string): string | undefined {
  if (!spanName.startsWith(`${method} `)) return undefined;
  const target = spanName.slice(method.length + 1).trim();
  return target === '' ? undefined : target;
}

const SPAN_KIND_CLIENT = 3;

/** `{operation} {target}` span names of the GenAI conventions, for spans that carry the name but not `gen_ai.operation.name` (Pydantic AI 1.x). */
function genAiNamed(spanName: string, kind: number, reader: AttributeReader): Convention | undefined {
  if (spanName === 'invoke_agent' || spanName.startsWith('invoke_agent ')) {
    return convention('agent_step', { rollup: kind !== SPAN_KIND_CLIENT });
  }
  if (spanName.startsWith('execute_tool ')) {
    return convention('tool_call', { toolName: reader.peek(SOURCES.toolName) ?? mcpTarget(spanName, 'execute_tool') });
  }
  return undefined;
}

export function namedSpanConvention(spanName: string, kind: number, reader: AttributeReader): Convention | undefined {
  const mcpMethod = reader.string('mcp.method.name');
  if (mcpMethod === 'tools/call') {
    return convention('tool_call', { toolName: reader.peek(SOURCES.toolName) ?? mcpTarget(spanName, mcpMethod) });
  }
  switch (spanName) {
    // Pydantic AI before its GenAI agent spans: the run's usage is the sum of its `chat` spans.
    case 'agent run':
      return convention('agent_step', { rollup: true });
    case 'running tool': {
      const tool = reader.peek(SOURCES.toolName);
      return convention('tool_call', { toolName: tool, name: typeof tool === 'string' ? tool : undefined });
    }
    // Google ADK's model call span carries no gen_ai.operation.name.
    case 'call_llm':
      return convention('llm_call');
    default:
      return genAiNamed(spanName, kind, reader);
  }
}
