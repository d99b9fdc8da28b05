import { bigserial, index, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';

/** API tokens. Only a SHA-256 of the secret is stored; the secret is shown once. */
export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role').$type<Role>().notNull(),
  // null: every stage; otherwise the stages this token may act on.
  stages: jsonb('stages').$type<string[] | null>(),
  tokenHash: text('token_hash').notNull().unique(),
  // The first characters of the token, so people can tell tokens apart.
  prefix: text('prefix').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  lastUsedAt: timestamptz('last_used_at'),
  revokedAt: timestamptz('revoked_at'),
});

/** Every mutating call: who did what to what, and why. Append-only. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamptz('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    reason: text('reason'),
    requestId: text('request_id'),
    details: jsonb('details'),
  },
  (table) => [
    index('audit_log_at_idx').on(table.at),
    index('audit_log_actor_at_idx').on(table.actor, table.at),
    index('audit_log_target_at_idx').on(table.target, table.at),
  ],
);

/**
 * Responses to POSTs sent with an Idempotency-Key, so a retried request gets
 * the first answer instead of doing the work twice.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    actor: text('actor').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status').$type<'in_progress' | 'done'>().notNull(),
    responseStatus: jsonb('response_status').$type<number | null>(),
    responseBody: jsonb('response_body'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.actor, table.key] }),
    index('idempotency_keys_created_idx').on(table.createdAt),
  ],
);
