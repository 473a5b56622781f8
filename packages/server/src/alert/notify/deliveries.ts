// Delivery of notifications to channels: each (notification × channel) is a recorded delivery,
// persisted before the first attempt, retried with exponential backoff on the engine's clock, and
// marked sent or failed. A failing channel never blocks evaluation or other channels.

import { randomUUID } from 'node:crypto';
import type { AlertStore } from '../../store/alert-store.js';
import type { Channel } from './channels.js';
import type { AlertNotification, NotificationKind } from './notification.js';

export interface Delivery {
  id: string;
  project: string;
  alert_id: string;
  channel: string;
  kind: NotificationKind;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
  notification: AlertNotification;
}

export interface DeliveryPolicy {
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubles each time, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface Dispatcher {
  /** Loads pending deliveries left by a previous run (they were never confirmed sent). */
  load(): Promise<void>;
  enqueue(notification: AlertNotification, channels: readonly Channel[], now: number): Promise<Delivery[]>;
  /** Attempts every delivery due at `now`; resolves when all attempts have finished. */
  dispatchDue(now: number): Promise<Delivery[]>;
  pending(): Delivery[];
}

export function createDispatcher(store: AlertStore, channels: ReadonlyMap<string, Channel>, policy: DeliveryPolicy): Dispatcher {
  const queue = new Map<string, Delivery>();
  const save = (ds: Delivery[]) =>
    store.putAlertRecords(
      'delivery',
      ds.map((d) => ({ project: d.project, id: d.id, updated_at: d.sent_at ?? d.created_at, body: d as unknown as Record<string, unknown> })),
    );
  const attempt = async (d: Delivery, now: number): Promise<Delivery> => {
    const channel = channels.get(d.channel);
    const outcome = channel
      ? await channel.send(d.notification, now)
      : { status: 'rejected' as const, error: `channel "${d.channel}" is no longer configured` };
    const next: Delivery = { ...d, attempts: d.attempts + 1 };
    if (outcome.status === 'ok') return { ...next, status: 'sent', sent_at: now, last_error: null };
    next.last_error = outcome.error;
    if (outcome.status === 'rejected' || next.attempts >= policy.maxAttempts) return { ...next, status: 'failed', sent_at: now };
    next.next_attempt_at = now + Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (next.attempts - 1));
    return next;
  };
  return {
    async load() {
      const records = await store.listAlertRecords('delivery');
      queue.clear();
      for (const r of records) {
        const d = r.body as unknown as Delivery;
        if (d.status === 'pending') queue.set(d.id, d);
      }
    },
    async enqueue(notification, targets, now) {
      const ds = targets.map<Delivery>((c) => ({
        id: randomUUID(),
        project: notification.project,
        alert_id: notification.alert_id,
        channel: c.name,
        kind: notification.kind,
        status: 'pending',
        attempts: 0,
        created_at: now,
        next_attempt_at: now,
        last_error: null,
        sent_at: null,
        notification,
      }));
      await save(ds);
      for (const d of ds) queue.set(d.id, d);
      return ds;
    },
    async dispatchDue(now) {
      const due = [...queue.values()].filter((d) => d.next_attempt_at <= now);
      if (due.length === 0) return [];
      const done = await Promise.all(due.map((d) => attempt(d, now)));
      for (const d of done) {
        if (d.status === 'pending') queue.set(d.id, d);
        else queue.delete(d.id);
      }
      await save(done);
      return done;
    },
    pending: () => [...queue.values()],
  };
}
