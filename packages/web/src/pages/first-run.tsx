// Shown when the project has no spans at all: how to send the first event.

export function FirstRun() {
  const origin = location.origin;
  return (
    <section class="panel wide first-run" aria-label="Send your first event">
      <h2>No data yet — send your first event</h2>
      <p>Use a key with the <code>ingest</code> scope. Events appear here within a second or two.</p>
      <h3>curl</h3>
      <pre>
        <code>{`curl -X POST ${origin}/v1/events \\
  -H "Authorization: Bearer $SIGHTLINE_KEY" -H 'content-type: application/json' \\
  -d '{"agent_id":"my-agent","span_type":"llm_call","name":"plan","model":"gpt-4o-mini","tokens_input":420,"tokens_output":80,"latency_ms":812}'`}</code>
      </pre>
      <h3>TypeScript SDK</h3>
      <pre>
        <code>{`// SIGHTLINE_ENDPOINT=${origin} SIGHTLINE_API_KEY=<ingest key>
import { createSightline } from '@sightline/sdk';
const sightline = createSightline({ agentId: 'support-bot' });`}</code>
      </pre>
      <h3>OpenTelemetry</h3>
      <pre>
        <code>{`OTEL_EXPORTER_OTLP_ENDPOINT=${origin}
OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer $SIGHTLINE_KEY"`}</code>
      </pre>
    </section>
  );
}
