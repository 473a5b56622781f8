// Sends one encoded batch to POST {endpoint}/v1/events (or /v1/scores) and classifies the answer as a value.

import http from 'node:http';
import https from 'node:https';

export interface RejectedEvent {
  index: number;
  field?: string;
  error?: string;
}

export type ExportResult =
  | { status: 'ok'; accepted: number; rejected: RejectedEvent[] }
  | { status: 'rejected'; httpStatus: number; message: string }
  | { status: 'retryable'; reason: string; retryAfterMs?: number };

export interface EncodedBatch {
  body: Buffer;
  gzipped: boolean;
  count: number;
  /** Same for every attempt of this batch, so the server can drop duplicates of a retried request. */
  idempotencyKey: string;
  /** Where it goes: absent for span events (/v1/events), 'scores' for scores (/v1/scores). */
  route?: 'scores';
}

/** Sends a batch. Implementations resolve with a result and never reject. */
export interface Transport {
  send(batch: EncodedBatch): Promise<ExportResult>;
  close?(): void;
}

export interface HttpTransportOptions {
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const NON_RETRYABLE = new Set([400, 401, 403, 413, 415]);

export function createHttpTransport(opts: HttpTransportOptions): Transport {
  const url = new URL('/v1/events', opts.endpoint + '/');
  const scoresUrl = new URL('/v1/scores', opts.endpoint + '/');
  const isHttps = url.protocol === 'https:';
  const agent = isHttps ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const request = isHttps ? https.request : http.request;
  return {
    send: (batch) =>
      new Promise<ExportResult>((resolve) => {
        let settled = false;
        const done = (r: ExportResult) => {
          if (!settled) {
            settled = true;
            resolve(r);
          }
        };
        try {
          const headers: Record<string, string | number> = {
            'content-type': 'application/json',
            'content-length': batch.body.length,
            'idempotency-key': batch.idempotencyKey,
            'user-agent': 'sightline-sdk-js/0.1.0',
          };
          if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
          if (batch.gzipped) headers['content-encoding'] = 'gzip';
          const req = request(batch.route === 'scores' ? scoresUrl : url, { method: 'POST', agent, headers, timeout: opts.timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              if (size < MAX_RESPONSE_BYTES) chunks.push(c);
              size += c.length;
            });
            res.on('error', (e) => done({ status: 'retryable', reason: `response error: ${e.message}` }));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES);
              done(classifyResponse(res.statusCode ?? 0, text, res.headers['retry-after']));
            });
          });
          // `timeout` above catches an idle socket; this bounds a server that trickles bytes too.
          const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
          deadline.unref();
          req.on('close', () => clearTimeout(deadline));
          req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
          req.on('error', (e) => done({ status: 'retryable', reason: e.message || 'network error' }));
          req.end(batch.body);
        } catch (e) {
          done({ status: 'retryable', reason: e instanceof Error ? e.message : String(e) });
        }
      }),
    close: () => agent.destroy(),
  };
}

/** Decides what an HTTP answer means for the batch: delivered, never deliverable, or worth another try. */
export function classifyResponse(status: number, body: string, retryAfter: string | string[] | undefined): ExportResult {
  if (status >= 200 && status < 300) {
    const parsed = parseJson(body) as { accepted?: unknown; rejected?: unknown } | undefined;
    const rejected = Array.isArray(parsed?.rejected) ? (parsed.rejected as RejectedEvent[]) : [];
    const accepted = typeof parsed?.accepted === 'number' ? parsed.accepted : -1;
    return { status: 'ok', accepted, rejected };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    const reason = `HTTP ${status}`;
    return retryAfterMs === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs };
  }
  if (NON_RETRYABLE.has(status) || (status >= 400 && status < 500)) {
    return { status: 'rejected', httpStatus: status, message: serverMessage(body) };
  }
  // 1xx/3xx: not an answer this API gives; treat as a transient proxy problem.
  return { status: 'retryable', reason: `unexpected HTTP ${status}` };
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function serverMessage(body: string): string {
  const parsed = parseJson(body) as { error?: unknown; message?: unknown } | undefined;
  const err = parsed?.error;
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  if (typeof parsed?.message === 'string') return parsed.message;
  return body.slice(0, 500) || '(empty body)';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
