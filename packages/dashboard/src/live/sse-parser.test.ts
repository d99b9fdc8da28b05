import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('reads events split anywhere by the network, with ids, types and multi-line data', () => {
    const text =
      ': keep-alive\n\nid: 7\nevent: promotion.phase-changed\ndata: {"a":\ndata: 1}\n\nid: 8\r\ndata: plain\r\n\r\n';
    for (const size of [1, 2, 5, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let at = 0; at < text.length; at += size) events.push(...parser.push(text.slice(at, at + size)));
      expect(events, `chunks of ${size}`).toEqual([
        { event: 'promotion.phase-changed', data: '{"a":\n1}', lastEventId: '7' },
        { event: 'message', data: 'plain', lastEventId: '8' },
      ]);
    }
  });

  it('ignores comments and events without data, and keeps the last id', () => {
    const parser = new SseParser();
    expect(parser.push(': ping\n\nid: 3\n\nevent: x\n\n')).toEqual([]);
    expect(parser.push('data: after\n\n')).toEqual([{ event: 'message', data: 'after', lastEventId: '3' }]);
  });
});
