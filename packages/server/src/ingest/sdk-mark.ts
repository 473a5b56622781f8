// Marks native spans sent by a Sightline SDK with its name and version, for the telemetry doctor:
// the first product token of the request's User-Agent when it starts with `sightline-` (the SDKs
// send `sightline-sdk-js/0.1.0`, `sightline-sdk-python/0.1.0`). Other clients (curl, fetch) leave
// no mark, so their spans stay exactly as sent. OTLP spans carry their SDK as
// resource.telemetry.sdk.* instead.

import { SDK_MARK } from '../model/reserved-attributes.js';
import type { Span } from '../model/span.js';

/** Longest product token kept: SDK names are short; anything longer is cut, not rejected. */
const MAX_SDK_LENGTH = 64;

/**
 * The Sightline SDK's product token, or null for any other client.
 * @example sdkOfUserAgent('sightline-sdk-js/0.1.0 node/20.19') // → 'sightline-sdk-js/0.1.0'
 */
export function sdkOfUserAgent(userAgent: string | undefined): string | null {
  const token = /^\s*(sightline-\S+)/.exec(userAgent ?? '')?.[1];
  return token === undefined ? null : token.slice(0, MAX_SDK_LENGTH);
}

/**
 * Sets SDK_MARK on each span that lacks it; after validation, so it never costs a span its place
 * under the attribute limit.
 */
export function markSdk(spans: readonly Span[], sdk: string | null): void {
  if (sdk === null) return;
  for (const span of spans) if (!Object.hasOwn(span.attributes, SDK_MARK)) span.attributes[SDK_MARK] = sdk;
}
