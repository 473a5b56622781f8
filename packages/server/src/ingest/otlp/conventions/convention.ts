// What a framework convention says about one span beyond plain attribute names: its native type,
// whether its usage is a roll-up of its children's, and the tool it ran.

import type { AttrValue } from '../types.js';

export interface Convention {
  spanType: string | undefined;
  /**
   * The span aggregates its children (an agent run, an AI SDK `generateText` around its
   * `doGenerate` calls): the model, usage and cost it carries are its children's totals, so they
   * stay in `attributes` and are not counted a second time.
   */
  rollup: boolean;
  /** For tool calls: the tool's name (becomes `decision_made` unless `sightline.decision` is set). */
  toolName: AttrValue | undefined;
  /** Replaces a generic framework label (`ai.toolCall`, `running tool`) as the span's name. */
  name: string | undefined;
  /** Turns the provider the framework reports into a provider name (`openai.chat` → `openai`). */
  provider: ((reported: string) => string) | undefined;
}

/** Built field by field (no spread): this runs once per ingested span. */
export function convention(spanType: string | undefined, extra?: Partial<Convention>): Convention {
  return {
    spanType,
    rollup: extra?.rollup ?? false,
    toolName: extra?.toolName,
    name: extra?.name,
    provider: extra?.provider,
  };
}

/** The convention of a span no framework describes. */
export const UNDESCRIBED: Convention = Object.freeze(convention(undefined));
