// The text of `sightline --help`.

import { ENV_VAR_NAMES } from './config.js';

export const HELP = `sightline — telemetry server and dashboard for AI agents

Usage:
  sightline serve [options]        start the server (embedded DuckDB store by default)
  sightline demo [options]         start the server with a simulated fleet of agents
  sightline keys create --project P --scope ingest|read|annotate|admin [--scope …] [--expires 30d]
  sightline keys list              list API keys (never their secrets): scopes, expiry, state
  sightline keys revoke ID         revoke an API key
                                   keys go through the running server with --admin-key; with an
                                   explicit --data DIR they are managed offline (no server running)
  sightline tail [--agent A] [--errors] [--json]
                                   live spans, one coloured line each (JSON lines with --json)
  sightline query INSIGHT [--range 24h] [--agent A] [--json]
                                   the Insight engine's findings as a table: regressions, paths,
                                   cohorts, decisions, tokens, correlations
  sightline status [--json]        server health, store size, ingest rate, firing alerts
  sightline doctor [--range 24h] [--grace 60s] [--json]
                                   what each source's instrumentation leaves out, and what to set
  sightline export [--from T] [--to T | --range 24h] [--agent A] --format parquet|csv|ndjson --out FILE
                                   spans of the key's project, streamed from the server, and their
                                   scores beside them (x.parquet → x.scores.ndjson); --scores: alone
  sightline import FILE [--format parquet|csv|ndjson]
                                   send an export (Parquet, CSV) or NDJSON events through the ingest
                                   API's validation; spans already stored are not stored again;
                                   the scores file beside it too (a score id already stored is replaced)

  sightline mcp [--url URL] [--key KEY]
                                   the MCP server over stdio for coding agents (read key), reading
                                   the running server; the server also serves MCP at /mcp

Options:
  --port N            HTTP port (default 4318, the OTLP/HTTP port)          SIGHTLINE_PORT
  --host ADDR         address to listen on (default 127.0.0.1)              SIGHTLINE_HOST
  --health-port N     also serve GET /api/health, /api/ready, /metrics on    SIGHTLINE_HEALTH_PORT
                      this port, so probes do not queue behind ingest (0: any free port)
  --data DIR          data directory (default ./.sightline)                 SIGHTLINE_DATA_DIR
  --store URL         clickhouse://host:8123/db instead of embedded DuckDB  SIGHTLINE_STORE
  --config FILE       YAML or JSON config file (same keys as the schema)
  --capture-content   store prompts and outputs (off by default)           SIGHTLINE_CAPTURE_CONTENT
  --admin-key KEY     admin key for keys commands against a running server  SIGHTLINE_ADMIN_KEY
  --url URL           server for keys, tail, query, status, doctor, export, import, mcp     SIGHTLINE_URL
                      (default http://127.0.0.1:PORT)
  --key KEY           API key for tail, query, status, doctor, export, mcp (read) and import (ingest)  SIGHTLINE_API_KEY
  -h, --help          show this help
  -v, --version       show the version

Demo options:
  --agents N          simulated agents (default 8)
  --no-backfill       skip loading the last hours of history at start

Client commands print colour only on a terminal and never when NO_COLOR is set.

Environment variables: ${ENV_VAR_NAMES.join(', ')}, SIGHTLINE_URL, SIGHTLINE_API_KEY.
SIGHTLINE_ADMIN_KEY also sets (idempotently) the initial admin key on serve, for automated deployments.
`;
