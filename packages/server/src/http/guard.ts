// Authentication and scope checks as Hono middleware.

import type { MiddlewareHandler } from 'hono';
import type { Scope } from '../store/store.js';
import { keyAllows, keyFromHeaders, type Authenticator } from './auth.js';
import type { AppEnv } from './context.js';
import { fail } from './respond.js';

export function requireScope(auth: Authenticator, scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = keyFromHeaders((n) => c.req.header(n));
    const result = await auth.authenticate(secret);
    if (result.status !== 'ok') return fail(c, 401, 'unauthenticated', result.message);
    if (!keyAllows(result.key, scope)) {
      return fail(c, 403, 'forbidden', `this API key lacks the "${scope}" scope (it has: ${result.key.scopes.join(', ')})`);
    }
    c.set('key', result.key);
    await next();
  };
}
