// Dark and light themes: the user's choice (localStorage) or the system's; charts redraw on change.

import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';
const listeners = new Set<() => void>();

function initial(): Theme {
  const saved = localStorage.getItem('sightline.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let theme: Theme = initial();
document.documentElement.dataset.theme = theme;

export function setTheme(t: Theme): void {
  theme = t;
  localStorage.setItem('sightline.theme', t);
  document.documentElement.dataset.theme = t;
  listeners.forEach((l) => l());
}

export function useTheme(): Theme {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return theme;
}

/** Series colours that read on both backgrounds (canvas cannot use CSS variables). */
export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b', '#14b8a6', '#a855f7'];

export function chartInk(t: Theme): { axis: string; grid: string; band: string } {
  return t === 'dark'
    ? { axis: '#a0aec0', grid: 'rgba(255,255,255,0.08)', band: 'rgba(148,163,184,0.22)' }
    : { axis: '#4a5568', grid: 'rgba(0,0,0,0.07)', band: 'rgba(100,116,139,0.18)' };
}
