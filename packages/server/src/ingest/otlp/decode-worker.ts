// The decode worker's entry point: large OTLP bodies are decompressed, decoded and mapped here,
// off the server's event loop, with the same functions the inline path calls. One job at a time;
// its heap is capped by the resourceLimits the offloader starts it with.

import { parentPort, workerData } from 'node:worker_threads';
import type { IngestLimits } from '../../model/limits.js';
import type { DecodeJob, DecodeReply } from './decode-offload.js';
import { decodeOtlpLogs, decodeOtlpMetrics, decodeOtlpTraces } from './handle.js';

const limits = (workerData as { limits: IngestLimits }).limits;
const port = parentPort;

port?.on('message', (job: DecodeJob) => {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const decode = job.signal === 'traces' ? decodeOtlpTraces : job.signal === 'metrics' ? decodeOtlpMetrics : decodeOtlpLogs;
  const reply: DecodeReply = { id: job.id, result: decode(body, job.contentType, job.contentEncoding, limits) };
  port.postMessage(reply);
});
