// Keys hash into a fixed number of outbox partitions. The count is part of
// the stored data (each row keeps its partition), so it is a constant, not a
// setting: changing it would let two relays publish one key's events at once.
export const OUTBOX_PARTITIONS = 32;

/** FNV-1a over the key's UTF-16 code units: stable across processes and versions. */
export function partitionOf(key: string, partitions: number = OUTBOX_PARTITIONS): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** How many partitions one of `liveRelays` relays should hold. */
export function fairShare(liveRelays: number, partitions: number = OUTBOX_PARTITIONS): number {
  return Math.ceil(partitions / Math.max(1, liveRelays));
}
