import { z } from 'zod';
import { pointInTime } from '../../shared/point-in-time.js';
import type { AuditRow } from './audit.repository.js';

// The audit API's shapes. `since` and `until` take an ISO 8601 time or a
// duration back from now (`24h`, `7d`).

const pattern = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: 'Exact match, or a prefix when it ends with * (e.g. promotion.*).' });

export const listAuditQuerySchema = z.object({
  actor: z.string().min(1).max(200).optional(),
  action: pattern.optional(),
  target: pattern.optional(),
  since: pointInTime.optional(),
  until: pointInTime.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page.' }),
});
export type ListAuditQuery = z.output<typeof listAuditQuerySchema>;

export const auditEntryDtoSchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actor: z.string().meta({ description: 'Token name, or system:… for Gantry itself.' }),
  action: z.string(),
  target: z.string(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryDto = z.output<typeof auditEntryDtoSchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntryDtoSchema),
  nextCursor: z
    .string()
    .optional()
    .meta({ description: 'Pass as cursor for the next page; absent on the last.' }),
});
export type AuditPageDto = z.output<typeof auditPageSchema>;

export function toAuditEntryDto(row: AuditRow): AuditEntryDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    reason: row.reason,
    requestId: row.requestId,
    details: (row.details as Record<string, unknown> | null) ?? null,
  };
}

export function encodeAuditCursor(row: Pick<AuditRow, 'id'>): string {
  return Buffer.from(`audit:${row.id}`).toString('base64url');
}

export function decodeAuditCursor(cursor: string): number | undefined {
  const match = /^audit:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
