// Request-body decompression shared by native and OTLP ingest, with a hard cap on the
// decompressed size: zlib's maxOutputLength stops a compression bomb at the limit.

import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export type BodyFailure = { ok: false; status: 400 | 413 | 415; message: string };

const ACCEPTED_ENCODINGS = 'gzip, deflate, br, identity';

type Inflate = (body: Uint8Array, options: { maxOutputLength: number }) => Buffer;
const DECOMPRESSORS: Record<string, Inflate | undefined> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** The media type of a Content-Type header, lower-cased and without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

export function decompress(body: Uint8Array, contentEncoding: string | undefined, maxBodyBytes: number): { ok: true; bytes: Uint8Array } | BodyFailure {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (encoding === '' || encoding === 'identity') {
    if (body.byteLength > maxBodyBytes) {
      return { ok: false, status: 413, message: `body of ${body.byteLength} bytes exceeds the limit of ${maxBodyBytes} bytes (maxBodyBytes)` };
    }
    return { ok: true, bytes: body };
  }
  const inflate = DECOMPRESSORS[encoding];
  if (inflate === undefined) {
    return { ok: false, status: 415, message: `unsupported Content-Encoding ${JSON.stringify(encoding)}; accepted: ${ACCEPTED_ENCODINGS}` };
  }
  try {
    return { ok: true, bytes: inflate(body, { maxOutputLength: maxBodyBytes }) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, status: 413, message: `decompressed body exceeds the limit of ${maxBodyBytes} bytes (maxBodyBytes)` };
    }
    return { ok: false, status: 400, message: `invalid ${encoding} body: ${(err as Error).message}` };
  }
}
