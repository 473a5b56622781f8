// Attribute names read for each native field, highest precedence first, across the conventions
// Sightline understands: OTel GenAI (current and deprecated names), OpenInference, the Vercel AI
// SDK (`ai.*`) and names other frameworks really emit (Mastra, Pydantic AI, Google ADK, MCP).
// docs/otlp-mapping.md lists them per framework; change both together.

export const SOURCES = {
  model: [
    'gen_ai.response.model',
    'ai.response.model',
    'gen_ai.request.model',
    'llm.model_name',
    'embedding.model_name',
    'ai.model.id',
  ],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'],
  tokensInput: [
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.prompt_tokens',
    'llm.token_count.prompt',
    'llm.usage.prompt_tokens',
    'ai.usage.inputTokens',
    'ai.usage.promptTokens',
    // Embedding calls in the AI SDK count only input tokens.
    'ai.usage.tokens',
  ],
  tokensOutput: [
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens',
    'llm.token_count.completion',
    'llm.usage.completion_tokens',
    'ai.usage.outputTokens',
    'ai.usage.completionTokens',
  ],
  tokensTotal: ['gen_ai.usage.total_tokens', 'llm.token_count.total', 'llm.usage.total_tokens', 'ai.usage.totalTokens'],
  tokensCacheRead: [
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'gen_ai.usage.cache_read_tokens',
    'gen_ai.usage.cached_input_tokens',
    'llm.token_count.prompt_details.cache_read',
    'ai.usage.inputTokenDetails.cacheReadTokens',
    'ai.usage.cachedInputTokens',
  ],
  tokensCacheWrite: [
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
    'gen_ai.usage.cache_write_tokens',
    'llm.token_count.prompt_details.cache_write',
    'ai.usage.inputTokenDetails.cacheWriteTokens',
  ],
  tokensReasoning: [
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'llm.token_count.completion_details.reasoning',
    'ai.usage.outputTokenDetails.reasoningTokens',
    'ai.usage.reasoningTokens',
  ],
  cost: ['llm.cost.total', 'gen_ai.usage.cost'],
  agent: ['gen_ai.agent.id', 'gen_ai.agent.name', 'agent.name', 'ai.telemetry.functionId', 'agent_name'],
  session: [
    'gen_ai.conversation.id',
    'session.id',
    'ai.telemetry.metadata.sessionId',
    'ai.telemetry.metadata.session_id',
    'gcp.vertex.agent.session_id',
    'mcp.session.id',
  ],
  user: ['user.id', 'enduser.id', 'ai.telemetry.metadata.userId', 'ai.telemetry.metadata.user_id'],
  decision: ['sightline.decision'],
  confidence: ['sightline.confidence'],
  spanType: ['sightline.span_type'],
  toolName: ['gen_ai.tool.name', 'tool.name', 'mcp.tool.name'],
} as const;

/** `gen_ai.system` values that name an agent framework, not a model provider (Google ADK sets this one). */
export const NOT_A_PROVIDER = new Set(['gcp.vertex.agent']);
