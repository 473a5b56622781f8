// Sign-in: the user pastes an API key with read scope; it is checked against the server before
// it is kept (sessionStorage, never the URL).

import { useState } from 'preact/hooks';
import { ApiError, getJson } from '../api/client';
import { signIn } from '../state/auth';

export function SignIn({ notice }: { notice: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin" id="main">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          const secret = key.trim();
          if (!secret) return setError('Paste an API key first.');
          setBusy(true);
          getJson('/api/overview?range=15m', undefined, secret).then(
            () => signIn(secret),
            (err: unknown) => {
              setBusy(false);
              setError(err instanceof ApiError ? err.message : 'The server did not answer.');
            },
          );
        }}
      >
        <h1>
          <img src="/favicon.svg" alt="" width="28" height="28" /> Sightline
        </h1>
        <p>Sign in with an API key that has the <code>read</code> scope (<code>annotate</code> to also score traces). It stays in this browser tab only.</p>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} autoFocus placeholder="sl_…" />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p class="muted small">
          Create one with <code>sightline keys create --project default --scope read</code>, or use the key <code>sightline demo</code> prints.
        </p>
      </form>
    </main>
  );
}
