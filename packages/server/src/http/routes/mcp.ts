// /mcp: the MCP server over streamable HTTP on the server's own port. A read-scope key (the
// project comes from it, as everywhere); the tools read the API in process with that same key.
// Stateless: each request gets its own server and transport, so nothing is kept between calls
// and any node of a scaled-out deployment can answer.

import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { inProcessApi } from '../mcp/api.js';
import { createMcpServer } from '../mcp/mcp-server.js';
import { fail } from '../respond.js';
import { packageVersion } from './status.js';

/** A JSON-RPC message from a client is small; this bounds what a request may make us parse. */
const MAX_MCP_BODY_BYTES = 1024 * 1024;

export function registerMcpRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const version = packageVersion();
  app.on(['GET', 'POST', 'DELETE'], '/mcp', requireScope(deps.auth, 'read'), async (c) => {
    // Stateless, so the server never sends on its own: no event stream to open (the SDK's client
    // takes 405 as "none offered").
    if (c.req.method === 'GET') {
      c.header('Allow', 'POST, DELETE');
      return fail(c, 405, 'bad_request', 'GET /mcp: this MCP endpoint is stateless and offers no event stream; send JSON-RPC requests with POST');
    }
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_MCP_BODY_BYTES) return fail(c, 413, 'payload_too_large', `MCP request body: ${length} bytes exceeds the limit of ${MAX_MCP_BODY_BYTES}`);
    const api = inProcessApi((req) => app.fetch(req, c.env), c.req.header('authorization') ?? `Bearer ${c.req.header('x-sightline-key') ?? ''}`);
    const server = createMcpServer(api, version, deps.clock);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      void server.close();
    }
  });
}
