// Item 9 of the hostile-load suite: small defects owned by another engineer, replayed here with
// one answer each (an oversized admin body, bad key expiries, a chunked upload and the next
// request, route labels, CSV formulas, malformed protobuf and text, a malformed page address).

import type { ClientRequest } from 'node:http';
import net from 'node:net';
import { accepted, NOW, postEvents, type HostileCase } from './hostile-case.js';
import { fmtTally, json, send, tally } from './hostile-support.js';

/** Writes `total` bytes of JSON-ish filler in 1 MiB chunks, honouring backpressure. */
const streamBytes = (total: number) => async (req: ClientRequest) => {
  const chunk = Buffer.alloc(1_048_576, 0x20);
  for (let sent = 0; sent < total && !req.destroyed; sent += chunk.length) {
    if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
  }
};

/** Item 9's small defects, one answer each (owned by another engineer; replayed here). */
export const SMALL_DEFECTS: HostileCase[] = [
  {
    item: '9',
    name: '300 MB admin JSON body (POST /api/alerts/silences)',
    async run(ctx) {
      const a = await send(`${ctx.server.url}/api/alerts/silences`, { key: ctx.server.adminKey, headers: { 'content-type': 'application/json', 'content-length': String(300 * 1_048_576) }, body: streamBytes(300 * 1_048_576) });
      return { answers: fmtTally(tally([a])), acked: 0, ok: a.status === 413, note: `answered in ${Math.round(a.ms)} ms` };
    },
  },
  {
    item: '9',
    name: 'POST /api/keys with expires_at 1e300, 1.5, and in the past',
    async run(ctx) {
      const post = (expires: number) => send(`${ctx.server.url}/api/keys`, { key: ctx.server.adminKey, body: JSON.stringify({ scopes: ['read'], expires_at: expires }), headers: { 'content-type': 'application/json' } });
      const answers = [await post(1e300), await post(1.5), await post(Date.now() - 60_000)];
      const leaks = answers.some((a) => a.body.includes(ctx.server.dataDir));
      return { answers: answers.map((a) => a.status).join(', '), acked: 0, ok: answers.every((a) => a.status === 400) && !leaks, note: leaks ? 'message leaks the data path' : '' };
    },
  },
  {
    item: '9',
    name: 'chunked upload over 16 MB, then the next request on the same connection',
    async run(ctx) {
      const port = ctx.server.port;
      // Either answer is right: the next request answered at once on the same connection, or the
      // 413 announced `Connection: close` and the server closed it at once (RFC 9112 §9.6: the
      // client opens a new one); what the issue saw was a ~6 s stall, then a reset.
      const result = await new Promise<{ first: string; secondMs: number; second: string; closeAnnounced: boolean }>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let buffer = '';
        let secondAt = 0;
        const finish = (second: string) => {
          socket.destroy();
          resolve({
            first: /^HTTP\/1\.1 (\d+)/.exec(buffer)?.[1] ?? 'none',
            secondMs: secondAt ? performance.now() - secondAt : -1,
            second,
            closeAnnounced: /\r\nconnection: close\r\n/i.test(buffer.slice(0, buffer.indexOf('\r\n\r\n') + 2)),
          });
        };
        const timer = setTimeout(() => finish('no answer in 15 s'), 15_000);
        socket.on('data', (d) => {
          buffer += d.toString('latin1');
          if (secondAt === 0 && /^HTTP\/1\.1 \d+/.test(buffer) && buffer.includes('\r\n\r\n')) {
            secondAt = performance.now();
            socket.write(`GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n`);
          }
          const answers = buffer.match(/HTTP\/1\.1 \d+/g) ?? [];
          if (answers.length >= 2) {
            clearTimeout(timer);
            finish(answers[1]!.slice(9));
          }
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          finish('connection closed');
        });
        socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ctx.server.adminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const chunk = Buffer.alloc(1_048_576, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 18 && !socket.destroyed) {
            sent++;
            socket.write(`${chunk.length.toString(16)}\r\n`);
            socket.write(chunk);
            if (!socket.write('\r\n')) return void socket.once('drain', pump);
          }
          if (!socket.destroyed) socket.write('0\r\n\r\n');
        };
        pump();
      });
      return { answers: `upload ${result.first}, next request ${result.second}`, acked: 0, ok: result.first === '413' && result.secondMs >= 0 && result.secondMs < 1_000 && (result.second === '200' || (result.second === 'connection closed' && result.closeAnnounced)), note: result.secondMs >= 0 ? `next answer after ${Math.round(result.secondMs)} ms` : '' };
    },
  },
  {
    item: '9',
    name: '/metrics route labels, nosniff, /api/status for another project',
    async run(ctx) {
      await send(`${ctx.server.url}/api/overview?range=1h`, { key: ctx.server.adminKey });
      const metrics = await send(`${ctx.server.url}/metrics`, { key: ctx.server.adminKey });
      const unmatched = /route="unmatched"[^\n]*method="GET"|method="GET"[^\n]*route="unmatched"/.test(metrics.body);
      const api = await send(`${ctx.server.url}/api/overview?range=1h`, { key: ctx.server.adminKey });
      const nosniff = api.headers['x-content-type-options'] === 'nosniff';
      const other = json<{ key: string }>(await send(`${ctx.server.url}/api/keys`, { key: ctx.server.adminKey, body: JSON.stringify({ project: 'hostile-other', scopes: ['read'] }), headers: { 'content-type': 'application/json' } }))!;
      const status = json<{ store: { spans: number } }>(await send(`${ctx.server.url}/api/status`, { key: other.key }));
      const scoped = status?.store.spans === 0;
      return {
        answers: `GET routes labelled ${unmatched ? 'unmatched' : 'by route'}; nosniff ${nosniff ? 'yes' : 'no'}; other project sees ${status?.store.spans ?? '?'} spans`,
        acked: 0,
        ok: !unmatched && nosniff && scoped,
        note: '',
      };
    },
  },
  {
    item: '9',
    name: 'CSV export of =HYPERLINK, +SUM and @cmd values',
    async run(ctx) {
      const a = await postEvents(ctx.server, [
        { agent_id: 'hostile-csv', name: '=HYPERLINK("http://x","y")', timestamp: NOW() },
        { agent_id: 'hostile-csv', name: '+SUM(1,2)', timestamp: NOW() },
        { agent_id: 'hostile-csv', name: '@cmd', timestamp: NOW() },
      ]);
      const csv = await send(`${ctx.server.url}/api/export?format=csv&agent=hostile-csv&range=1h`, { key: ctx.server.adminKey });
      const raw = /(^|,)"?[=+@]/m.test(csv.body);
      return { answers: `ingest ${a.status}, export ${csv.status}`, acked: accepted(a), ok: csv.status === 200 && !raw, note: raw ? 'formulas written unescaped' : 'formulas escaped' };
    },
  },
  {
    item: '9',
    name: 'protobuf 08 96 01 (wrong wire type), NUL in agent_id, invalid UTF-8',
    async run(ctx) {
      const proto = await send(`${ctx.server.url}/v1/traces`, { key: ctx.server.adminKey, body: Buffer.from([0x08, 0x96, 0x01]), headers: { 'content-type': 'application/x-protobuf' } });
      const nul = await postEvents(ctx.server, [{ agent_id: 'hostile\u0000nul', timestamp: NOW() }]);
      const utf8 = await send(`${ctx.server.url}/v1/events`, {
        key: ctx.server.adminKey,
        body: Buffer.concat([Buffer.from('[{"agent_id":"hostile-utf8-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]),
        headers: { 'content-type': 'application/json' },
      });
      const metrics = await send(`${ctx.server.url}/metrics`, { key: ctx.server.adminKey });
      const rawNul = metrics.body.includes('\u0000');
      return {
        answers: `protobuf ${proto.status}, NUL ${nul.status}, bad UTF-8 ${utf8.status}`,
        acked: accepted(nul) + accepted(utf8),
        ok: proto.status === 400 && !rawNul && utf8.status === 400,
        note: rawNul ? 'raw NUL in /metrics' : '',
      };
    },
  },
  {
    item: '9',
    name: 'web page /agents/%E0%A4%A (URIError)',
    async run(ctx) {
      const a = await send(`${ctx.server.url}/agents/%E0%A4%A`);
      return { answers: fmtTally(tally([a])), acked: 0, ok: a.status === 200, note: 'the page itself runs in a browser: see packages/web tests' };
    },
  },
];
