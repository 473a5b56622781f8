// What the simulated fleet is made of: models with prices and latencies, and agent kinds with
// their decision trees. The defaults use real model names and list prices so that, when the
// simulator leaves `cost_usd` out, the server's price table computes the same cost.

import type { SpanType } from '../model/span.js';

/** Parameters of a lognormal distribution: median e^mu. */
export interface Lognormal {
  mu: number;
  sigma: number;
}

export interface ModelSpec {
  name: string;
  provider: string;
  /** USD per million tokens. Input price applies to uncached input tokens. */
  priceInputPerMtok: number;
  priceOutputPerMtok: number;
  priceCacheReadPerMtok: number;
  /** Time to first token, ms. */
  latency: Lognormal;
  /** Added latency per output token, ms. */
  msPerOutputToken: number;
  /** Share of output tokens spent on reasoning (reported in tokens_reasoning, included in output). */
  reasoningShare?: number;
  /** Share of input tokens served from the prompt cache, on average. */
  cacheReadShare?: number;
  /** Chance that a call fails with a provider error (rate limit, overload) in normal times. */
  baseErrorRate?: number;
}

export type ModelTier = 'fast' | 'smart' | 'reasoning' | 'embedding';

/** An LLM call inside a trace; tokens are lognormal around the given medians. */
export interface LlmStep {
  kind: 'llm';
  name: string;
  tier: ModelTier;
  inputTokens: number;
  outputTokens: number;
}

/** A tool, retrieval or embedding call inside a trace. */
export interface ToolStep {
  kind: 'tool';
  spanType: Extract<SpanType, 'tool_call' | 'retrieval' | 'embedding'>;
  name: string;
  latency: Lognormal;
  /** Chance that this call fails in normal times. */
  baseErrorRate?: number;
  /** Error type used when it fails. */
  errorType?: string;
}

export type Step = LlmStep | ToolStep | DecisionNode;

/** A decision point: the decision span's children are the steps of the chosen option. */
export interface DecisionNode {
  kind: 'decision';
  name: string;
  options: DecisionOption[];
}

export interface DecisionOption {
  decision: string;
  weight: number;
  /** Mean confidence reported with this choice (0..1). */
  confidence: number;
  steps: Step[];
}

export interface AgentKind {
  kind: string;
  /** Name of the root agent_step span. */
  rootName: string;
  /** Model name for each tier this agent uses. */
  models: Partial<Record<ModelTier, string>>;
  /** Steps of a trace, in order, under the root span. */
  steps: Step[];
  /** input_category values and their weights. */
  inputCategories: Record<string, number>;
}

const ms = (median: number, sigma: number): Lognormal => ({ mu: Math.log(median), sigma });

export const DEFAULT_MODELS: ModelSpec[] = [
  { name: 'gpt-4o-mini', provider: 'openai', priceInputPerMtok: 0.15, priceOutputPerMtok: 0.6, priceCacheReadPerMtok: 0.075, latency: ms(350, 0.35), msPerOutputToken: 8, cacheReadShare: 0.3, baseErrorRate: 0.002 },
  { name: 'gpt-4o', provider: 'openai', priceInputPerMtok: 2.5, priceOutputPerMtok: 10, priceCacheReadPerMtok: 1.25, latency: ms(600, 0.4), msPerOutputToken: 14, cacheReadShare: 0.3, baseErrorRate: 0.003 },
  { name: 'claude-sonnet-4-20250514', provider: 'anthropic', priceInputPerMtok: 3, priceOutputPerMtok: 15, priceCacheReadPerMtok: 0.3, latency: ms(800, 0.4), msPerOutputToken: 16, cacheReadShare: 0.5, baseErrorRate: 0.004 },
  { name: 'claude-3-5-haiku-20241022', provider: 'anthropic', priceInputPerMtok: 0.8, priceOutputPerMtok: 4, priceCacheReadPerMtok: 0.08, latency: ms(400, 0.35), msPerOutputToken: 9, cacheReadShare: 0.4, baseErrorRate: 0.002 },
  { name: 'o3-mini', provider: 'openai', priceInputPerMtok: 1.1, priceOutputPerMtok: 4.4, priceCacheReadPerMtok: 0.55, latency: ms(1500, 0.5), msPerOutputToken: 6, reasoningShare: 0.6, cacheReadShare: 0.2, baseErrorRate: 0.003 },
  { name: 'gemini-2.0-flash', provider: 'google', priceInputPerMtok: 0.1, priceOutputPerMtok: 0.4, priceCacheReadPerMtok: 0.025, latency: ms(300, 0.35), msPerOutputToken: 5, baseErrorRate: 0.002 },
  { name: 'text-embedding-3-small', provider: 'openai', priceInputPerMtok: 0.02, priceOutputPerMtok: 0, priceCacheReadPerMtok: 0.02, latency: ms(60, 0.3), msPerOutputToken: 0, baseErrorRate: 0.001 },
];

const tool = (name: string, median: number, baseErrorRate = 0, errorType = 'tool_error', spanType: ToolStep['spanType'] = 'tool_call'): ToolStep => ({
  kind: 'tool', spanType, name, latency: ms(median, 0.5), baseErrorRate, errorType,
});
const llm = (name: string, tier: ModelTier, inputTokens: number, outputTokens: number): LlmStep => ({
  kind: 'llm', name, tier, inputTokens, outputTokens,
});
const option = (decision: string, weight: number, confidence: number, steps: Step[] = []): DecisionOption => ({
  decision, weight, confidence, steps,
});

/** Four kinds of agent; agent i gets kind i mod 4. Base error rates of `refund` and every sales tool are 0. */
export const DEFAULT_AGENT_KINDS: AgentKind[] = [
  {
    kind: 'support',
    rootName: 'handle_ticket',
    models: { fast: 'gpt-4o-mini', smart: 'claude-sonnet-4-20250514' },
    inputCategories: { billing: 3, shipping: 4, returns: 2, account: 2, product_question: 3 },
    steps: [
      llm('classify_intent', 'fast', 900, 40),
      {
        kind: 'decision',
        name: 'route',
        options: [
          option('search_kb', 45, 0.86, [
            tool('search_kb', 120, 0.01, 'timeout', 'retrieval'),
            llm('draft_answer', 'smart', 2500, 350),
            {
              kind: 'decision',
              name: 'resolve',
              options: [option('answer', 80, 0.82), option('escalate_to_human', 20, 0.6, [tool('create_handoff', 90)])],
            },
          ]),
          option('lookup_order', 30, 0.9, [tool('lookup_order', 180, 0.01, 'http_500'), tool('get_shipping_status', 250, 0.005, 'timeout')]),
          option('refund', 15, 0.78, [tool('lookup_order', 180), tool('issue_refund', 400)]),
          option('escalate_to_human', 10, 0.65, [tool('create_handoff', 90)]),
        ],
      },
      llm('compose_reply', 'smart', 1800, 220),
    ],
  },
  {
    kind: 'research',
    rootName: 'answer_question',
    models: { fast: 'gemini-2.0-flash', smart: 'gpt-4o', embedding: 'text-embedding-3-small' },
    inputCategories: { market: 3, scientific: 2, legal: 1, news: 3 },
    steps: [
      llm('plan_research', 'smart', 1500, 200),
      {
        kind: 'decision',
        name: 'strategy',
        options: [
          option('web_search', 50, 0.8, [tool('web_search', 700, 0.02, 'timeout'), tool('fetch_page', 900, 0.03, 'http_403')]),
          option('query_internal_docs', 30, 0.85, [tool('embed_query', 60, 0, 'tool_error', 'embedding'), tool('vector_search', 80, 0.005, 'timeout', 'retrieval')]),
          option('answer_directly', 20, 0.7),
        ],
      },
      llm('synthesize_answer', 'smart', 6000, 600),
    ],
  },
  {
    kind: 'coding',
    rootName: 'fix_issue',
    models: { fast: 'claude-3-5-haiku-20241022', smart: 'claude-sonnet-4-20250514', reasoning: 'o3-mini' },
    inputCategories: { bug: 5, feature: 3, refactor: 2, docs: 1 },
    steps: [
      llm('analyze_issue', 'reasoning', 4000, 900),
      {
        kind: 'decision',
        name: 'approach',
        options: [
          option('edit_file', 50, 0.75, [
            tool('read_file', 15),
            llm('write_patch', 'smart', 8000, 1200),
            tool('write_file', 20),
            {
              kind: 'decision',
              name: 'verify',
              options: [option('run_tests', 70, 0.9, [tool('run_tests', 4000, 0.08, 'tests_failed')]), option('skip_tests', 30, 0.55)],
            },
          ]),
          option('ask_clarification', 20, 0.5),
          option('open_pull_request', 30, 0.85, [tool('git_commit', 120), tool('create_pr', 600, 0.01, 'http_502')]),
        ],
      },
      llm('summarize_changes', 'fast', 2000, 250),
    ],
  },
  {
    kind: 'sales',
    rootName: 'qualify_lead',
    models: { fast: 'gpt-4o-mini', smart: 'gpt-4o' },
    inputCategories: { inbound: 4, outbound: 3, renewal: 2, enterprise: 1 },
    steps: [
      llm('score_lead', 'fast', 1200, 60),
      {
        kind: 'decision',
        name: 'next_action',
        options: [
          option('send_email', 40, 0.83, [tool('crm_lookup', 150), tool('send_email', 300)]),
          option('schedule_call', 25, 0.8, [tool('calendar_find_slot', 200), tool('create_event', 250)]),
          option('disqualify', 20, 0.88, [tool('crm_update', 120)]),
          option('handoff_to_sales_rep', 15, 0.7, [tool('crm_update', 120), tool('notify_rep', 100)]),
        ],
      },
      llm('draft_message', 'smart', 1500, 300),
    ],
  },
];

export const PROMPT_VERSIONS: Record<string, number> = { v3: 7, v4: 3 };
export const REGIONS: Record<string, number> = { 'us-east': 5, 'eu-west': 3, 'ap-south': 2 };

/**
 * Cost of one model call at the simulator's own prices, in USD. Input tokens include cached ones;
 * output tokens include reasoning ones (as in the GenAI conventions).
 */
export function modelCallCost(model: ModelSpec, tokensInput: number, tokensOutput: number, tokensCacheRead: number): number {
  return (
    ((tokensInput - tokensCacheRead) * model.priceInputPerMtok +
      tokensCacheRead * model.priceCacheReadPerMtok +
      tokensOutput * model.priceOutputPerMtok) /
    1_000_000
  );
}
