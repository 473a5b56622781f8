import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { createRedactor, patternProblem } from './redact.js';

describe('createRedactor', () => {
  const redactor = createRedactor(['email', 'api_key', 'bearer', 'ssn-\\d{4}'])!;

  it('replaces every built-in and custom match and nothing else', () => {
    expect(redactor.text('mail jane.doe+ops@example.co.uk or bob@x.io, not @handle or a@b')).toBe(
      'mail [REDACTED:email] or [REDACTED:email], not @handle or a@b',
    );
    expect(redactor.text('key sk-proj-abcdefghijklmnop1234 and AKIAABCDEFGHIJKLMNOP, task-abcdefghijklmnopqrst')).toBe(
      'key [REDACTED:api_key] and [REDACTED:api_key], task-abcdefghijklmnopqrst',
    );
    expect(redactor.text('curl -H "Authorization: Bearer eyJhbGciOi.J9x-y_z"')).toBe('curl -H "Authorization: [REDACTED:bearer]"');
    expect(redactor.text('id ssn-1234 ok')).toBe('id [REDACTED] ok');
  });

  it('redacts input, output, error message and nested attribute strings of a span in place', () => {
    const span = {
      input: 'from a@b.io',
      output: 'sl_abcdefghijklmnopqrstuvwx',
      error_message: 'denied for c@d.org',
      attributes: { user: { email: 'e@f.net', tags: ['g@h.dev', 3] }, n: 1 },
    } as unknown as Span;
    redactor.span(span);
    expect(span).toEqual({
      input: 'from [REDACTED:email]',
      output: '[REDACTED:api_key]',
      error_message: 'denied for [REDACTED:email]',
      attributes: { user: { email: '[REDACTED:email]', tags: ['[REDACTED:email]', 3] }, n: 1 },
    });
  });

  it('keeps "__proto__" attribute keys as data', () => {
    const span = { input: null, output: null, error_message: null, attributes: JSON.parse('{"__proto__":{"x":"a@b.io"}}') } as Span;
    redactor.span(span);
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value).toEqual({ x: '[REDACTED:email]' });
  });

  it('is linear on long runs that almost match (32 KiB of content in well under a second)', () => {
    const hostile = ['a'.repeat(32_768), 'a.'.repeat(16_384), 'a@'.repeat(16_384), 'a@b.'.repeat(8_192), `a@${'b.'.repeat(16_000)}1`, `sk-${'a'.repeat(32_000)}!`, `Bearer ${'a'.repeat(32_000)}`];
    const started = performance.now();
    for (const s of hostile) redactor.text(s);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never leaves an email in arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), fc.string(), (before, email, after) => {
        expect(redactor.text(`${before} ${email} ${after}`)).not.toContain(` ${email} `);
      }),
      { numRuns: 300 },
    );
  });

  it('is absent without patterns and rejects bad ones with the reason', () => {
    expect(createRedactor([])).toBeNull();
    expect(patternProblem('email')).toBeNull();
    expect(patternProblem('[a-')).toMatch(/^"\[a-" is neither a built-in pattern \(email, api_key, bearer\) nor a valid regular expression/);
    expect(patternProblem('x*')).toBe('"x*" matches the empty string, which would redact nothing useful');
  });
});
