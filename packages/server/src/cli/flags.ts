// The CLI's flags: one list for parsing and "did you mean", and the mapping of flags onto config
// (flags win over env and file). Every subcommand takes its flags from here.

import type { parseArgs } from 'node:util';
import { SightlineError } from '../model/errors.js';
import { loadConfig, type Config } from './config.js';

export const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'health-port': { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  config: { type: 'string' },
  'capture-content': { type: 'boolean' },
  'admin-key': { type: 'string' },
  url: { type: 'string' },
  project: { type: 'string' },
  scope: { type: 'string', multiple: true },
  expires: { type: 'string' },
  agents: { type: 'string' },
  'no-backfill': { type: 'boolean' },
  key: { type: 'string' },
  agent: { type: 'string' },
  errors: { type: 'boolean' },
  json: { type: 'boolean' },
  range: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  grace: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  scores: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

function intFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new SightlineError('CONFIG_INVALID', `--${name}: expected a whole number, got "${raw}"`);
  return Number(raw);
}

/** Flags mapped onto config paths (flags win over env and file). */
export function configFromFlags(flags: Flags, env: NodeJS.ProcessEnv): Config {
  const over: Record<string, unknown> = {};
  const port = intFlag('port', flags.port);
  if (port !== undefined) over.port = port;
  if (flags.host !== undefined) over.host = flags.host;
  const healthPort = intFlag('health-port', flags['health-port']);
  if (healthPort !== undefined && healthPort > 65535) throw new SightlineError('CONFIG_INVALID', `--health-port: expected a port from 0 to 65535, got ${healthPort}`);
  if (healthPort !== undefined) over.healthPort = healthPort;
  if (flags.data !== undefined) over.data = flags.data;
  if (flags.store !== undefined) over.store = flags.store;
  if (flags['admin-key'] !== undefined) over.adminKey = flags['admin-key'];
  if (flags['capture-content']) over.limits = { captureContent: true };
  return loadConfig({ flags: over, env, ...(flags.config !== undefined && { file: flags.config }) });
}
