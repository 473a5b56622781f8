// A titled card that shows its data's state: progress while loading (with elapsed seconds for
// slow queries), an error with the server's message, "not available" for endpoints this server
// lacks, an empty message, or the content.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Load } from '../state/use-api';

export interface PanelProps<T> {
  title: string;
  load: Load<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
  wide?: boolean;
  actions?: ComponentChildren;
  id?: string;
}

export function Loading({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const s = Math.floor((now - since) / 1000);
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading{s >= 1 ? ` — ${s}s` : '…'}
      {s >= 1 && <div class="progress" aria-hidden="true"><div /></div>}
    </div>
  );
}

export function StateView<T>({ load, isEmpty, empty, children }: Omit<PanelProps<T>, 'title'>) {
  switch (load.status) {
    case 'loading':
      return <Loading since={load.since} />;
    case 'error':
      return (
        <div class="state error" role="alert">
          Could not load: {load.error.message}
        </div>
      );
    case 'unavailable':
      return <div class="state unavailable">Not available on this server yet.</div>;
    case 'ok':
      if (isEmpty?.(load.data)) return <div class="state empty">{empty ?? 'No data in this time range.'}</div>;
      return <>{children(load.data)}</>;
  }
}

export function Panel<T>(props: PanelProps<T>) {
  return (
    <section class={`panel${props.wide ? ' wide' : ''}`} aria-label={props.title} data-state={props.load.status} id={props.id}>
      <header>
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      <StateView {...props} />
    </section>
  );
}
