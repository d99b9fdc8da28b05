import { index, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { services } from '../pipelines/pipelines.tables.js';

/**
 * Immutable records of what CI built. (service, digest) and (service,
 * version) are each unique: the same build registered twice is the same
 * release, and a version never names two different images.
 */
export const releases = pgTable(
  'releases',
  {
    id: uuid('id').primaryKey(),
    service: text('service')
      .notNull()
      .references(() => services.name),
    version: text('version').notNull(),
    image: text('image').notNull(),
    digest: text('digest').notNull(),
    commitSha: text('commit_sha').notNull(),
    commitTime: timestamptz('commit_time'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('releases_service_version_idx').on(table.service, table.version),
    uniqueIndex('releases_service_digest_idx').on(table.service, table.digest),
    index('releases_service_created_idx').on(table.service, table.createdAt),
  ],
);

export type EvidenceKind = 'tests' | 'coverage' | 'vulnerabilities' | 'signature' | 'migrationCheck';

/**
 * What CI proved about a release, one row per kind: attaching a kind again
 * (a re-run job) replaces the summary; the audit log keeps the history.
 */
export const releaseEvidence = pgTable(
  'release_evidence',
  {
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id),
    kind: text('kind').$type<EvidenceKind>().notNull(),
    summary: jsonb('summary').notNull(),
    source: text('source').notNull(),
    attachedBy: text('attached_by').notNull(),
    attachedAt: timestamptz('attached_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.releaseId, table.kind] })],
);
