// Sessions (a conversation's traces) and end users ranked by cost or errors. Read scope; the
// project always comes from the key.

import type { SessionsReply, UsersReply } from '@sightline/api';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseEnum, parseNumber, parseRange } from '../params.js';
import { parseId } from '../trace-search-params.js';

export function registerSessionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');

  app.get('/api/sessions', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock(), 86_400_000);
    const user = parseId('user_id', q('user_id'));
    const session = parseId('session_id', q('session_id'));
    const agent = parseId('agent', q('agent'));
    const sessions = await deps.store.searchSessions({
      project: c.get('key').project,
      from,
      to,
      limit: parseNumber(q, 'limit', 1, 1000) ?? 100,
      ...(user !== undefined && { user_id: user }),
      ...(session !== undefined && { session_id: session }),
      ...(agent !== undefined && { agent }),
    });
    return c.json({ sessions } satisfies SessionsReply);
  });

  app.get('/api/users', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock(), 86_400_000);
    const agent = parseId('agent', q('agent'));
    const users = await deps.store.rankUsers({
      project: c.get('key').project,
      from,
      to,
      order: parseEnum('order', q('order') ?? 'cost', ['cost', 'errors'] as const),
      limit: parseNumber(q, 'limit', 1, 1000) ?? 50,
      ...(agent !== undefined && { agent }),
    });
    return c.json({ users } satisfies UsersReply);
  });
}
