// The live stream's parser: /api/live is read with fetch() (EventSource cannot send the key), so
// events split across network chunks must come out whole.
import { describe, expect, it } from 'vitest';
import { createSseParser } from './live';

describe('createSseParser', () => {
  it('yields each event once complete, whatever the chunk boundaries, and skips comments', () => {
    const events: { event: string; data: string }[] = [];
    const parse = createSseParser((e) => events.push(e));
    parse('event: ready\ndata: {"filter":{}}\n\nevent: span\nda');
    expect(events).toEqual([{ event: 'ready', data: '{"filter":{}}' }]);
    parse('ta: {"span_id":"s1"}\n');
    expect(events).toHaveLength(1);
    parse('\n: heartbeat\n\nevent: dropped\ndata: {"dropped":3}\n\n');
    expect(events).toEqual([
      { event: 'ready', data: '{"filter":{}}' },
      { event: 'span', data: '{"span_id":"s1"}' },
      { event: 'dropped', data: '{"dropped":3}' },
    ]);
  });

  it('joins multi-line data, reads CRLF line ends and names an unnamed event "message"', () => {
    const events: { event: string; data: string }[] = [];
    createSseParser((e) => events.push(e))('data: a\r\ndata:b\r\n\r\n');
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
