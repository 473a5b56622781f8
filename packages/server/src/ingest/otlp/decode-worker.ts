// The decode worker's entry point: large ingest bodies are decompressed, decoded and mapped (OTLP)
// or screened (native events) here, off the server's event loop, with the same functions the
// inline path calls. One job at a time; its heap is capped by the resourceLimits the offloader
// starts it with.

import { parentPort, workerData } from 'node:worker_threads';
import type { IngestLimits } from '../../model/limits.js';
import { replyOf, runJob, type DecodeJob } from './decode-offload.js';

const limits = (workerData as { limits: IngestLimits }).limits;
const port = parentPort;

port?.on('message', (job: DecodeJob) => {
  port.postMessage(replyOf(job, runJob(job, limits)));
});
