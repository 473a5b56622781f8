// Export and import end to end: Parquet read back by DuckDB with exact rows and values, CSV with a
// header, NDJSON in the ingest format, and export → import → export round trips through the CLI,
// scores included (a file beside the spans, imported back once).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainEnv, runCli } from './support/cli.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const FROM = NOW - 3_600_000;
const TO = NOW + 60_000;
const N = 30;

function event(i: number) {
  return {
    timestamp: NOW - 600_000 + i * 1000,
    agent_id: i % 3 === 0 ? 'planner' : 'support-bot',
    trace_id: `trace-${Math.floor(i / 3)}`,
    span_id: `span-${i}`,
    ...(i % 3 !== 0 && { parent_span_id: `span-${i - (i % 3)}` }),
    span_type: i % 3 === 0 ? 'decision' : 'llm_call',
    name: `step ${i}`,
    ...(i % 3 !== 0 && { model: 'gpt-4o', tokens_input: 100 * i, tokens_output: i }),
    latency_ms: 10 + i,
    ...(i % 5 === 0 && { cost_usd: 0.25 }),
    ...(i % 3 === 0 && { decision_made: i % 2 === 0 ? 'refund' : 'escalate', confidence: 0.5 }),
    ...(i % 7 === 0 && { error_type: 'timeout', error_message: 'took "too" long,\nretrying' }),
    attributes: { tier: i % 2 === 0 ? 'gold' : 'free', note: 'a,b "c"\nd', n: i },
  };
}

describe('export and import', () => {
  let a: RunningServer;
  let b: RunningServer;
  let readKey: string;
  let dir: string;
  const cli = (server: RunningServer, key: string, args: string[]) => runCli([...args, '--url', server.url], plainEnv({ SIGHTLINE_API_KEY: key, NO_COLOR: '1' }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-export-'));
    [a, b] = await Promise.all([startServer(), startServer()]);
    readKey = (await request(`${a.url}/api/keys`, { key: a.adminKey, body: { scopes: ['read'] } })).body.key;
    const r = await request(`${a.url}/v1/events`, { key: a.adminKey, body: Array.from({ length: N }, (_, i) => event(i)) });
    expect(r.body).toMatchObject({ accepted: N, rejected_events: 0 });
  });
  afterAll(async () => {
    await Promise.all([a?.stop({ remove: true }), b?.stop({ remove: true })]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes Parquet that DuckDB reads back with exact rows and values', async () => {
    const file = join(dir, 'spans.parquet');
    const r = await cli(a, readKey, ['export', '--from', String(FROM), '--to', String(TO), '--format', 'parquet', '--out', file]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^exported ${N} spans as parquet to ${file} \\(\\d+\\.\\d KiB\\)\\n$`));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
    expect(await rows(`SELECT count(*)::INT AS n, sum(tokens_input)::INT AS tokens, count(error_type)::INT AS errors FROM '${file}'`)).toEqual([
      { n: N, tokens: 100 * Array.from({ length: N }, (_, i) => (i % 3 !== 0 ? i : 0)).reduce((x, y) => x + y, 0), errors: 5 },
    ]);
    const [row] = await rows(`SELECT project, agent_id, span_type, model, tokens_input, cost_usd, cost_source, error_message, attributes FROM '${file}' WHERE span_id = 'span-14'`);
    expect(row).toEqual({
      project: 'default', agent_id: 'support-bot', span_type: 'llm_call', model: 'gpt-4o', tokens_input: 1400n,
      cost_usd: expect.any(Number), cost_source: 'computed', error_message: 'took "too" long,\nretrying',
      attributes: JSON.stringify({ tier: 'gold', note: 'a,b "c"\nd', n: 14 }),
    });
    conn.closeSync();
    db.closeSync();
  });

  it('streams CSV with a header over HTTP, for read keys only', async () => {
    const csv = await request<string>(`${a.url}/api/export?format=csv&from=${FROM}&to=${TO}&agent=planner`, { key: readKey });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.body.split('\n');
    expect(lines[0]).toBe(
      'timestamp,agent_id,trace_id,span_id,parent_span_id,span_type,name,model,provider,tokens_input,tokens_output,tokens_cache_read,tokens_cache_write,tokens_reasoning,latency_ms,cost_usd,cost_source,decision_made,confidence,error_type,error_message,session_id,user_id,attributes,input,output',
    );
    expect(lines[1]).toBe(`${NOW - 600_000},planner,trace-0,span-0,,decision,step 0,,,0,0,0,0,0,10,0.25,given,refund,0.5,timeout,"took ""too"" long,`);
    const ingestOnly = (await request(`${a.url}/api/keys`, { key: a.adminKey, body: { scopes: ['ingest'] } })).body.key;
    expect((await request(`${a.url}/api/export?format=csv`, { key: ingestOnly })).status).toBe(403);
    expect((await request(`${a.url}/api/export?format=xml`, { key: readKey })).body).toEqual({ error: { code: 'bad_request', message: 'format: "xml" is not one of parquet, csv, ndjson' } });
  });

  const range = ['--from', String(FROM), '--to', String(TO)];
  const summary = (file: string, fresh: number, stored: number) =>
    new RegExp(`^imported ${file}: ${fresh} new, ${stored} already stored, 0 rejected of ${N} rows in \\d+\\.\\d s \\([\\d,]+ rows/s\\)\\n$`);

  it('exports NDJSON in the ingest format', async () => {
    const original = (await cli(a, readKey, ['export', ...range, '--format', 'ndjson'])).stdout;
    expect(original.split('\n')).toHaveLength(N + 1);
    expect(JSON.parse(original.split('\n')[0]!)).toEqual({
      ...event(0),
      tokens_input: 0, tokens_output: 0, tokens_cache_read: 0, tokens_cache_write: 0, tokens_reasoning: 0,
    });
  });

  // One test per format: export, import into an empty project and again, and into the server it
  // came from; each time the export afterwards is the original, byte for byte.
  it.each(['parquet', 'csv', 'ndjson'] as const)('round-trips %s: new spans once, then nothing new', async (format) => {
    const original = (await cli(a, readKey, ['export', ...range, '--format', 'ndjson'])).stdout;
    // No extension: the importer tells the format from the content.
    const file = join(dir, `spans-${format}`);
    expect((await cli(a, readKey, ['export', ...range, '--format', format, '--out', file])).code).toBe(0);
    const key = (await request(`${b.url}/api/keys`, { key: b.adminKey, body: { project: `from-${format}`, scopes: ['ingest', 'read'] } })).body.key as string;
    const first = await cli(b, key, ['import', file]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(summary(file, N, 0));
    expect((await cli(b, key, ['export', ...range, '--format', 'ndjson'])).stdout).toBe(original);
    const again = await cli(b, key, ['import', file]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(summary(file, 0, N));
    expect((await cli(b, key, ['export', ...range, '--format', 'ndjson'])).stdout).toBe(original);
    expect((await cli(a, a.adminKey, ['import', file])).stdout).toMatch(summary(file, 0, N));
    expect((await cli(a, readKey, ['export', ...range, '--format', 'ndjson'])).stdout).toBe(original);
  });

  it('names a file whose format it cannot tell, and one that is not the Parquet it claims to be', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\nworld\n');
    expect(await cli(b, b.adminKey, ['import', text])).toEqual({
      code: 2,
      stdout: '',
      stderr: `sightline: import: cannot tell the format of ${text}: expected Parquet (starts with PAR1), NDJSON (one JSON event per line) or CSV with a header naming agent_id; pass --format parquet|csv|ndjson\n`,
    });
    const fake = join(dir, 'fake.parquet');
    writeFileSync(fake, '{"agent_id":"a"}\n');
    const r = await cli(b, b.adminKey, ['import', fake, '--format', 'parquet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sightline: import: ${fake} is not a Parquet file DuckDB can read \\(.+\\)\\n$`));
    expect((await cli(b, b.adminKey, ['import', text, '--format', 'xml'])).stderr).toBe('sightline: --format: import reads parquet, csv, ndjson, not "xml"\n');
  });

  it('reports rejected rows by their line and exits 1 (a first line that is not JSON leaves the .ndjson extension to decide)', async () => {
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, `not json\n${JSON.stringify(event(1))}\n\n${JSON.stringify({ agent_id: 'x', tokens_input: -5 })}\n`);
    const r = await cli(b, b.adminKey, ['import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^line 1: invalid JSON/),
      'line 4: tokens_input: must be a non-negative integer, got -5',
      '',
    ]);
    expect(r.stdout).toMatch(/: 1 new, 0 already stored, 2 rejected of 3 rows in/);
  });
  it('exports scores beside the spans and imports them back once, whatever their kind and target', async () => {
    // Before any score: no scores file beside the spans.
    const bare = join(dir, 'no-scores.ndjson');
    expect((await cli(a, readKey, ['export', ...range, '--out', bare])).stderr).toMatch(/^exported 30 spans as ndjson to .+ \(.+\)\n$/);
    expect(existsSync(join(dir, 'no-scores.scores.ndjson'))).toBe(false);

    const scores = [
      { score_id: 'sc-1', trace_id: 'trace-1', name: 'helpfulness', value: 0.75, label: 'good', source: 'evaluator', comment: 'clear, "short"\nanswer', timestamp: NOW - 500_000 },
      { score_id: 'sc-2', trace_id: 'trace-2', name: 'thumbs', value: false, source: 'user', author: 'u-7', timestamp: NOW - 400_000 },
      { score_id: 'sc-3', trace_id: 'trace-2', span_id: 'span-7', name: 'tone', value: 'polite', source: 'human', timestamp: NOW - 400_000 },
      { score_id: 'sc-4', session_id: 'chat-1', name: 'resolved', value: 1, source: 'api', timestamp: NOW - 300_000 },
    ];
    expect((await request(`${a.url}/v1/scores`, { key: a.adminKey, body: scores })).body).toEqual({ accepted: 4, rejected: [], rejected_events: 0 });
    const file = join(dir, 'with-scores.ndjson');
    const beside = join(dir, 'with-scores.scores.ndjson');
    const exported = await cli(a, readKey, ['export', ...range, '--out', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^exported 30 spans as ndjson to ${file} \\(.+\\)$`)),
      expect.stringMatching(new RegExp(`^exported 4 scores as ndjson to ${beside} \\(\\d+ B\\)$`)),
      '',
    ]);
    // The bodies a client sends to POST /v1/scores, in (timestamp, score_id) order, with the target spelled out.
    const lines = readFileSync(beside, 'utf8').split('\n');
    expect(lines.map((l) => (l === '' ? '' : JSON.parse(l)))).toEqual([
      { score_id: 'sc-1', timestamp: NOW - 500_000, target: 'trace', trace_id: 'trace-1', name: 'helpfulness', value: 0.75, label: 'good', source: 'evaluator', comment: 'clear, "short"\nanswer' },
      { score_id: 'sc-2', timestamp: NOW - 400_000, target: 'trace', trace_id: 'trace-2', name: 'thumbs', value: false, source: 'user', author: 'u-7' },
      { score_id: 'sc-3', timestamp: NOW - 400_000, target: 'span', trace_id: 'trace-2', span_id: 'span-7', name: 'tone', value: 'polite', source: 'human' },
      { score_id: 'sc-4', timestamp: NOW - 300_000, target: 'session', session_id: 'chat-1', name: 'resolved', value: 1, source: 'api' },
      '',
    ]);
    const original = readFileSync(beside, 'utf8');

    const key = (await request(`${b.url}/api/keys`, { key: b.adminKey, body: { project: 'with-scores', scopes: ['ingest', 'read'] } })).body.key as string;
    const scoresSummary = new RegExp(`^imported ${beside}: 4 scores stored \\(one already stored is replaced, not added\\), 0 rejected of 4 rows in \\d+\\.\\d s$`);
    for (const round of [1, 2]) {
      const r = await cli(b, key, ['import', file]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const out = r.stdout.split('\n');
      expect(out[0]).toMatch(round === 1 ? /: 30 new, 0 already stored, 0 rejected of 30 rows/ : /: 0 new, 30 already stored, 0 rejected of 30 rows/);
      expect([out[1], out[2]]).toEqual([expect.stringMatching(scoresSummary), '']);
      // Byte for byte the scores of the original, each once.
      expect((await cli(b, key, ['export', ...range, '--scores'])).stdout).toBe(original);
    }
    const onTrace = await request(`${b.url}/api/scores?trace_id=trace-2`, { key });
    expect(onTrace.body.scores.map((x: any) => [x.score_id, x.kind, x.value, x.label])).toEqual([['sc-2', 'boolean', 0, null], ['sc-3', 'category', null, 'polite']]);
    // A scores file alone is told apart by its content.
    const alone = await cli(b, key, ['import', beside]);
    expect([alone.code, alone.stderr, alone.stdout.split('\n')]).toEqual([0, '', [expect.stringMatching(scoresSummary), '']]);
    expect((await request(`${a.url}/api/export?data=scores&format=csv`, { key: readKey })).body).toEqual({
      error: { code: 'bad_request', message: 'format: scores are exported as ndjson (POST /v1/scores bodies), not csv' },
    });
  });
});
