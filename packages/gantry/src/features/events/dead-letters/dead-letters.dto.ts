import { z } from 'zod';
import type { DeadLetter } from './dead-letters.repository.js';

// The dead-letter API's shapes: validated on the way in by the controller,
// and typed on the way out for the CLI and the dashboard.

export const deadLetterStatusSchema = z.enum(['dead', 'replaying', 'resolved'], {
  error: 'status must be one of dead, replaying, resolved',
});

export const listDeadLettersQuerySchema = z.object({
  status: deadLetterStatusSchema.optional(),
  group: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListDeadLettersQuery = z.infer<typeof listDeadLettersQuerySchema>;

export const replayMatchingBodySchema = z
  .object({
    group: z.string().min(1).max(200).optional(),
    type: z.string().min(1).max(200).optional(),
  })
  .strict();

export const deadLetterIdSchema = z.uuid({
  error: 'a dead-letter id is a UUID, as shown by gantry dead-letters list',
});

export interface DeadLetterDto {
  id: string;
  consumerGroup: string;
  eventId: string;
  type: string;
  key: string;
  status: DeadLetter['status'];
  attempts: number;
  lastError: string;
  occurredAt: string;
  firstFailedAt: string;
  deadAt: string;
  replayCount: number;
  lastReplayedAt: string | null;
  resolvedAt: string | null;
  schemaVersion: number;
  payload: unknown;
  headers: Record<string, string>;
}

export interface DeadLetterPageDto {
  items: DeadLetterDto[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ReplayResultDto {
  deadLetter: DeadLetterDto;
  queued: boolean;
}

export function toDeadLetterDto(row: DeadLetter): DeadLetterDto {
  return {
    id: row.id,
    consumerGroup: row.consumerGroup,
    eventId: row.eventId,
    type: row.type,
    key: row.key,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    occurredAt: row.occurredAt.toISOString(),
    firstFailedAt: row.firstFailedAt.toISOString(),
    deadAt: row.deadAt.toISOString(),
    replayCount: row.replayCount,
    lastReplayedAt: row.lastReplayedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    schemaVersion: row.schemaVersion,
    payload: row.payload,
    headers: row.headers,
  };
}

export function encodeCursor(row: Pick<DeadLetter, 'deadAt' | 'id'>): string {
  return Buffer.from(`${row.deadAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { deadAt: Date; id: string } | undefined {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const deadAt = new Date(iso ?? '');
  if (!id || Number.isNaN(deadAt.getTime()) || !deadLetterIdSchema.safeParse(id).success) return undefined;
  return { deadAt, id };
}
