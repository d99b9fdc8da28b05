import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';
import type { EventEnvelope } from './event.js';
import { OUTBOX_PARTITIONS } from './partitions.js';
import { outbox } from './events.tables.js';

// Every statement the outbox needs, one operation per function. The relay's
// statements are written so that no transaction is ever held open while the
// broker is being waited on.

export const OUTBOX_CHANNEL = 'gantry_outbox';

export interface OutboxRow {
  eventId: string;
  type: string;
  key: string;
  partition: number;
  payload: unknown;
  headers: Record<string, string>;
  schemaVersion: number;
  occurredAt: Date;
  availableAt: Date | undefined;
  destination: string | null;
  attempt: number;
}

/**
 * Locks the rows' keys for the rest of the transaction and queues a NOTIFY
 * for the relays (delivered at commit; dropped on rollback).
 *
 * Why the lock: seq comes from a sequence at insert time, but transactions
 * commit in their own order, so two concurrent appends for one key could
 * become visible out of seq order and the relay would publish the later one
 * first. Holding a per-key advisory lock until commit makes seq order equal
 * commit order within a key. Keys are locked in hash order so that two
 * multi-key appends cannot deadlock.
 */
export async function lockKeysAndNotify(tx: Executor, keys: readonly string[]): Promise<void> {
  await tx.execute(sql`
    select pg_notify(${OUTBOX_CHANNEL}, ''),
           (select count(pg_advisory_xact_lock(h))
              from (select distinct hashtextextended(k, 0) as h
                      from unnest(${sqlArray(keys, 'text')}) as k
                     order by h) as ordered)`);
}

/** A parameterised array literal: `array[$1, $2]::type[]`. */
function sqlArray(values: readonly (string | number)[], type: 'text' | 'smallint' | 'bigint'): SQL {
  if (values.length === 0) return sql.raw(`array[]::${type}[]`);
  return sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::${sql.raw(type)}[]`;
}

export async function insertOutboxRows(tx: Executor, rows: readonly OutboxRow[]): Promise<void> {
  await tx.insert(outbox).values(
    rows.map((row) => ({
      eventId: row.eventId,
      type: row.type,
      key: row.key,
      partition: row.partition,
      payload: row.payload,
      headers: row.headers,
      schemaVersion: row.schemaVersion,
      occurredAt: row.occurredAt,
      ...(row.availableAt ? { availableAt: row.availableAt } : {}),
      destination: row.destination,
      attempt: row.attempt,
    })),
  );
}

interface PendingRow {
  seq: string | number;
  event_id: string;
  type: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
  schema_version: number;
  occurred_at: string | Date;
  destination: string | null;
  attempt: number;
}

/** Due, unsent rows of the given partitions in write order. */
export async function selectDueRows(
  db: Executor,
  partitions: readonly number[],
  limit: number,
): Promise<EventEnvelope[]> {
  const rows = await queryRows<PendingRow>(
    db,
    sql`select seq, event_id, type, key, payload, headers, schema_version, occurred_at, destination, attempt
          from outbox
         where sent_at is null
           and available_at <= now()
           and partition = any(${sqlArray(partitions, 'smallint')})
         order by seq
         limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.event_id,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: row.headers,
    schemaVersion: row.schema_version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    destination: row.destination,
    attempt: row.attempt,
    outboxSeq: Number(row.seq),
  }));
}

export async function markSent(db: Executor, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await db.execute(sql`update outbox set sent_at = now() where seq = any(${sqlArray(seqs, 'bigint')})`);
}

/** When the earliest scheduled (future) row of these partitions falls due. */
export async function nextDueAt(db: Executor, partitions: readonly number[]): Promise<Date | undefined> {
  const [row] = await queryRows<{ next: string | Date | null }>(
    db,
    sql`select min(available_at) as next from outbox
         where sent_at is null and partition = any(${sqlArray(partitions, 'smallint')})`,
  );
  return row?.next ? new Date(row.next) : undefined;
}

export interface OutboxStats {
  backlog: number;
  oldestAgeSeconds: number;
  scheduled: number;
}

export async function outboxStats(db: Executor): Promise<OutboxStats> {
  const [row] = await queryRows<{
    backlog: string | number;
    oldest: string | number | null;
    scheduled: string | number;
  }>(
    db,
    sql`select count(*) filter (where available_at <= now()) as backlog,
               extract(epoch from now() - min(available_at) filter (where available_at <= now())) as oldest,
               count(*) filter (where available_at > now()) as scheduled
          from outbox where sent_at is null`,
  );
  return {
    backlog: Number(row?.backlog ?? 0),
    oldestAgeSeconds: Number(row?.oldest ?? 0),
    scheduled: Number(row?.scheduled ?? 0),
  };
}

/**
 * Deletes sent rows older than the retention, a bounded batch at a time so a
 * large prune never holds locks for long. Returns how many went.
 */
export async function pruneSentRows(db: Executor, olderThan: Date, batch = 5_000): Promise<number> {
  const rows = await queryRows<{ seq: string }>(
    db,
    sql`delete from outbox where seq in (
          select seq from outbox where sent_at is not null and sent_at < ${olderThan.toISOString()}::timestamptz limit ${batch})
        returning seq`,
  );
  return rows.length;
}

// ---- partition leases -------------------------------------------------------

export async function ensurePartitions(db: Executor): Promise<void> {
  await db.execute(
    sql`insert into outbox_partitions (partition)
        select generate_series(0, ${OUTBOX_PARTITIONS - 1}) on conflict do nothing`,
  );
}

export async function heartbeatRelay(db: Executor, relayId: string, liveWithinMs: number): Promise<number> {
  await db.execute(
    sql`insert into relay_instances (id, heartbeat_at) values (${relayId}, now())
        on conflict (id) do update set heartbeat_at = now()`,
  );
  const [row] = await queryRows<{ live: string | number }>(
    db,
    sql`select count(*) as live from relay_instances
         where heartbeat_at > now() - make_interval(secs => ${liveWithinMs / 1000})`,
  );
  return Number(row?.live ?? 1);
}

export async function forgetAllRelays(db: Executor): Promise<void> {
  await db.execute(sql`delete from relay_instances`);
  await db.execute(sql`update outbox_partitions set owner = null, lease_until = 'epoch'`);
}

export async function forgetRelay(db: Executor, relayId: string): Promise<void> {
  await db.execute(sql`delete from relay_instances where id = ${relayId}`);
  await db.execute(
    sql`update outbox_partitions set owner = null, lease_until = 'epoch' where owner = ${relayId}`,
  );
}

/**
 * Renews this relay's leases and takes free or expired partitions, up to
 * `share`, then gives back any it holds beyond that. SKIP LOCKED lets relays
 * claim concurrently without waiting on each other: a partition another relay
 * is claiming right now is simply not offered to this one.
 */
export async function leasePartitions(
  db: Executor,
  relayId: string,
  share: number,
  leaseMs: number,
): Promise<{ partitions: number[]; leaseUntil: Date }> {
  const rows = await queryRows<{ partition: number; lease_until: string | Date }>(
    db,
    sql`update outbox_partitions p
           set owner = ${relayId}, lease_until = now() + make_interval(secs => ${leaseMs / 1000})
         where p.partition in (
           select partition from outbox_partitions
            where owner = ${relayId} or owner is null or lease_until < now()
            order by (owner is not distinct from ${relayId}) desc, partition
            limit ${share}
            for update skip locked)
        returning p.partition, p.lease_until`,
  );
  const partitions = rows.map((row) => Number(row.partition)).sort((a, b) => a - b);
  await db.execute(
    sql`update outbox_partitions set owner = null, lease_until = 'epoch'
         where owner = ${relayId} and not (partition = any(${sqlArray(partitions, 'smallint')}))`,
  );
  const leaseUntil = rows[0] ? new Date(rows[0].lease_until) : new Date(Date.now() + leaseMs);
  return { partitions, leaseUntil };
}

export async function pruneDeadRelays(db: Executor, olderThanMs: number): Promise<void> {
  await db.execute(
    sql`delete from relay_instances where heartbeat_at < now() - make_interval(secs => ${olderThanMs / 1000})`,
  );
}
