import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.js';

const secret = 'a-secret-of-sixteen+';

describe('webhook signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, with the timestamp', () => {
    const body = '{"kind":"firing"}';
    const want = createHmac('sha256', secret).update(`1700000000000.${body}`).digest('hex');
    expect(signPayload(secret, body, 1_700_000_000_000)).toBe(`t=1700000000000,v1=${want}`);
  });

  it('verifies the right body and rejects a changed body, a wrong secret and an old timestamp', () => {
    const body = '{"a":1}';
    const header = signPayload(secret, body, 1000);
    expect(verifySignature(secret, body, header, { now: 1000 })).toEqual({ ok: true });
    expect(verifySignature(secret, '{"a":2}', header, { now: 1000 })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySignature('another-secret-1234', body, header, { now: 1000 })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySignature(secret, body, header, { now: 1000 + 600_000 })).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verifySignature(secret, body, undefined, { now: 1000 })).toEqual({ ok: false, reason: 'missing signature header' });
  });
});
