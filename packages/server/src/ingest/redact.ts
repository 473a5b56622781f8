// Redaction of captured content before storage: configured patterns (built-in names such as
// `email` and `api_key`, or regular expressions) are replaced in a span's input, output, error
// message and attribute string values, so secrets and personal data never reach the store.

import type { Span } from '../model/span.js';

/**
 * Built-in patterns. Each starts only where a token starts (look-behind), so a long run without
 * a match is scanned once, not once per position: content is up to 32 KiB per field.
 */
export const BUILTIN_PATTERNS: Readonly<Record<string, RegExp>> = Object.freeze({
  /** Local parts take every character RFC 5322 allows unquoted. */
  email: /(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g,
  /** OpenAI/Anthropic-style (sk-…), Sightline (sl_…), AWS access key ids, GitHub, Slack and Google keys. */
  api_key:
    /(?<![\w-])(?:(?:sk|pk|rk|sl)[-_][\w-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_\w{36,}|xox[abprs]-[\w-]{10,}|AIza[\w-]{35})/g,
  /** Authorization header values pasted into prompts or logs. */
  bearer: /(?<![\w-])Bearer\s+[\w.~+/-]{8,}=*/g,
});

interface CompiledPattern {
  regex: RegExp;
  replacement: string;
}

/** Why `pattern` cannot be used, or null when it can (config validation names the bad entry). */
export function patternProblem(pattern: string): string | null {
  if (pattern in BUILTIN_PATTERNS) return null;
  try {
    const regex = new RegExp(pattern, 'gu');
    if (regex.test('')) return `"${pattern}" matches the empty string, which would redact nothing useful`;
    return null;
  } catch (err) {
    return `"${pattern}" is neither a built-in pattern (${Object.keys(BUILTIN_PATTERNS).join(', ')}) nor a valid regular expression: ${(err as Error).message}`;
  }
}

function compile(pattern: string): CompiledPattern {
  const builtin = BUILTIN_PATTERNS[pattern];
  if (builtin !== undefined) return { regex: new RegExp(builtin.source, builtin.flags), replacement: `[REDACTED:${pattern}]` };
  return { regex: new RegExp(pattern, 'gu'), replacement: '[REDACTED]' };
}

export interface Redactor {
  /** `text` with every match of every pattern replaced. */
  text(text: string): string;
  /** Redacts a span's free-text fields in place. */
  span(span: Span): void;
}

/**
 * A redactor for `patterns` (built-in names or regular expression sources), or null when there
 * are none. Throws on an invalid pattern: config validation (patternProblem) reports it first.
 * @example createRedactor(['email', 'api_key'])?.text('mail a@b.io') // 'mail [REDACTED:email]'
 */
export function createRedactor(patterns: readonly string[]): Redactor | null {
  if (patterns.length === 0) return null;
  const compiled = patterns.map(compile);
  const text = (s: string): string => {
    let out = s;
    for (const p of compiled) out = out.replace(p.regex, p.replacement);
    return out;
  };
  const value = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(value);
    // fromEntries defines own properties, so even a "__proto__" key stays data, not a prototype.
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, value(inner)]));
    return v;
  };
  return {
    text,
    span(span) {
      if (span.input !== null) span.input = text(span.input);
      if (span.output !== null) span.output = text(span.output);
      if (span.error_message !== null) span.error_message = text(span.error_message);
      span.attributes = value(span.attributes) as Record<string, unknown>;
    },
  };
}
