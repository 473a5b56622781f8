// Fills cost_usd for spans that arrive without one, from @pydantic/genai-prices (a maintained
// catalog of model prices) and per-project overrides.

import { calcPrice, type ModelInfo, type ModelPrice, type Provider } from '@pydantic/genai-prices';
import { SightlineError } from '../model/errors.js';
import type { Span } from '../model/span.js';

/** USD per million tokens for one model, set per project; takes precedence over the catalog. */
export interface ModelPriceOverride {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Defaults to input_per_mtok: cache reads are then billed as ordinary input. */
  cache_read_per_mtok?: number;
  /** Defaults to input_per_mtok. */
  cache_write_per_mtok?: number;
}

/** `{ [project]: { [model]: prices } }`; models match exactly. */
export type PriceOverrides = Record<string, Record<string, ModelPriceOverride>>;

export interface PriceTable {
  /** Sets cost_usd and cost_source on `span` in place: 'given', 'computed' or 'none'. */
  priceSpan(span: Span, project?: string): void;
}

/** Token counts in the Span convention: input includes cached tokens, output includes reasoning. */
interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** How one resolved (provider, model) is priced; null when no price applies. */
type Pricer = (tokens: Tokens, timestamp: number) => number | null;

const NO_PRICE = null;
/** Distinct (provider, model) pairs remembered; past it the cache starts over (bounds memory under junk model names). */
const MAX_CACHED_MODELS = 10_000;

/** The catalog's prices as the library computes them, for a model already resolved. */
function libraryPricer(provider: Provider, model: ModelInfo, modelName: string): Pricer {
  // A provider holding only the resolved model skips the catalog-wide match on every call.
  const single: Provider = { id: provider.id, name: provider.name, api_pattern: provider.api_pattern, models: [model] };
  return (tokens, timestamp) =>
    calcPrice(usageOf(tokens), modelName, { provider: single, timestamp: new Date(timestamp) })?.total_price ?? null;
}

function usageOf(tokens: Tokens): Record<string, number> {
  const usage: Record<string, number> = { input_tokens: tokens.input, output_tokens: tokens.output };
  if (tokens.cacheRead > 0) usage.cache_read_tokens = tokens.cacheRead;
  if (tokens.cacheWrite > 0) usage.cache_write_tokens = tokens.cacheWrite;
  if (tokens.reasoning > 0) usage.output_reasoning_tokens = tokens.reasoning;
  return usage;
}

type Tier = { start: number; price: number };
type Term = { kind: number; price: number | { base: number; tiers: Tier[] }; per: number; direction: 0 | 1 | 2 };

// Term kinds: which token count a price key applies to.
const INPUT = 0;
const CACHE_READ = 1;
const CACHE_WRITE = 2;
const OUTPUT = 3;
const REASONING = 4;
const REQUEST = 5;

const KNOWN_KEYS: Record<string, { kind: number; per: number; direction: 0 | 1 | 2 }> = {
  input_mtok: { kind: INPUT, per: 1e6, direction: 0 },
  cache_read_mtok: { kind: CACHE_READ, per: 1e6, direction: 0 },
  cache_write_mtok: { kind: CACHE_WRITE, per: 1e6, direction: 0 },
  output_mtok: { kind: OUTPUT, per: 1e6, direction: 1 },
  output_reasoning_mtok: { kind: REASONING, per: 1e6, direction: 1 },
  requests_kcount: { kind: REQUEST, per: 1e3, direction: 2 },
};

/**
 * The library's arithmetic for a flat (unconditional) price, without its per-call generic unit
 * decomposition (~20 µs a call). Same terms, same order, so results are bit-identical (the tests
 * compare it with calcPrice over the whole catalog). Returns null for a price shape it does not cover.
 */
function flatPricer(price: ModelPrice): Pricer | null {
  const terms: Term[] = [];
  for (const [key, value] of Object.entries(price)) {
    if (value === undefined) continue;
    const known = KNOWN_KEYS[key];
    // Usage Sightline never reports (audio, images, web searches…) is 0: such keys add nothing.
    if (known === undefined) continue;
    if (typeof value === 'number') {
      terms.push({ ...known, price: value });
    } else if (typeof value === 'object' && value !== null && typeof value.base === 'number' && Array.isArray(value.tiers)) {
      terms.push({ ...known, price: { base: value.base, tiers: [...value.tiers].sort((a, b) => a.start - b.start) } });
    } else {
      return null;
    }
  }
  const has = (kind: number) => terms.some((t) => t.kind === kind);
  const subtractCacheRead = has(CACHE_READ);
  const subtractCacheWrite = has(CACHE_WRITE);
  const subtractReasoning = has(REASONING);
  return (tokens) => {
    const uncachedInput = tokens.input - (subtractCacheRead ? tokens.cacheRead : 0) - (subtractCacheWrite ? tokens.cacheWrite : 0);
    const nonReasoningOutput = tokens.output - (subtractReasoning ? tokens.reasoning : 0);
    let input = 0;
    let output = 0;
    let other = 0;
    for (const term of terms) {
      const count =
        term.kind === INPUT ? uncachedInput
        : term.kind === CACHE_READ ? tokens.cacheRead
        : term.kind === CACHE_WRITE ? tokens.cacheWrite
        : term.kind === OUTPUT ? nonReasoningOutput
        : term.kind === REASONING ? tokens.reasoning
        : 1;
      let cost: number;
      if (typeof term.price === 'number') {
        cost = (term.price * count) / term.per;
      } else if (count <= 0) {
        cost = 0;
      } else {
        let rate = term.price.base;
        for (const tier of term.price.tiers) if (tokens.input > tier.start) rate = tier.price;
        cost = (((rate * count) / 1e6) * 1e6) / term.per;
      }
      if (term.direction === 0) input += cost;
      else if (term.direction === 1) output += cost;
      else other += cost;
    }
    return input + output + other;
  };
}

function overridePricer(o: ModelPriceOverride): Pricer {
  const cacheRead = o.cache_read_per_mtok ?? o.input_per_mtok;
  const cacheWrite = o.cache_write_per_mtok ?? o.input_per_mtok;
  return (t) =>
    ((t.input - t.cacheRead - t.cacheWrite) * o.input_per_mtok +
      t.cacheRead * cacheRead +
      t.cacheWrite * cacheWrite +
      t.output * o.output_per_mtok) /
    1e6;
}

/** Finds the catalog entry once: with the span's provider first, then by model name alone. */
function resolve(model: string, provider: string | null, tokens: Tokens, timestamp: number): Pricer | typeof NO_PRICE {
  const usage = usageOf(tokens);
  const at = new Date(timestamp);
  let found = provider === null ? null : calcPrice(usage, model, { providerId: provider, timestamp: at });
  found ??= calcPrice(usage, model, { timestamp: at });
  if (found === null) return NO_PRICE;
  const prices = found.model.prices;
  return (Array.isArray(prices) ? null : flatPricer(prices)) ?? libraryPricer(found.provider, found.model, model);
}

function checkOverrides(overrides: PriceOverrides): void {
  for (const [project, models] of Object.entries(overrides)) {
    for (const [model, o] of Object.entries(models)) {
      for (const [key, value] of Object.entries(o)) {
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
          throw new SightlineError('CONFIG_INVALID', `prices.${project}.${model}.${key}: must be a non-negative number, got ${String(value)}`);
        }
      }
    }
  }
}

/**
 * Creates the price table used by the ingest pipeline.
 * @example
 * const prices = createPriceTable({ acme: { 'our-finetune': { input_per_mtok: 1, output_per_mtok: 4 } } });
 * prices.priceSpan(span); // span.cost_usd, span.cost_source now set
 */
export function createPriceTable(overrides: PriceOverrides = {}): PriceTable {
  checkOverrides(overrides);
  const projectPricers = new Map<string, Map<string, Pricer>>();
  for (const [project, models] of Object.entries(overrides)) {
    projectPricers.set(project, new Map(Object.entries(models).map(([model, o]) => [model, overridePricer(o)])));
  }
  // provider ('' when absent) → model → pricer; nested so a lookup never builds a key string.
  const catalog = new Map<string, Map<string, Pricer | typeof NO_PRICE>>();
  let cachedModels = 0;

  function catalogPricer(model: string, provider: string | null, tokens: Tokens, timestamp: number): Pricer | typeof NO_PRICE {
    let byModel = catalog.get(provider ?? '');
    let pricer = byModel?.get(model);
    if (pricer === undefined) {
      try {
        pricer = resolve(model, provider, tokens, timestamp);
      } catch {
        return NO_PRICE; // not cached: the library objected to this usage, not to the model
      }
      if (cachedModels >= MAX_CACHED_MODELS) {
        catalog.clear();
        cachedModels = 0;
        byModel = undefined;
      }
      if (byModel === undefined) catalog.set(provider ?? '', (byModel = new Map()));
      byModel.set(model, pricer);
      cachedModels++;
    }
    return pricer;
  }

  return {
    priceSpan(span, project = span.project) {
      if (span.cost_usd !== null) {
        span.cost_source = 'given';
        return;
      }
      span.cost_source = 'none';
      const model = span.model;
      if (model === null || span.tokens_input + span.tokens_output === 0) return;
      const tokens: Tokens = {
        input: span.tokens_input,
        output: span.tokens_output,
        cacheRead: span.tokens_cache_read,
        cacheWrite: span.tokens_cache_write,
        reasoning: span.tokens_reasoning,
      };
      const pricer = projectPricers.get(project)?.get(model) ?? catalogPricer(model, span.provider, tokens, span.timestamp);
      if (pricer === NO_PRICE) return;
      let cost: number | null;
      try {
        cost = pricer(tokens, span.timestamp);
      } catch {
        return; // the library refuses usage it finds inconsistent: leave the cost unknown
      }
      if (cost === null) return;
      span.cost_usd = cost;
      span.cost_source = 'computed';
    },
  };
}
