// Exactly one evaluator when several Sightline nodes share one store (ClickHouse): the node that
// holds the store's 'alert-engine' lease ticks the engine; the others only follow the persisted
// rules, states and silences, so the alerts API answers the same on every node. A node that dies
// stops renewing; another takes over within one evaluation interval and starts from what was
// last persisted, so an alert already notified is not notified again. With one node per store
// (DuckDB) the lease is always granted and nothing is re-read.

import { randomUUID } from 'node:crypto';
import type { Coordination } from '../store/coordination.js';
import type { AlertEngine } from './engine.js';

export const ALERT_LEASE = 'alert-engine';

export interface AlertLeaderOptions {
  store: Coordination;
  engine: AlertEngine;
  intervalMs: number;
  clock: () => number;
  /** Identifies this node in the lease; random by default. */
  nodeId?: string;
  log?: (line: string) => void;
}

export interface AlertLeader {
  /**
   * One check: takes or renews the lease, then ticks when this node leads and a tick is due (a
   * follower re-reads the persisted state instead); resolves once any tick running has finished.
   */
  check(): Promise<void>;
  isLeader(): boolean;
  readonly nodeId: string;
  stop(): Promise<void>;
}

/**
 * Checks three times per interval with a lease of two thirds of it: one missed renewal is
 * tolerated, and a dead leader's lease lapses early enough for the next node to tick within one
 * interval of its death. Renewal does not wait for a tick (channels may take seconds to answer),
 * so a slow tick does not let the lease lapse while this node is still notifying.
 */
export function startAlertLeader(opts: AlertLeaderOptions): AlertLeader {
  const { store, engine, intervalMs, clock } = opts;
  const log = opts.log ?? (() => undefined);
  const nodeId = opts.nodeId ?? randomUUID();
  // Several writers: another node may have changed rules, states or silences since we read them.
  const shared = store.followOtherNodes !== undefined;
  const checkEveryMs = Math.max(1, Math.floor(intervalMs / 3));
  let leader = false;
  // The first tick comes one interval after start, as with a plain timer; a takeover ticks at once.
  let lastTick = clock();
  let first = true;
  let leasing: Promise<void> | null = null;
  let ticking: Promise<void> | null = null;

  /** Whether this node's delivery queue was read since it last started leading. */
  let queueLoaded = false;
  const tickAt = async (now: number): Promise<void> => {
    if (shared) {
      await engine.reload({ deliveries: !queueLoaded });
      queueLoaded = true;
    }
    await engine.tick(now);
  };

  /** Takes or renews the lease; starts a tick when this node leads and one is due. */
  const renew = async (): Promise<void> => {
    const now = clock();
    let got: boolean;
    try {
      got = await store.tryAcquireLease(ALERT_LEASE, nodeId, Math.floor((intervalMs * 2) / 3), now);
    } catch (err) {
      log(`alerts: lease check failed: ${(err as Error).message}`);
      return;
    }
    if (got !== leader) log(got ? `alerts: node ${nodeId} now evaluates alerts` : `alerts: node ${nodeId} lost the alert lease`);
    const tookOver = got && !leader && !first;
    first = false;
    leader = got;
    // A tick still running (slow channels) finishes first: no reload under it, no second tick.
    if (ticking !== null) return;
    if (!got) {
      // A follower sends nothing: it follows states and rules, not the delivery queue.
      queueLoaded = false;
      if (shared) await engine.reload({ deliveries: false });
      return;
    }
    // Half a check of slack: a timer firing a few ms early must not put the tick off a whole check.
    if (!tookOver && now - lastTick < intervalMs - checkEveryMs / 2) return;
    lastTick = now;
    ticking = tickAt(now)
      .catch((err: unknown) => log(`alerts: tick failed: ${(err as Error).message}`))
      .finally(() => {
        ticking = null;
      });
  };

  const check = async (): Promise<void> => {
    leasing ??= renew()
      .catch((err: unknown) => log(`alerts: following the alert state failed: ${(err as Error).message}`))
      .finally(() => {
        leasing = null;
      });
    await leasing;
    await ticking;
  };

  const timer = setInterval(() => void check(), checkEveryMs);
  timer.unref();
  return {
    nodeId,
    check,
    isLeader: () => leader,
    async stop() {
      clearInterval(timer);
      await leasing;
      await ticking;
    },
  };
}
