// Query-string parsing for the /api routes. Every value is checked against a fixed grammar
// (enums, numbers, bounded strings), so nothing a caller sends reaches SQL as text.

import { DIMENSIONS, SPAN_TYPES, type Dimension, type SpanType } from '../model/span.js';
import type { SpanFilter } from '../store/store.js';
import { METRICS, type Metric } from '../query/aggregate.js';

export class BadParam extends Error {
  constructor(readonly param: string, message: string) {
    super(`${param}: ${message}`);
  }
}

/** A caller's value as an error quotes it: at most 64 characters, so a huge value is not echoed back whole. */
export function quoted(raw: string): string {
  return raw.length <= 64 ? `"${raw}"` : `"${raw.slice(0, 64)}…" (${raw.length} characters)`;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(param: string, raw: string): number {
  const m = DURATION.exec(raw.trim());
  if (!m) throw new BadParam(param, `${quoted(raw)} is not a duration like 30s, 5m, 1h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function parseTime(param: string, raw: string): number {
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const t = Date.parse(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(t)) {
    throw new BadParam(param, `${quoted(raw)} is neither epoch milliseconds nor an ISO-8601 time`);
  }
  return t;
}

export type Query = (name: string) => string | undefined;

/** from/to, or range=24h ending now; default the last hour. */
export function parseRange(q: Query, now: number, defaultMs = 3_600_000): { from: number; to: number } {
  const to = q('to') !== undefined ? parseTime('to', q('to')!) : now;
  const from =
    q('from') !== undefined
      ? parseTime('from', q('from')!)
      : to - (q('range') !== undefined ? parseDuration('range', q('range')!) : defaultMs);
  if (from >= to) throw new BadParam('from', `must be before to (from=${from}, to=${to})`);
  if (to - from > 400 * 86_400_000) throw new BadParam('range', 'may span at most 400 days');
  return { from, to };
}

export function parseEnum<T extends string>(param: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new BadParam(param, `${quoted(raw)} is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

export function parseMetric(q: Query, fallback: Metric = 'count'): Metric {
  const raw = q('metric');
  return raw === undefined ? fallback : parseEnum('metric', raw, METRICS);
}

export function parseGroupBy(q: Query): Dimension[] {
  const raw = q('group_by');
  if (!raw) return [];
  const dims = raw.split(',').map((d) => parseEnum('group_by', d.trim(), DIMENSIONS));
  if (new Set(dims).size !== dims.length) throw new BadParam('group_by', 'names a dimension twice');
  return dims;
}

const MAX_FILTER_VALUE = 256;

function boundedString(q: Query, name: string): string | undefined {
  const v = q(name);
  if (v === undefined) return undefined;
  if (v.length > MAX_FILTER_VALUE) throw new BadParam(name, `is ${v.length} characters; the limit is ${MAX_FILTER_VALUE}`);
  return v;
}

export function parseFilter(q: Query): SpanFilter {
  const f: SpanFilter = {};
  const agent = boundedString(q, 'agent');
  const model = boundedString(q, 'model');
  const decision = boundedString(q, 'decision');
  const provider = boundedString(q, 'provider');
  const spanType = q('span_type');
  if (agent !== undefined) f.agent = agent;
  if (model !== undefined) f.model = model;
  if (decision !== undefined) f.decision = decision;
  if (provider !== undefined) f.provider = provider;
  if (spanType !== undefined) f.span_type = parseEnum<SpanType>('span_type', spanType, SPAN_TYPES);
  if (parseBool(q, 'has_decision')) f.has_decision = true;
  if (parseBool(q, 'errors')) f.errors_only = true;
  return f;
}

export function parseBool(q: Query, name: string): boolean {
  const v = q(name);
  if (v === undefined || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new BadParam(name, `${quoted(v)} is not true or false`);
}

export function parseNumber(q: Query, name: string, min: number, max: number): number | undefined {
  const v = q(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new BadParam(name, `${quoted(v)} is not a number in ${min}..${max}`);
  }
  return n;
}
