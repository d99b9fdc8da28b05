import { and, desc, eq, inArray, like, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { releaseEvidence, releases, type EvidenceKind } from './releases.tables.js';
import { olderThan } from '../../platform/database/keyset.js';
import type { KeysetPosition } from '../../shared/keyset-cursor.js';

export type Release = typeof releases.$inferSelect;
export type NewRelease = typeof releases.$inferInsert;
export type EvidenceRow = typeof releaseEvidence.$inferSelect;

export async function findRelease(
  executor: Executor,
  service: string,
  version: string,
): Promise<Release | undefined> {
  const [row] = await executor
    .select()
    .from(releases)
    .where(and(eq(releases.service, service), eq(releases.version, version)))
    .limit(1);
  return row;
}

export async function findReleaseById(executor: Executor, id: string): Promise<Release | undefined> {
  const [row] = await executor.select().from(releases).where(eq(releases.id, id)).limit(1);
  return row;
}

export async function findReleaseByDigest(
  executor: Executor,
  service: string,
  digest: string,
): Promise<Release | undefined> {
  const [row] = await executor
    .select()
    .from(releases)
    .where(and(eq(releases.service, service), eq(releases.digest, digest)))
    .limit(1);
  return row;
}

/** Versions of one service that start with a CalVer month prefix (`2026.11.`), for numbering the next. */
export async function versionsWithPrefix(
  executor: Executor,
  service: string,
  prefix: string,
): Promise<string[]> {
  const rows = await executor
    .select({ version: releases.version })
    .from(releases)
    .where(and(eq(releases.service, service), like(releases.version, `${prefix}.%`)));
  return rows.map((row) => row.version);
}

export async function insertRelease(executor: Executor, release: NewRelease): Promise<Release> {
  const [row] = await executor.insert(releases).values(release).returning();
  return row!;
}

export interface ReleasePageFilter {
  service?: string;
  before?: KeysetPosition;
  limit: number;
}

/** Newest first, keyset-paged by (created_at, id). */
export async function listReleases(executor: Executor, filter: ReleasePageFilter): Promise<Release[]> {
  const conditions = [];
  if (filter.service) conditions.push(eq(releases.service, filter.service));
  if (filter.before) {
    conditions.push(olderThan(releases.createdAt, releases.id, filter.before));
  }
  return executor
    .select()
    .from(releases)
    .where(and(...conditions))
    .orderBy(desc(releases.createdAt), desc(releases.id))
    .limit(filter.limit);
}

/** Attaching a kind again replaces its summary (a re-run CI job); the audit log keeps the history. */
export async function upsertEvidence(
  executor: Executor,
  row: {
    releaseId: string;
    kind: EvidenceKind;
    summary: unknown;
    source: string;
    attachedBy: string;
    attachedAt: Date;
  },
): Promise<void> {
  await executor
    .insert(releaseEvidence)
    .values(row)
    .onConflictDoUpdate({
      target: [releaseEvidence.releaseId, releaseEvidence.kind],
      set: {
        summary: row.summary,
        source: row.source,
        attachedBy: row.attachedBy,
        attachedAt: row.attachedAt,
      },
    });
}

export async function evidenceOf(executor: Executor, releaseId: string): Promise<EvidenceRow[]> {
  return executor.select().from(releaseEvidence).where(eq(releaseEvidence.releaseId, releaseId));
}

/** The evidence of a page of releases in one query (a list shows each release's evidence). */
export async function evidenceOfReleases(
  executor: Executor,
  releaseIds: readonly string[],
): Promise<EvidenceRow[]> {
  if (releaseIds.length === 0) return [];
  return executor
    .select()
    .from(releaseEvidence)
    .where(inArray(releaseEvidence.releaseId, [...releaseIds]));
}

/** The newest release of a service: where its entry stages' auto-promotion should be. */
export async function latestRelease(executor: Executor, service: string): Promise<Release | undefined> {
  const [row] = await executor
    .select()
    .from(releases)
    .where(eq(releases.service, service))
    .orderBy(desc(releases.createdAt), desc(releases.id))
    .limit(1);
  return row;
}

/**
 * The newest release of `service` built from `sha` (a full commit id). A
 * release may name its commit abbreviated, so the stored commit is compared
 * as a prefix of at least 7 characters.
 */
export async function latestReleaseAtCommit(
  executor: Executor,
  service: string,
  sha: string,
): Promise<Release | undefined> {
  const [row] = await executor
    .select()
    .from(releases)
    .where(
      and(
        eq(releases.service, service),
        sql`${sha.toLowerCase()} like lower(${releases.commitSha}) || '%'`,
        sql`length(${releases.commitSha}) >= 7`,
      ),
    )
    .orderBy(desc(releases.createdAt))
    .limit(1);
  return row;
}
