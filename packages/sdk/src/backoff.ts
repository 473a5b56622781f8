// How long to wait before the next attempt of a batch: the server's Retry-After when it gave one,
// else exponential backoff with jitter so many agents do not retry in lockstep.

export interface BackoffPolicy {
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetryAfterMs: number;
}

/**
 * @param retry 0 for the first retry, 1 for the second…
 * @example retryDelayMs(2, undefined, policy, Math.random) // 1000–2000 ms with a 500 ms base
 */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random: () => number): number {
  if (retryAfterMs !== undefined) {
    // Honour the server, plus up to 10% so a fleet told "1 s" does not come back in one burst.
    const base = Math.min(policy.maxRetryAfterMs, Math.max(0, retryAfterMs));
    return base + base * 0.1 * random();
  }
  const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(retry, 30));
  return ceiling / 2 + (ceiling / 2) * random();
}
