import { and, desc, eq, gte, like, lt, lte, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { auditLog } from './access.tables.js';
import type { Actor } from './actor.js';

// The audit log: who did what to what, and why. Services call recordAudit
// inside the transaction of the change it records, so an entry exists exactly
// when the change does. Rows are never updated or deleted.

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  actor: Actor;
  /** `<noun>.<verb>`, e.g. `promotion.approve`, `token.revoke`. */
  action: string;
  /** `<kind>/<id>`, e.g. `promotion/0193…`, `release/api/2026.01.3`, `token/ci`. */
  target: string;
  /** Why, in the actor's words (an approval comment, a rollback reason). */
  reason?: string | null;
  /** Facts worth keeping with the entry; never secrets. */
  details?: Record<string, unknown> | null;
}

/** Appends one entry; the request id comes from the actor. */
export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actor: entry.actor.name,
    action: entry.action,
    target: entry.target,
    reason: entry.reason?.trim() ? entry.reason : null,
    requestId: entry.actor.requestId ?? null,
    details: entry.details ?? null,
  });
}

export interface AuditFilter {
  actor?: string;
  /** Exact, or a prefix when it ends with `*` (`promotion.*`). */
  action?: string;
  /** Exact, or a prefix when it ends with `*` (`promotion/*`). */
  target?: string;
  since?: Date;
  until?: Date;
  /** Keyset pagination: only entries older than this id. */
  beforeId?: number;
  limit: number;
}

/** Entries newest first (by id, the order they were written). */
export async function listAuditEntries(db: Executor, filter: AuditFilter): Promise<AuditRow[]> {
  const conditions: SQL[] = [];
  if (filter.actor) conditions.push(eq(auditLog.actor, filter.actor));
  if (filter.action) conditions.push(matches(auditLog.action, filter.action));
  if (filter.target) conditions.push(matches(auditLog.target, filter.target));
  if (filter.since) conditions.push(gte(auditLog.at, filter.since));
  if (filter.until) conditions.push(lte(auditLog.at, filter.until));
  if (filter.beforeId !== undefined) conditions.push(lt(auditLog.id, filter.beforeId));
  return db
    .select()
    .from(auditLog)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}

function matches(column: typeof auditLog.action | typeof auditLog.target, pattern: string): SQL {
  if (!pattern.endsWith('*')) return eq(column, pattern);
  const prefix = pattern.slice(0, -1).replace(/[\\%_]/g, (char) => `\\${char}`);
  return like(column, `${prefix}%`);
}
