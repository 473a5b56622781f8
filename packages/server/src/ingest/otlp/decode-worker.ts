// The decode worker's entry point: large OTLP bodies are decompressed, decoded and mapped here,
// off the server's event loop, with the same functions the inline path calls. One job at a time;
// its heap is capped by the resourceLimits the offloader starts it with.

import { parentPort, workerData } from 'node:worker_threads';
import type { IngestLimits } from '../../model/limits.js';
import { DECODERS, fallbackIndices, type DecodeJob, type DecodeReply } from './decode-offload.js';

const limits = (workerData as { limits: IngestLimits }).limits;
const port = parentPort;

port?.on('message', (job: DecodeJob) => {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const result = DECODERS[job.signal](body, job.contentType, job.contentEncoding, limits);
  const reply: DecodeReply = { id: job.id, result, fallbacks: fallbackIndices(result) };
  port.postMessage(reply);
});
