// The health port (--health-port): probes and scrapers get a listening socket of their own, so they
// do not wait in the main port's accept queue behind a flood of ingest connections. Same handlers
// and auth as the main port, nothing else served, bad values named at start, closed on stop.
// The point, shown by order rather than time: with the server stopped, 300 connections wait in the
// main port's accept queue; a health request on each port then arrives, and once the server runs
// again the health port answers first (one accept per event-loop turn per socket). How fast under
// a real flood is measured by bench:hostile, which probes both ports.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './support/cli.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const SCRAPE_TOKEN = 'scrape_token_for_health_port_0123456789';

function serve(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-health-port-'));
  const r = spawnSync(process.execPath, [CLI, 'serve', '--data', dir, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 });
  return { code: r.status, stderr: r.stderr };
}

/** Connects (the kernel completes it into the accept queue even while the server is stopped). */
function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends GET /api/health and resolves once it is written; `answer` is its status line, once the answer ends. */
async function askHealth(port: number, name: string, order: string[]): Promise<{ answer: Promise<string> }> {
  const socket = await connected(port);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  const answer = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('end', () => {
      order.push(name);
      resolve(text.split('\r\n')[0]!);
    });
  });
  await new Promise<void>((resolve) => socket.write('GET /api/health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n', () => resolve()));
  return { answer };
}

/** A metrics page without its sample values, which move between two scrapes. */
const seriesOf = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => (l.startsWith('#') ? l : l.replace(/ [^ ]+$/, '')));

describe('the health port', () => {
  let server: RunningServer;
  let health: string;

  beforeAll(async () => {
    server = await startServer({ healthPort: 0, env: { SIGHTLINE_METRICS_TOKEN: SCRAPE_TOKEN } });
    health = server.healthUrl!;
  }, 60_000);
  afterAll(() => server?.stop({ remove: true }));

  it('is another port on the same host, named in the startup line', () => {
    expect(server.healthPort).not.toBe(server.port);
    expect(server.output()).toContain(`sightline health port on http://127.0.0.1:${server.healthPort} (GET /api/health, /api/ready, /metrics only)\n`);
  });

  it('answers health and ready as the main port does', async () => {
    const [main, mgmt] = await Promise.all([request(`${server.url}/api/health`), request(`${health}/api/health`)]);
    expect([mgmt.status, mgmt.body]).toEqual([200, { status: 'ok' }]);
    expect([mgmt.status, mgmt.body]).toEqual([main.status, main.body]);
    const [mainReady, mgmtReady] = await Promise.all([request(`${server.url}/api/ready`), request(`${health}/api/ready`)]);
    expect(mgmtReady.status).toBe(200);
    expect(mainReady.status).toBe(200);
    // Free disk space moves between two reads; everything else is the same answer.
    expect(mgmtReady.body).toEqual({ ...mainReady.body, checks: { ...mainReady.body.checks, disk_free_bytes: expect.any(Number) } });
    expect(Object.keys(mgmtReady.body.checks)).toEqual(['disk_free_bytes', 'rollup_lag_spans']);
  });

  it('answers HEAD as the main port does: the status and headers of GET, no body', async () => {
    for (const path of ['/api/health', '/api/ready']) {
      const [main, mgmt] = await Promise.all([fetch(`${server.url}${path}`, { method: 'HEAD' }), fetch(`${health}${path}`, { method: 'HEAD' })]);
      expect([mgmt.status, main.status], path).toEqual([200, 200]);
      expect(mgmt.headers.get('content-type'), path).toBe(main.headers.get('content-type'));
      expect(await mgmt.text(), path).toBe('');
    }
  });

  it('serves /metrics with the same auth and the same series as the main port', async () => {
    const [mainAnon, mgmtAnon] = await Promise.all([request(`${server.url}/metrics`), request(`${health}/metrics`)]);
    expect(mgmtAnon.status).toBe(401);
    expect([mgmtAnon.status, mgmtAnon.body]).toEqual([mainAnon.status, mainAnon.body]);
    const wrong = await request(`${health}/metrics`, { key: 'not_the_scrape_token_0123456789' });
    expect(wrong.status).toBe(401);
    // A first scrape, so the 200 of /metrics is a series in both pages compared below.
    expect((await request(`${server.url}/metrics`, { key: SCRAPE_TOKEN })).status).toBe(200);
    const main = await request<string>(`${server.url}/metrics`, { key: SCRAPE_TOKEN });
    const mgmt = await request<string>(`${health}/metrics`, { key: SCRAPE_TOKEN });
    expect([main.status, mgmt.status]).toEqual([200, 200]);
    expect(mgmt.headers.get('content-type')).toBe(main.headers.get('content-type'));
    expect(seriesOf(mgmt.body)).toEqual(seriesOf(main.body));
    expect(mgmt.body).toContain('# TYPE sightline_');
  });

  it('answers 404 naming the path and what it serves for anything else', async () => {
    const message = (method: string, path: string) => ({
      error: { code: 'not_found', message: `no route for ${method} ${path} on the health port: it serves only GET /api/health, GET /api/ready, GET /metrics` },
    });
    for (const path of ['/api/traces', '/v1/events', '/', '/api/health/x']) {
      const r = await request(`${health}${path}`, { key: server.adminKey });
      expect([path, r.status, r.body]).toEqual([path, 404, message('GET', path)]);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const post = await request(`${health}/v1/events`, { key: server.adminKey, body: [{ agent_id: 'a', span_type: 'llm_call' }] });
    expect([post.status, post.body]).toEqual([404, message('POST', '/v1/events')]);
    const postHealth = await request(`${health}/api/health`, { method: 'POST' });
    expect([postHealth.status, postHealth.body]).toEqual([404, message('POST', '/api/health')]);
  });

  it('answers before the main port while connections queue there', async () => {
    const pid = server.process.pid!;
    const held: Socket[] = [];
    const order: string[] = [];
    process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 300; i++) held.push(await connected(server.port));
      // Both written into the stopped server's queues before it runs again: the race starts level.
      const onMain = await askHealth(server.port, 'main port', order);
      const onHealth = await askHealth(server.healthPort!, 'health port', order);
      process.kill(pid, 'SIGCONT');
      expect(await Promise.all([onMain.answer, onHealth.answer])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      expect(order).toEqual(['health port', 'main port']);
    } finally {
      process.kill(pid, 'SIGCONT');
      for (const socket of held) socket.destroy();
    }
  }, 60_000);

  it('leaves the main port serving health and ready', async () => {
    expect((await request(`${server.url}/api/health`)).body).toEqual({ status: 'ok' });
    expect((await request(`${server.url}/api/ready`)).status).toBe(200);
  });
});

describe('the health port at start and stop', () => {
  it('refuses a port out of range, naming the flag', () => {
    expect(serve(['--port', '0', '--health-port', '70000'])).toEqual({ code: 2, stderr: 'sightline: --health-port: expected a port from 0 to 65535, got 70000\n' });
    expect(serve(['--port', '0', '--health-port', 'x'])).toEqual({ code: 2, stderr: 'sightline: --health-port: expected a whole number, got "x"\n' });
  });

  it('refuses the main port as health port, from the flag or the environment', () => {
    const expected = {
      code: 2,
      stderr: 'sightline: healthPort: 4999 is the main port; the health port (--health-port, SIGHTLINE_HEALTH_PORT) must be another port, or 0 for any free one\n',
    };
    expect(serve(['--port', '4999', '--health-port', '4999'])).toEqual(expected);
    expect(serve(['--port', '4999'], { SIGHTLINE_HEALTH_PORT: '4999' })).toEqual(expected);
  });

  it('names a health port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = serve(['--port', '0', '--health-port', String(port)]);
    blocker.close();
    expect(r).toEqual({ code: 1, stderr: `sightline: port ${port} on 127.0.0.1 is already in use; choose another with --health-port or SIGHTLINE_HEALTH_PORT\n` });
  });

  it('is gone after the server stops', async () => {
    const server = await startServer({ healthPort: 0 });
    expect((await request(`${server.healthUrl!}/api/health`)).status).toBe(200);
    expect(await server.stop({ remove: true })).toBe(0);
    const refused = await fetch(`${server.healthUrl!}/api/health`).then(
      () => 'answered',
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
  }, 60_000);
});
