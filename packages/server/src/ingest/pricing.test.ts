import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../model/limits.js';
import type { Span } from '../model/span.js';
import { validateEvent } from '../model/validate-event.js';
import { createPriceTable } from './pricing.js';

const NOW = Date.UTC(2025, 5, 1, 12);

function span(fields: Record<string, unknown>): Span {
  const result = validateEvent({ agent_id: 'a', timestamp: NOW, ...fields }, 0, { project: 'acme', now: NOW, limits: DEFAULT_LIMITS });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.span;
}

function priced(fields: Record<string, unknown>, overrides?: Parameters<typeof createPriceTable>[0], project?: string): [number | null, string] {
  const s = span(fields);
  createPriceTable(overrides).priceSpan(s, project);
  return [s.cost_usd, s.cost_source];
}

describe('priceSpan', () => {
  it('prices gpt-4o with cached input as part of tokens_input', () => {
    const [cost, source] = priced({ model: 'gpt-4o', provider: 'openai', tokens_input: 1000, tokens_cache_read: 200, tokens_output: 100 });
    expect(source).toBe('computed');
    // Bit-identical to the library with the same usage (input_tokens includes cache reads).
    expect(cost).toBe(calcPrice({ input_tokens: 1000, cache_read_tokens: 200, output_tokens: 100 }, 'gpt-4o', { providerId: 'openai' })?.total_price);
    // Hand-checked from the package data: input $2.50, cache read $1.25, output $10 per Mtok.
    // 800 × 2.5 + 200 × 1.25 + 100 × 10 = 3250 → $0.00325 (no double counting of the 200 cached).
    expect(cost).toBeCloseTo(0.00325, 15);
  });

  it('prices claude-sonnet-4 cache writes at their own rate', () => {
    const [cost, source] = priced({
      model: 'claude-sonnet-4-20250514',
      provider: 'anthropic',
      tokens_input: 4740,
      tokens_cache_write: 4735,
      tokens_output: 255,
    });
    expect(source).toBe('computed');
    // 5 × 3 + 4735 × 3.75 + 255 × 15 = 21596.25 per Mtok.
    expect(cost).toBe(0.02159625);
  });

  it('resolves the model without a provider, and falls back to the model alone for an unknown provider', () => {
    const expected = calcPrice({ input_tokens: 1000, output_tokens: 100 }, 'gpt-4o', { providerId: 'openai' })?.total_price;
    expect(expected).toBe(0.0035);
    expect(priced({ model: 'gpt-4o', tokens_input: 1000, tokens_output: 100 })).toEqual([0.0035, 'computed']);
    expect(priced({ model: 'gpt-4o', provider: 'my-gateway', tokens_input: 1000, tokens_output: 100 })).toEqual([0.0035, 'computed']);
  });

  it('uses tiered prices by total input tokens', () => {
    const usage = { input_tokens: 300_000, cache_read_tokens: 100_000, output_tokens: 2_000 };
    const expected = calcPrice(usage, 'claude-sonnet-4-5', { providerId: 'anthropic', timestamp: new Date(NOW) })?.total_price;
    // Above 200k input tokens: $6 input, $0.60 cache read, $22.50 output per Mtok.
    expect(expected).toBeCloseTo((200_000 * 6 + 100_000 * 0.6 + 2_000 * 22.5) / 1e6, 15);
    expect(priced({ model: 'claude-sonnet-4-5', provider: 'anthropic', tokens_input: 300_000, tokens_cache_read: 100_000, tokens_output: 2_000 })).toEqual([
      expected,
      'computed',
    ]);
  });

  it('keeps a cost the client sent', () => {
    expect(priced({ model: 'gpt-4o', tokens_input: 1000, cost_usd: 0.5 })).toEqual([0.5, 'given']);
    expect(priced({ model: 'gpt-4o', tokens_input: 1000, cost_usd: 0 })).toEqual([0, 'given']);
  });

  it('leaves cost null when it cannot be computed', () => {
    expect(priced({ model: 'no-such-model-xyz', tokens_input: 1000, tokens_output: 10 })).toEqual([null, 'none']);
    expect(priced({ tokens_input: 1000, tokens_output: 10 })).toEqual([null, 'none']);
    expect(priced({ model: 'gpt-4o' })).toEqual([null, 'none']);
  });

  it('applies per-project overrides before the catalog', () => {
    const overrides = {
      acme: {
        'gpt-4o': { input_per_mtok: 1, output_per_mtok: 2, cache_read_per_mtok: 0.5 },
        'our-finetune': { input_per_mtok: 3, output_per_mtok: 4 },
      },
    };
    const fields = { model: 'gpt-4o', tokens_input: 1000, tokens_cache_read: 400, tokens_output: 100 };
    // 600 × 1 + 400 × 0.5 + 100 × 2 = 1000 per Mtok.
    expect(priced(fields, overrides, 'acme')).toEqual([0.001, 'computed']);
    expect(priced(fields, overrides, 'other')).toEqual([
      calcPrice({ input_tokens: 1000, cache_read_tokens: 400, output_tokens: 100 }, 'gpt-4o', { providerId: 'openai' })?.total_price,
      'computed',
    ]);
    // Without a cache-read price, cached tokens are billed as input: 1000 × 3 + 100 × 4.
    expect(priced({ ...fields, model: 'our-finetune' }, overrides, 'acme')).toEqual([0.0034, 'computed']);
  });

  it('rejects invalid overrides as configuration errors', () => {
    expect(() => createPriceTable({ acme: { m: { input_per_mtok: -1, output_per_mtok: 1 } } })).toThrow(
      'prices.acme.m.input_per_mtok: must be a non-negative number, got -1',
    );
  });

  it('matches calcPrice exactly for every model in the catalog', () => {
    const providerIds = [
      'anthropic', 'arcee', 'avian', 'aws', 'azure', 'baseten', 'cohere', 'deepseek', 'doubleword', 'fireworks', 'google', 'groq',
      'huggingface_cerebras', 'huggingface_together', 'minimax', 'mistral', 'modal', 'novita', 'openai', 'openrouter', 'ovhcloud',
      'perplexity', 'together', 'voyageai', 'x-ai', 'zai', 'zhipuai',
    ];
    const usages = [
      { tokens_input: 1_000, tokens_output: 100 },
      { tokens_input: 5_000, tokens_cache_read: 1_000, tokens_cache_write: 500, tokens_output: 300, tokens_reasoning: 100 },
      { tokens_input: 300_000, tokens_cache_read: 100_000, tokens_output: 2_000 },
    ];
    const table = createPriceTable();
    let compared = 0;
    for (const providerId of providerIds) {
      for (const model of findProvider({ providerId })?.models ?? []) {
        for (const u of usages) {
          const usage: Record<string, number> = { input_tokens: u.tokens_input, output_tokens: u.tokens_output };
          if (u.tokens_cache_read) usage.cache_read_tokens = u.tokens_cache_read;
          if (u.tokens_cache_write) usage.cache_write_tokens = u.tokens_cache_write;
          if (u.tokens_reasoning) usage.output_reasoning_tokens = u.tokens_reasoning;
          const at = { timestamp: new Date(NOW) };
          let expected: number | null;
          try {
            expected = (calcPrice(usage, model.id, { providerId, ...at }) ?? calcPrice(usage, model.id, at))?.total_price ?? null;
          } catch {
            expected = null;
          }
          const s = span({ model: model.id, provider: providerId, ...u });
          table.priceSpan(s);
          expect([providerId, model.id, u, s.cost_usd]).toEqual([providerId, model.id, u, expected]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });
});
