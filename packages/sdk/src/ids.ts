// Trace and span ids from a pooled random buffer: one syscall per ~500 spans, not one per id.

import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** 32 lowercase hex characters. */
export function newTraceId(): string {
  return randomHex(16);
}

/** 16 lowercase hex characters. */
export function newSpanId(): string {
  return randomHex(8);
}
