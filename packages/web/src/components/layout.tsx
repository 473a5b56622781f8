// The frame around every page: navigation, global time range, live indicator, theme, sign out.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { live, type LiveStatus } from '../api/live';
import { signOut } from '../state/auth';
import { hrefWith, setParams, useRoute } from '../state/route';
import { setTheme, useTheme } from '../state/theme';
import { RANGES, timeRange } from '../state/time-range';

const NAV = [
  ['/', 'Overview'],
  ['/agents', 'Agents'],
  ['/decisions', 'Decisions'],
  ['/cohorts', 'Cohorts'],
  ['/traces', 'Traces'],
  ['/sessions', 'Sessions'],
  ['/alerts', 'Alerts'],
  ['/budgets', 'Budgets'],
  ['/live', 'Live'],
  ['/doctor', 'Doctor'],
] as const;

function useLiveStatus(): LiveStatus {
  const [s, set] = useState(live.status);
  useEffect(() => live.onStatus(() => set(live.status)), []);
  return s;
}

const STATUS_TEXT: Record<LiveStatus, string> = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', off: 'Offline' };

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function RangePicker() {
  const route = useRoute();
  const t = timeRange(route);
  const [custom, setCustom] = useState(!t.relative);
  const [from, setFrom] = useState(toLocalInput(t.from));
  const [to, setTo] = useState(toLocalInput(t.to));
  return (
    <div class="range-picker">
      <label class="sr-only" for="range">Time range</label>
      <select
        id="range"
        value={custom ? 'custom' : (t.range ?? '1h')}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          if (v === 'custom') {
            setCustom(true);
            setFrom(toLocalInput(t.from));
            setTo(toLocalInput(t.to));
          } else {
            setCustom(false);
            setParams({ range: v, from: null, to: null });
          }
        }}
      >
        {RANGES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {custom && (
        <form
          class="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new Date(from).getTime();
            const tt = new Date(to).getTime();
            if (f < tt) setParams({ range: null, from: String(f), to: String(tt) });
          }}
        >
          <label>
            From <input type="datetime-local" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            To <input type="datetime-local" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
    </div>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const route = useRoute();
  const theme = useTheme();
  const status = useLiveStatus();
  const section = '/' + (route.path.split('/')[1] ?? '');
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={hrefWith('/')}>
          <img src="/favicon.svg" alt="" width="22" height="22" /> Sightline
        </a>
        <nav aria-label="Pages">
          {NAV.map(([path, label]) => (
            <a key={path} href={hrefWith(path)} aria-current={section === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="tools">
          <RangePicker />
          <span class={`live-dot ${status}`} role="status" aria-live="polite" data-live={status} title="Connection to the live stream">
            <span aria-hidden="true" class="dot" />
            {STATUS_TEXT[status]}
          </span>
          <button type="button" class="ghost" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button type="button" class="ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
