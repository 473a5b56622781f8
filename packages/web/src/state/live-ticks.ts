// The app's one clock of live updates: each `changed` event from the server is a tick, numbered,
// with the range it changed kept in a log (tick-log.ts). Pages re-render on a tick; each panel
// asks the log what changed since it last loaded.

import { live, LIVE_TICK_MS } from '../api/live';
import { createTickLog, type ChangedSince } from './tick-log';

/** Panels whose answer is a whole-range analysis (alerts, findings, baselines) refresh this rarely. */
export const SLOW_REFRESH_MS = 3 * LIVE_TICK_MS;

const log = createTickLog();
const listeners = new Set<() => void>();
let unsubscribe: (() => void) | null = null;

function onChanged(range: { from: number; to: number } | null): void {
  log.record(range ?? 'all');
  document.body.dataset.liveTick = String(log.current());
  listeners.forEach((l) => l());
}

export const liveTicks = {
  current: (): number => log.current(),
  since: (tick: number): ChangedSince => log.since(tick),
  subscribe(l: () => void): () => void {
    listeners.add(l);
    unsubscribe ??= live.onChanges(onChanged);
    return () => void listeners.delete(l);
  },
};
