import { describe, expect, it } from 'vitest';
import { classifyResponse, parseRetryAfter } from './transport.js';

describe('classifyResponse', () => {
  it('maps each status to what it means for the batch', () => {
    expect(classifyResponse(200, '{"accepted":3,"rejected":[]}', undefined)).toEqual({ status: 'ok', accepted: 3, rejected: [] });
    expect(classifyResponse(200, '<html>', undefined)).toEqual({ status: 'ok', accepted: -1, rejected: [] });
    expect(classifyResponse(400, '{"error":{"message":"body is not JSON"}}', undefined)).toEqual({ status: 'rejected', httpStatus: 400, message: 'body is not JSON' });
    expect(classifyResponse(401, '{"error":"invalid key"}', undefined)).toEqual({ status: 'rejected', httpStatus: 401, message: 'invalid key' });
    expect(classifyResponse(413, '', undefined)).toEqual({ status: 'rejected', httpStatus: 413, message: '(empty body)' });
    expect(classifyResponse(415, 'nope', undefined)).toEqual({ status: 'rejected', httpStatus: 415, message: 'nope' });
    expect(classifyResponse(429, '', '2')).toEqual({ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 2000 });
    expect(classifyResponse(503, '', undefined)).toEqual({ status: 'retryable', reason: 'HTTP 503' });
    expect(classifyResponse(408, '', undefined)).toEqual({ status: 'retryable', reason: 'HTTP 408' });
    expect(classifyResponse(302, '', undefined)).toEqual({ status: 'retryable', reason: 'unexpected HTTP 302' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, ignores junk', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
