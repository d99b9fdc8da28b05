import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { updateWithVersion } from '../../platform/database/optimistic-lock.js';
import type { Promotion } from '../promotions/promotions.repository.js';
import { promotions } from '../promotions/promotions.tables.js';
import { incidents } from './incidents.tables.js';
import { olderThan } from '../../platform/database/keyset.js';
import type { KeysetPosition } from '../../shared/keyset-cursor.js';

export type Incident = typeof incidents.$inferSelect;
export type NewIncident = typeof incidents.$inferInsert;
export type IncidentStatus = Incident['status'];

/** The partial unique index that allows one open incident per (source, fingerprint). */
export const ONE_OPEN_PER_FINGERPRINT_INDEX = 'incidents_one_open_per_fingerprint_idx';

export async function insertIncident(executor: Executor, row: NewIncident): Promise<Incident> {
  const [inserted] = await executor.insert(incidents).values(row).returning();
  return inserted!;
}

export async function findIncident(executor: Executor, id: string): Promise<Incident | undefined> {
  const [row] = await executor.select().from(incidents).where(eq(incidents.id, id)).limit(1);
  return row;
}

export async function findOpenIncident(
  executor: Executor,
  source: string,
  fingerprint: string,
): Promise<Incident | undefined> {
  const [row] = await executor
    .select()
    .from(incidents)
    .where(
      and(eq(incidents.source, source), eq(incidents.fingerprint, fingerprint), eq(incidents.status, 'open')),
    )
    .limit(1);
  return row;
}

/** Compare-and-set on the version column: a concurrent change makes this throw StaleVersionError. */
export async function updateIncident(
  executor: Executor,
  current: Incident,
  set: Partial<Omit<Incident, 'id' | 'version'>>,
): Promise<Incident> {
  return updateWithVersion(executor, incidents, {
    aggregate: 'incident',
    id: current.id,
    expectedVersion: current.version,
    set,
  });
}

export interface IncidentFilter {
  status?: IncidentStatus;
  service?: string;
  stage?: string;
  openedSince?: Date;
  openedUntil?: Date;
  /** Keyset pagination: only incidents opened before this one. */
  before?: KeysetPosition;
  limit: number;
}

/** Newest first, keyset-paged by (opened_at, id). */
export async function listIncidents(executor: Executor, filter: IncidentFilter): Promise<Incident[]> {
  const conditions = [];
  if (filter.status) conditions.push(eq(incidents.status, filter.status));
  if (filter.service) conditions.push(eq(incidents.service, filter.service));
  if (filter.stage) conditions.push(eq(incidents.stage, filter.stage));
  if (filter.openedSince) conditions.push(gte(incidents.openedAt, filter.openedSince));
  if (filter.openedUntil) conditions.push(lt(incidents.openedAt, filter.openedUntil));
  if (filter.before) {
    conditions.push(olderThan(incidents.openedAt, incidents.id, filter.before));
  }
  return executor
    .select()
    .from(incidents)
    .where(and(...conditions))
    .orderBy(desc(incidents.openedAt), desc(incidents.id))
    .limit(filter.limit);
}

/** Phases of a promotion that changed what runs in its stage (or is changing it now). */
const DEPLOYED_PHASES = ['Applying', 'Verifying', 'Succeeded'];

/**
 * The latest promotion that changed what runs in a stage: the one an
 * incident there is blamed on. Promotions still waiting for gates or
 * approval changed nothing, and one that failed, was aborted or rolled back
 * left the stage as it was.
 */
export async function latestDeployedPromotion(
  executor: Executor,
  service: string,
  stage: string,
): Promise<Promotion | undefined> {
  const [row] = await executor
    .select()
    .from(promotions)
    .where(
      and(
        eq(promotions.service, service),
        eq(promotions.stage, stage),
        inArray(promotions.phase, DEPLOYED_PHASES),
      ),
    )
    .orderBy(desc(promotions.createdAt), desc(promotions.id))
    .limit(1);
  return row;
}
