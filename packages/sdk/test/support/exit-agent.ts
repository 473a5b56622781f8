// A child process for exit tests: records EVENTS spans, then either ends naturally or, with
// WAIT_FOR_SIGNAL=1, stays alive until signalled. The long flush interval means only the exit
// flush can deliver the events.

import { createSightline } from '../../src/index.js';

const sl = createSightline({
  endpoint: process.env.SINK_URL,
  apiKey: 'k',
  agentId: 'exit-agent',
  flushIntervalMs: 600_000,
  exitFlushTimeoutMs: Number(process.env.EXIT_FLUSH_MS ?? 2000),
});
const n = Number(process.env.EVENTS ?? 5);
for (let i = 0; i < n; i++) sl.span('tool_call', `t${i}`, () => i);
// Lets the test time the exit flush without counting process start-up.
const recordedAt = performance.now();
process.on('exit', () => console.log(`exit-flush-ms ${Math.round(performance.now() - recordedAt)}`));
if (process.env.WAIT_FOR_SIGNAL === '1') {
  setInterval(() => {}, 1000);
  console.log('ready');
}
