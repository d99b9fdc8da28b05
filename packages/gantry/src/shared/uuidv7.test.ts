import { describe, expect, it } from 'vitest';
import { isUuid, uuidv7, uuidv7Time } from './uuidv7.js';

describe('uuidv7', () => {
  it('is a version-7, variant-1 UUID carrying its creation time', () => {
    const id = uuidv7(Date.UTC(2026, 10, 23, 12, 0, 0));
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(uuidv7Time(id).toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });

  it('sorts in creation order, even thousands within one millisecond', () => {
    const now = Date.now() + 60_000;
    const ids = Array.from({ length: 5_000 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays ordered when the clock steps back', () => {
    const first = uuidv7(Date.now() + 120_000);
    const second = uuidv7(Date.now());
    expect(second > first).toBe(true);
  });
});
