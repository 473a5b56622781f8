// The Sightline MCP server: tools (tools.ts) and trace resources over the HTTP API, for any MCP
// transport (streamable HTTP at /mcp, stdio in `sightline mcp`).

import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TelemetryApi } from './api.js';
import { registerTools } from './tools.js';
import { traceUri } from './trace-view.js';

export const MCP_INSTRUCTIONS =
  'Sightline holds the telemetry of AI agents: one span per LLM call, tool call and decision. Start with overview or alerts, ' +
  'find traces with search_traces, open one with get_trace, and ask the insight_* tools why something changed.';

export function createMcpServer(api: TelemetryApi, version: string, clock: () => number = Date.now): McpServer {
  const server = new McpServer({ name: 'sightline', version }, { instructions: MCP_INSTRUCTIONS });
  registerTools(server, api, clock);
  server.registerResource(
    'trace',
    new ResourceTemplate('sightline://traces/{trace_id}', { list: undefined }),
    { title: 'A trace', description: 'Every span of a trace in full (prompts and outputs too), as JSON', mimeType: 'application/json' },
    async (uri, { trace_id }) => {
      const id = decodeURIComponent(String(trace_id));
      const r = await api<{ spans: unknown[] }>(`/api/traces/${encodeURIComponent(id)}`);
      if (!r.ok) throw new Error(`Sightline answered ${r.status}: ${r.message}`);
      return { contents: [{ uri: traceUri(id), mimeType: 'application/json', text: JSON.stringify(r.body) }] };
    },
  );
  return server;
}
