// Opaque cursors for newest-first lists paged by (timestamp, id): the client
// passes back `nextCursor` and the next page starts after that row, however
// many rows were added meanwhile.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeKeysetCursor(cursor: string): KeysetPosition | undefined {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !UUID.test(id)) return undefined;
  return { at, id };
}
