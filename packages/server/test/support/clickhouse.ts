// Starts real ClickHouse servers (Debian's clickhouse-server, see scripts/setup-test-deps.sh) on
// random loopback ports, each with its own config and data dir, optionally as the shards of one
// cluster. Nothing is mocked; the packaged system service is never used.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLICKHOUSE_BINARY = process.env.SIGHTLINE_CLICKHOUSE_SERVER ?? 'clickhouse-server';

export interface ClickHouseServer {
  /** HTTP endpoint, e.g. http://127.0.0.1:41234 */
  url: string;
  httpPort: number;
  tcpPort: number;
  dir: string;
  process: ChildProcess;
}

export interface ClickHouseCluster {
  /** One server per shard, in shard order. */
  shards: ClickHouseServer[];
  /** Name of the cluster in every server's remote_servers config. */
  cluster: string;
  /** A `--store` URL for Sightline against shard `i` (with the cluster when there are several). */
  storeUrl(database: string, shard?: number): string;
  /** SIGKILLs shard `i`'s server, as a crash would stop it; its data dir and ports stay its own. */
  kill(shard?: number): Promise<void>;
  /** Starts shard `i` again on its data dir and ports; resolves once it answers /ping. */
  restart(shard?: number): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CLUSTER = 'sightline_test';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function configXml(dir: string, http: number, tcp: number, interserver: number, shardTcpPorts: number[]): string {
  const shards = shardTcpPorts
    .map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`)
    .join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers><${TEST_CLUSTER}>${shards}</${TEST_CLUSTER}></remote_servers>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><log_queries>0</log_queries></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(url: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`clickhouse-server exited with ${exited}; see ${dir}/error.log`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server did not answer /ping within 30 s; see ${dir}/error.log`);
}

function spawnServer(dir: string): ChildProcess {
  return spawn(CLICKHOUSE_BINARY, ['--config-file', join(dir, 'config.xml')], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
}

async function stopServer(server: ClickHouseServer): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

class PortTakenError extends Error {}

/** Starts `count` servers on ports found free; PortTakenError when one was taken meanwhile. */
async function startShards(count: number): Promise<ClickHouseServer[]> {
  const ports = await Promise.all(
    Array.from({ length: count }, async () => ({ http: await freePort(), tcp: await freePort(), inter: await freePort() })),
  );
  const shards: ClickHouseServer[] = [];
  try {
    for (const p of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'sightline-ch-'));
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, 'config.xml'), configXml(dir, p.http, p.tcp, p.inter, ports.map((q) => q.tcp)));
      writeFileSync(join(dir, 'users.xml'), USERS_XML);
      shards.push({ url: `http://127.0.0.1:${p.http}`, httpPort: p.http, tcpPort: p.tcp, dir, process: spawnServer(dir) });
    }
    await Promise.all(shards.map((s) => waitForPing(s.url, s.process, s.dir)));
    return shards;
  } catch (err) {
    await Promise.all(shards.map(stopServer));
    const taken = shards.some((s) => existsSync(join(s.dir, 'error.log')) && readFileSync(join(s.dir, 'error.log'), 'utf8').includes('Address already in use'));
    if (taken) {
      for (const s of shards) rmSync(s.dir, { recursive: true, force: true });
      throw new PortTakenError(err instanceof Error ? err.message : String(err));
    }
    throw err;
  }
}

/**
 * Starts `shards` ClickHouse servers that all know a two-or-more-shard cluster TEST_CLUSTER made of
 * themselves, and resolves once each answers /ping.
 * @example const ch = await startClickHouse(); const url = ch.storeUrl('t1'); … await ch.stop();
 */
export async function startClickHouse(opts: { shards?: number } = {}): Promise<ClickHouseCluster> {
  const count = opts.shards ?? 1;
  // A port found free can be taken by another test file's server before ClickHouse binds it
  // (test files run in parallel): such a start is retried on new ports.
  let shards: ClickHouseServer[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      shards = await startShards(count);
      break;
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
  return {
    shards,
    cluster: TEST_CLUSTER,
    storeUrl(database, shard = 0) {
      const base = `clickhouse://127.0.0.1:${shards[shard]!.httpPort}/${database}`;
      if (count === 1) return base;
      const others = shards.map((s) => `&shard=127.0.0.1:${s.httpPort}`).join('');
      return `${base}?cluster=${TEST_CLUSTER}${others}`;
    },
    async kill(shard = 0) {
      const child = shards[shard]!.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    async restart(shard = 0) {
      const server = shards[shard]!;
      server.process = spawnServer(server.dir);
      await waitForPing(server.url, server.process, server.dir);
    },
    async stop() {
      await Promise.all(shards.map(stopServer));
      for (const s of shards) rmSync(s.dir, { recursive: true, force: true });
    },
  };
}
