// Acknowledgements of alerts, kept apart from their states: on a shared store any node may take
// one, and writing the whole state from a node that does not evaluate could undo the evaluating
// node's newer state (a notification marked sent, a streak). One applies while its alert is in the
// firing episode it was taken in (same fired_at); a new firing starts unacknowledged.

import type { AlertStore } from '../store/alert-store.js';

/** What can be acknowledged: an alert state or an incident (its fired_at is its opening). */
export interface Acknowledgeable {
  id: string;
  project: string;
  fired_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

/** An acknowledgement record (kind 'ack', id = alert id). */
interface Acknowledgement {
  /** The firing episode acknowledged: the alert's fired_at then (null: not fired yet). */
  fired_at: number | null;
  acknowledged_at: number;
  acknowledged_by: string;
}

export interface Acknowledgements {
  /** Replaces what is known with the store's records. */
  load(): Promise<void>;
  /** Sets `s`'s acknowledgement fields when one was taken in its current firing episode. */
  apply(s: Acknowledgeable): void;
  /** Persists an acknowledgement of `s`'s current episode by `by`. */
  take(s: Acknowledgeable, by: string, now: number): Promise<void>;
}

export function createAcknowledgements(store: AlertStore): Acknowledgements {
  const acks = new Map<string, Acknowledgement>();
  return {
    async load() {
      const records = await store.listAlertRecords('ack');
      acks.clear();
      for (const r of records) acks.set(r.id, r.body as unknown as Acknowledgement);
    },
    apply(s) {
      const a = acks.get(s.id);
      if (a !== undefined && a.fired_at === s.fired_at && s.acknowledged_at === null) {
        Object.assign(s, { acknowledged_at: a.acknowledged_at, acknowledged_by: a.acknowledged_by });
      }
    },
    async take(s, by, now) {
      const ack: Acknowledgement = { fired_at: s.fired_at, acknowledged_at: now, acknowledged_by: by };
      await store.putAlertRecords('ack', [{ project: s.project, id: s.id, updated_at: now, body: ack as unknown as Record<string, unknown> }]);
      acks.set(s.id, ack);
    },
  };
}
