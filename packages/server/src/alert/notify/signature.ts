// HMAC-SHA256 signatures for the generic webhook, so a receiver can check that a payload came from
// this Sightline and was not replayed: header `X-Sightline-Signature: t=<ms>,v1=<hex>` where hex is
// HMAC-SHA256(secret, `${t}.${body}`).

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-sightline-signature';

export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a signature header against the raw body; what a receiver runs.
 * @example verifySignature(secret, rawBody, req.headers['x-sightline-signature'], { now: Date.now() })
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  opts: { now: number; toleranceMs?: number },
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing signature header' };
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1;
  if (!Number.isFinite(t) || !given) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(opts.now - t) > (opts.toleranceMs ?? 300_000)) return { ok: false, reason: 'timestamp outside tolerance' };
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(given, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
