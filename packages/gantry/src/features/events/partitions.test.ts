import { describe, expect, it } from 'vitest';
import { fairShare, OUTBOX_PARTITIONS, partitionOf } from './partitions.js';

describe('outbox partitions', () => {
  it('maps a key to the same partition every time', () => {
    expect(partitionOf('release:checkout/2026.11.3')).toBe(partitionOf('release:checkout/2026.11.3'));
    // Pinned: stored rows keep their partition, so the hash must never change.
    expect(partitionOf('release:checkout/2026.11.3')).toBe(FNV_PINNED);
  });

  it('spreads keys over every partition', () => {
    const counts = new Array<number>(OUTBOX_PARTITIONS).fill(0);
    for (let index = 0; index < 10_000; index += 1) counts[partitionOf(`promotion:${index}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(200);
    expect(Math.max(...counts)).toBeLessThan(450);
  });

  it('shares partitions fairly between live relays', () => {
    expect(fairShare(1)).toBe(32);
    expect(fairShare(2)).toBe(16);
    expect(fairShare(3)).toBe(11);
    expect(fairShare(0)).toBe(32);
  });
});

const FNV_PINNED = partitionOfReference('release:checkout/2026.11.3');

// An independent FNV-1a implementation over UTF-16 code units, using BigInt.
function partitionOfReference(key: string): number {
  let hash = 0x811c9dc5n;
  for (const char of key) {
    hash ^= BigInt(char.charCodeAt(0));
    hash = (hash * 0x01000193n) & 0xffffffffn;
  }
  return Number(hash % 32n);
}
