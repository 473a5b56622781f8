// Reads the config from flags, environment variables and the config file (src/config.ts holds the
// schema). Merge order: flags → env → file → defaults. Each default says why it is what it is.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from '../config.js';
import { SightlineError } from '../model/errors.js';

export { configSchema, storeConfigOf, type Config, type ConfigInput } from '../config.js';

/** Environment variables and the config paths they set. */
const ENV_VARS: Record<string, { path: string[]; type: 'string' | 'number' | 'boolean' }> = {
  SIGHTLINE_PORT: { path: ['port'], type: 'number' },
  SIGHTLINE_HOST: { path: ['host'], type: 'string' },
  SIGHTLINE_HEALTH_PORT: { path: ['healthPort'], type: 'number' },
  SIGHTLINE_DATA_DIR: { path: ['data'], type: 'string' },
  SIGHTLINE_STORE: { path: ['store'], type: 'string' },
  SIGHTLINE_ADMIN_KEY: { path: ['adminKey'], type: 'string' },
  SIGHTLINE_RETENTION_SPANS_DAYS: { path: ['retention', 'spansDays'], type: 'number' },
  SIGHTLINE_RETENTION_ROLLUPS_DAYS: { path: ['retention', 'rollupsDays'], type: 'number' },
  SIGHTLINE_MAX_BODY_BYTES: { path: ['limits', 'maxBodyBytes'], type: 'number' },
  SIGHTLINE_CAPTURE_CONTENT: { path: ['limits', 'captureContent'], type: 'boolean' },
  SIGHTLINE_READ_TIMEOUT_MS: { path: ['limits', 'readTimeoutMs'], type: 'number' },
  SIGHTLINE_DUCKDB_MEMORY_LIMIT_MB: { path: ['duckdb', 'memoryLimitMb'], type: 'number' },
  SIGHTLINE_DUCKDB_THREADS: { path: ['duckdb', 'threads'], type: 'number' },
  SIGHTLINE_RATE_LIMIT: { path: ['rateLimit', 'eventsPerSecond'], type: 'number' },
  SIGHTLINE_METRICS_TOKEN: { path: ['metrics', 'scrapeToken'], type: 'string' },
  SIGHTLINE_METRICS_MAX_SERIES: { path: ['metrics', 'maxSeries'], type: 'number' },
  SIGHTLINE_MIN_FREE_DISK_BYTES: { path: ['readiness', 'minFreeDiskBytes'], type: 'number' },
  SIGHTLINE_MAX_ROLLUP_LAG_SPANS: { path: ['readiness', 'maxRollupLagSpans'], type: 'number' },
};

export const ENV_VAR_NAMES = Object.keys(ENV_VARS);

type Plain = Record<string, unknown>;

function setPath(target: Plain, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Plain;
  }
  node[path[path.length - 1]!] = value;
}

function coerce(name: string, raw: string, type: 'string' | 'number' | 'boolean'): unknown {
  if (type === 'string') return raw;
  if (type === 'boolean') {
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new SightlineError('CONFIG_INVALID', `${name}: expected true or false, got "${raw}"`);
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) {
    throw new SightlineError('CONFIG_INVALID', `${name}: expected a number, got "${raw}"`);
  }
  return n;
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null
        ? deepMerge(b as Plain, v as Plain)
        : v;
  }
  return out;
}

function readConfigFile(path: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SightlineError('CONFIG_INVALID', `config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Plain;
  } catch (err) {
    throw new SightlineError('CONFIG_INVALID', `config file ${path}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/**
 * Builds the config from flags (already mapped onto config paths), env and an optional file.
 * @example loadConfig({ flags: { port: 8080 }, env: process.env, file: 'sightline.yaml' })
 */
export function loadConfig(sources: { flags?: Plain; env?: NodeJS.ProcessEnv; file?: string }): Config {
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  const fromEnv: Plain = {};
  for (const [name, spec] of Object.entries(ENV_VARS)) {
    const raw = sources.env?.[name];
    if (raw !== undefined && raw !== '') setPath(fromEnv, spec.path, coerce(name, raw, spec.type));
  }
  const merged = deepMerge(deepMerge(fromFile, fromEnv), sources.flags ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'config';
    throw new SightlineError('CONFIG_INVALID', `${where}: ${issue.message}`);
  }
  return result.data;
}
