// The signed-in API key, kept in sessionStorage (gone when the tab closes, never in the URL).

import { useEffect, useState } from 'preact/hooks';

const STORAGE_KEY = 'sightline.key';
let key: string | null = readStored();
let notice: string | null = null;
const listeners = new Set<() => void>();

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function getKey(): string | null {
  return key;
}

export function signIn(secret: string): void {
  key = secret;
  notice = null;
  sessionStorage.setItem(STORAGE_KEY, secret);
  listeners.forEach((l) => l());
}

/** Forgets the key; `why` is shown on the sign-in form (e.g. "API key has been revoked"). */
export function signOut(why: string | null = null): void {
  key = null;
  notice = why;
  sessionStorage.removeItem(STORAGE_KEY);
  listeners.forEach((l) => l());
}

export function useAuth(): { key: string | null; notice: string | null } {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { key, notice };
}
