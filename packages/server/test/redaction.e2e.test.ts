// Content capture redaction: with captureContent on and redact patterns configured, emails, API
// keys and custom patterns are replaced before storage, in content, error messages and attributes;
// a bad pattern stops the server at start with a message naming it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

function configFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sightline-redact-')), 'sightline.yaml');
  writeFileSync(path, yaml);
  return path;
}

describe('content redaction before storage', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const config = configFile(
      ['limits:', '  captureContent: true', 'redact:', '  patterns: [email, api_key, "acct-[0-9]{6}"]', ''].join('\n'),
    );
    server = await startServer({ args: ['--config', config] });
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('stores content with every configured pattern replaced', async () => {
    const traceId = 'redact0000000000000000000000001';
    const r = await request(`${server.url}/v1/events`, {
      key: server.adminKey,
      body: {
        agent_id: 'support-bot',
        trace_id: traceId,
        timestamp: Date.now(),
        input: 'Customer jane.doe@example.com (acct-123456) asks about a refund',
        output: 'Use key sk-ant-api03-abcdefghijklmnopqrstuv to call the API',
        error_message: 'quota exceeded for ops@example.org',
        attributes: { customer: { email: 'jane.doe@example.com', plan: 'pro' }, retries: 2 },
      },
    });
    expect(r.body).toEqual({ accepted: 1, rejected: [], rejected_events: 0 });
    const trace = await request(`${server.url}/api/traces/${traceId}`, { key: server.adminKey });
    const span = trace.body.spans[0];
    expect({ input: span.input, output: span.output, error_message: span.error_message, attributes: span.attributes }).toEqual({
      input: 'Customer [REDACTED:email] ([REDACTED]) asks about a refund',
      output: 'Use key [REDACTED:api_key] to call the API',
      error_message: 'quota exceeded for [REDACTED:email]',
      attributes: { customer: { email: '[REDACTED:email]', plan: 'pro' }, retries: 2 },
    });
  });

  it('refuses to start with a pattern that is not a regular expression, naming it', async () => {
    const config = configFile('redact:\n  patterns: ["email", "(unclosed"]\n');
    await expect(startServer({ args: ['--config', config] })).rejects.toThrow(
      /redact\.patterns: "\(unclosed" is neither a built-in pattern \(email, api_key, bearer\) nor a valid regular expression/,
    );
  });
});
