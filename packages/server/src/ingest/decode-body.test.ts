import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../model/limits.js';
import { decodeEventsBody, invalidUtf8At, UndecodableEvent } from './decode-body.js';

const limits = DEFAULT_LIMITS;
const body = (text: string) => Buffer.from(text, 'utf8');

describe('decodeEventsBody', () => {
  it('decodes a JSON object as one event and a JSON array as many', () => {
    expect(decodeEventsBody(body('{"agent_id":"a"}'), 'application/json', undefined, limits)).toEqual({ ok: true, events: [{ agent_id: 'a' }] });
    expect(decodeEventsBody(body('[{"agent_id":"a"},{"agent_id":"b"}]'), 'application/json; charset=utf-8', undefined, limits)).toEqual({
      ok: true,
      events: [{ agent_id: 'a' }, { agent_id: 'b' }],
    });
    expect(decodeEventsBody(body('[]'), 'application/json', undefined, limits)).toEqual({ ok: true, events: [] });
  });

  it('treats a missing Content-Type as JSON and skips a UTF-8 BOM', () => {
    expect(decodeEventsBody(body('\uFEFF{"agent_id":"a"}'), undefined, undefined, limits)).toEqual({ ok: true, events: [{ agent_id: 'a' }] });
  });

  it('decodes NDJSON line by line, skipping blank lines and keeping bad lines as placeholders', () => {
    const text = '{"agent_id":"a"}\r\n\n   \n{"agent_id":\n{"agent_id":"c"}\n';
    for (const type of ['application/x-ndjson', 'application/jsonl', 'Application/NDJSON']) {
      const decoded = decodeEventsBody(body(text), type, undefined, limits);
      expect(decoded).toEqual({
        ok: true,
        events: [{ agent_id: 'a' }, new UndecodableEvent(4, 'Unexpected end of JSON input'), { agent_id: 'c' }],
      });
      if (decoded.ok) expect((decoded.events[1] as UndecodableEvent).message).toBe('line 4: invalid JSON: Unexpected end of JSON input');
    }
  });

  it('decompresses gzip, deflate and brotli', () => {
    const json = body('[{"agent_id":"a"}]');
    const expected = { ok: true, events: [{ agent_id: 'a' }] };
    expect(decodeEventsBody(gzipSync(json), 'application/json', 'gzip', limits)).toEqual(expected);
    expect(decodeEventsBody(gzipSync(json), 'application/json', 'x-gzip', limits)).toEqual(expected);
    expect(decodeEventsBody(deflateSync(json), 'application/json', 'deflate', limits)).toEqual(expected);
    expect(decodeEventsBody(brotliCompressSync(json), 'application/json', 'br', limits)).toEqual(expected);
    expect(decodeEventsBody(json, 'application/json', 'identity', limits)).toEqual(expected);
  });

  it('stops a compression bomb at maxBodyBytes', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KiB
    expect(bomb.byteLength).toBeLessThan(100_000);
    expect(decodeEventsBody(bomb, 'application/json', 'gzip', { ...limits, maxBodyBytes: 1024 * 1024 })).toEqual({
      ok: false,
      status: 413,
      message: 'decompressed body exceeds the limit of 1048576 bytes (maxBodyBytes)',
    });
  });

  it('rejects an uncompressed body over maxBodyBytes', () => {
    expect(decodeEventsBody(body('{"agent_id":"abc"}'), 'application/json', undefined, { ...limits, maxBodyBytes: 10 })).toEqual({
      ok: false,
      status: 413,
      message: 'body of 18 bytes exceeds the limit of 10 bytes (maxBodyBytes)',
    });
  });

  it('rejects more events than maxEventsPerRequest', () => {
    const small = { ...limits, maxEventsPerRequest: 2 };
    expect(decodeEventsBody(body('[{},{},{}]'), 'application/json', undefined, small)).toEqual({
      ok: false,
      status: 413,
      message: '3 events exceeds the limit of 2 per request (maxEventsPerRequest)',
    });
    expect(decodeEventsBody(body('{}\n{}\n\n{}\n{}\n'), 'application/x-ndjson', undefined, small)).toEqual({
      ok: false,
      status: 413,
      message: '4 events exceeds the limit of 2 per request (maxEventsPerRequest)',
    });
    expect(decodeEventsBody(body('{}\n{}\n\n'), 'application/x-ndjson', undefined, small)).toEqual({ ok: true, events: [{}, {}] });
  });

  it('rejects unsupported Content-Type and Content-Encoding with 415', () => {
    expect(decodeEventsBody(body('a=1'), 'application/x-www-form-urlencoded', undefined, limits)).toEqual({
      ok: false,
      status: 415,
      message:
        'unsupported Content-Type "application/x-www-form-urlencoded"; accepted: application/json, application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines',
    });
    expect(decodeEventsBody(body('{}'), 'application/json', 'zstd', limits)).toEqual({
      ok: false,
      status: 415,
      message: 'unsupported Content-Encoding "zstd"; accepted: gzip, deflate, br, identity',
    });
  });

  it('rejects empty, malformed and non-event bodies with 400', () => {
    const empty = { ok: false, status: 400, message: 'empty body: send a JSON object, a JSON array or NDJSON lines' };
    expect(decodeEventsBody(new Uint8Array(0), 'application/json', undefined, limits)).toEqual(empty);
    expect(decodeEventsBody(body(' \n '), 'application/x-ndjson', undefined, limits)).toEqual(empty);
    expect(decodeEventsBody(gzipSync(body('')), 'application/json', 'gzip', limits)).toEqual(empty);
    expect(decodeEventsBody(body('{"agent_id":'), 'application/json', undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'invalid JSON: Unexpected end of JSON input',
    });
    expect(decodeEventsBody(body('42'), 'application/json', undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'body must be a JSON object or an array of objects, got number',
    });
    expect(decodeEventsBody(body('not gzip'), 'application/json', 'gzip', limits)).toEqual({
      ok: false,
      status: 400,
      message: 'invalid gzip body: incorrect header check',
    });
  });

  it('refuses invalid UTF-8 instead of replacing it: the JSON body with 400, only the NDJSON lines that hold it', () => {
    const bad = Buffer.concat([body('{"agent_id":"a'), Buffer.from([0xff]), body('"}')]);
    expect(decodeEventsBody(bad, 'application/json', undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'body is invalid UTF-8: byte 14 is not part of a UTF-8 character (send text as UTF-8)',
    });
    const ndjson = Buffer.concat([body('{"agent_id":"ok-1"}\n\n'), bad, body('\n{"agent_id":"ok-2"}\n')]);
    const decoded = decodeEventsBody(ndjson, 'application/x-ndjson', undefined, limits);
    expect(decoded).toEqual({ ok: true, events: [{ agent_id: 'ok-1' }, expect.any(UndecodableEvent), { agent_id: 'ok-2' }] });
    const placeholder = (decoded as { events: UndecodableEvent[] }).events[1]!;
    expect(placeholder.message).toBe('line 3: invalid UTF-8: byte 14 is not part of a UTF-8 character (send text as UTF-8)');
  });

  it('finds the first byte that is not well-formed UTF-8 (RFC 3629)', () => {
    const at = (...bytes: number[]) => invalidUtf8At(Uint8Array.from(bytes));
    expect(at(0x61, ...Buffer.from('é€😀'))).toBe(-1);
    expect(at(0x61, 0xc0, 0xaf)).toBe(1); // overlong "/"
    expect(at(0xe0, 0x80, 0xaf)).toBe(0); // overlong
    expect(at(0xed, 0xa0, 0x80)).toBe(0); // UTF-16 surrogate
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // past U+10FFFF
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2); // truncated
    expect(at(0x80)).toBe(0); // lone continuation byte
  });
});
