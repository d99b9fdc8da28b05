import { describe, expect, it } from 'vitest';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';

describe('keyset cursors', () => {
  it('round-trip a position', () => {
    const position = { at: new Date('2026-11-30T10:00:00.123Z'), id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' };
    expect(decodeKeysetCursor(encodeKeysetCursor(position))).toEqual(position);
  });

  it('refuse what is not a cursor', () => {
    expect(decodeKeysetCursor('not-a-cursor')).toBeUndefined();
    expect(decodeKeysetCursor(Buffer.from('2026-11-30T10:00:00Z|x').toString('base64url'))).toBeUndefined();
  });
});
