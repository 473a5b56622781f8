// GET /api/agents: the Agents table, one row per agent for a range, in one query.

import type { AgentTableReply } from '@sightline/api';
import type { Hono } from 'hono';
import { agentTable } from '../../query/agent-table.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseFilter, parseRange } from '../params.js';

export function registerAgentRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/agents', requireScope(deps.auth, 'read'), async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock());
    return c.json((await agentTable(deps.store, c.get('key').project, from, to, parseFilter(q))) satisfies AgentTableReply);
  });
}
