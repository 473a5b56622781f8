// Where the SDK reports problems: one line per distinct problem, never a flood and never a throw.

export interface Logger {
  warn(message: string): void;
}

export const consoleLogger: Logger = { warn: (m) => console.warn(`[sightline] ${m}`) };

export const silentLogger: Logger = { warn: () => {} };

/** Wraps a logger so each key is logged once for the life of the client. */
export function createOnceLogger(logger: Logger): { once(key: string, message: string): void } {
  const seen = new Set<string>();
  return {
    once(key, message) {
      if (seen.has(key)) return;
      seen.add(key);
      try {
        logger.warn(message);
      } catch {
        // A broken logger must not break the agent.
      }
    },
  };
}
