// `sightline mcp [--url URL] [--key KEY]`: the MCP server over stdio, for MCP clients that start
// their servers as processes (Claude Code, Claude Desktop, Cursor). It reads the running server's
// HTTP API with a read key (SIGHTLINE_URL, SIGHTLINE_API_KEY), never the data folder. stdout
// carries only protocol messages; problems go to stderr.

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { answerOf, type TelemetryApi } from '../http/mcp/api.js';
import { createMcpServer } from '../http/mcp/mcp-server.js';
import { packageVersion } from '../http/routes/status.js';
import { SightlineError } from '../model/errors.js';
import { clientOf } from './client.js';
import type { Flags } from './flags.js';

export async function runMcp(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const client = clientOf(flags, env);
  const api: TelemetryApi = async (path) => answerOf(await client.fetch(path, { headers: { accept: 'application/json' } }));
  // A wrong URL or key shows now, in the MCP client's server log, not as every tool failing later.
  const check = await api('/api/status');
  if (!check.ok) throw new SightlineError('CONFIG_INVALID', `mcp: ${client.url} answered ${check.status} with this key: ${check.message}`);
  const server = createMcpServer(api, packageVersion());
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  return 0;
}
