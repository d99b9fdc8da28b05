import { randomBytes } from 'node:crypto';

// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then randomness. Ids made in this
// process sort in creation order even within one millisecond: the 12-bit
// `rand_a` field is used as a counter (RFC 9562 §6.2, method 1), and when it
// overflows the timestamp is advanced by one millisecond.
let lastMillis = -1;
let counter = 0;

export function uuidv7(nowMillis: number = Date.now()): string {
  let millis = nowMillis;
  if (millis <= lastMillis) {
    millis = lastMillis;
    counter += 1;
    if (counter > 0xfff) {
      millis += 1;
      counter = 0;
    }
  } else {
    // Start each millisecond in the lower half so there is room to count up.
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
  }
  lastMillis = millis;

  const bytes = randomBytes(16);
  bytes.writeUIntBE(millis, 0, 6);
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** The creation time encoded in a UUIDv7. */
export function uuidv7Time(id: string): Date {
  return new Date(parseInt(id.replace(/-/g, '').slice(0, 12), 16));
}
