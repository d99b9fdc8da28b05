import { CONSUMER_GROUP_QUEUE } from '../../src/features/events/transports/amqp.transport.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { connect as connectAmqp, type Channel } from 'amqplib';
import { sql } from 'drizzle-orm';
import { AckPolicy, connect as connectNats, DeliverPolicy, type NatsConnection } from 'nats';
import pg from 'pg';
import { eventRoute } from '../../src/features/events/event.js';
import { createTransport } from '../../src/features/events/transports/create-transport.js';
import type { Transport, TransportKind } from '../../src/features/events/transports/transport.js';
import {
  openPostgres,
  pgliteHandle,
  queryRows,
  type DatabaseHandle,
  type DatabaseKind,
} from '../../src/platform/database/database.js';
import { runMigrations } from '../../src/platform/database/migrate.js';
import { redactUrl } from '../../src/shared/redact.js';

// The database and broker of one benchmark combination. Every combination
// gets a database of its own and broker objects (exchange, queues, stream)
// of its own, all removed afterwards.

export type ComboName = 'pglite' | 'postgres' | 'rabbitmq' | 'nats';

export interface Combo {
  name: ComboName;
  label: string;
  database: DatabaseKind;
  transport: TransportKind;
}

export const COMBOS: readonly Combo[] = [
  { name: 'pglite', label: 'PGlite + in-process', database: 'pglite', transport: 'in-process' },
  { name: 'postgres', label: 'PostgreSQL + in-process', database: 'postgres', transport: 'in-process' },
  { name: 'rabbitmq', label: 'PostgreSQL + RabbitMQ', database: 'postgres', transport: 'rabbitmq' },
  { name: 'nats', label: 'PostgreSQL + NATS', database: 'postgres', transport: 'nats' },
];

export interface ServiceUrls {
  database: string;
  amqp: string;
  nats: string;
}

/** A short random suffix that keeps one run's databases, queues and streams apart from any other's. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

// ---- databases -------------------------------------------------------------------

export interface BenchDatabase {
  readonly kind: DatabaseKind;
  readonly handle: DatabaseHandle;
  /** PostgreSQL: the URL of this combination's database, for the baseline's own clients. */
  readonly url: string | undefined;
  /** PGlite: the instance itself, for the baseline's raw statements. */
  readonly pglite: PGlite | undefined;
  /** Server version as the database reports it. */
  readonly version: string;
  drop(): Promise<void>;
}

/** The benchmark's own tables: the producers' state rows, the handlers' effects, the baseline's rows. */
const BENCH_TABLES = [
  `create table bench_state (
     id bigserial primary key, aggregate text not null, n integer not null,
     written_at timestamptz not null default now())`,
  `create table bench_effects (
     event_id uuid primary key, aggregate text not null,
     handled_at timestamptz not null default now())`,
  `create table bench_baseline (
     id bigserial primary key, client integer not null, n integer not null,
     written_at timestamptz not null default now())`,
];

/**
 * A fresh, migrated database. PGlite lives in a temporary directory on disk,
 * as `npm start` runs it; PostgreSQL gets a new database on the server.
 */
export async function createBenchDatabase(
  kind: DatabaseKind,
  serverUrl: string,
  poolSize: number,
  onError: (error: Error) => void,
): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'gantry-bench-'));
    try {
      const client = await PGlite.create(directory);
      const handle = pgliteHandle(client, `PGlite at ${directory}`);
      await prepare(handle);
      return {
        kind,
        handle,
        url: undefined,
        pglite: client,
        version: await serverVersion(handle),
        async drop() {
          await handle.close().catch(() => undefined);
          await rm(directory, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }
  const name = `gantry_bench_${uniqueSuffix()}`;
  await withAdmin(serverUrl, (admin) => admin.query(`create database ${name}`));
  const url = withDatabase(serverUrl, name);
  const handle = openPostgres({ url, poolSize, onError });
  const drop = async () => {
    await handle.close().catch(() => undefined);
    await withAdmin(serverUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
  };
  try {
    await prepare(handle);
    return { kind, handle, url, pglite: undefined, version: await serverVersion(handle), drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function prepare(handle: DatabaseHandle): Promise<void> {
  await runMigrations(handle);
  for (const statement of BENCH_TABLES) await handle.db.execute(sql.raw(statement));
}

async function serverVersion(handle: DatabaseHandle): Promise<string> {
  const [row] = await queryRows<{ server_version: string }>(handle.db, sql`show server_version`);
  return row?.server_version ?? 'unknown';
}

/** The same server URL with another database name. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'gantry-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// ---- brokers ---------------------------------------------------------------------

/**
 * The broker side of one combination: transports whose exchange, queues and
 * stream are private to one phase of the run, a group that retains messages
 * but never consumes them (for the relay drain), and the clean-up of all of it.
 */
export class BenchBroker {
  private readonly exchanges = new Set<string>();
  private readonly queues = new Set<string>();
  private readonly streams = new Set<string>();

  constructor(
    readonly kind: TransportKind,
    private readonly urls: ServiceUrls,
    private readonly runId: string,
  ) {}

  get url(): string | undefined {
    switch (this.kind) {
      case 'in-process':
        return undefined;
      case 'rabbitmq':
        return this.urls.amqp;
      case 'nats':
        return this.urls.nats;
    }
  }

  /** A transport whose broker objects belong to `phase` alone; `groups` are the consumer groups it will carry. */
  transport(phase: string, groups: readonly string[], onError: (error: Error) => void): Transport {
    const names = this.names(phase);
    if (this.kind === 'rabbitmq') {
      this.exchanges.add(names.exchange);
      for (const group of groups) this.queues.add(`${names.queuePrefix}.${group}`);
    }
    if (this.kind === 'nats') this.streams.add(names.stream);
    return createTransport(this.url, { ...names, onError });
  }

  /**
   * Declares `group` for `eventType` so published events are routed and kept,
   * with nobody consuming them: a bound queue (RabbitMQ), a durable consumer
   * that never pulls (NATS), a subscription that accepts at once (in-process).
   * Returns a function that counts the messages it holds (undefined in-process).
   */
  async declareParkedGroup(
    transport: Transport,
    phase: string,
    group: string,
    eventType: string,
  ): Promise<() => Promise<number | undefined>> {
    const names = this.names(phase);
    switch (this.kind) {
      case 'in-process': {
        await transport.subscribe({
          group,
          eventTypes: [eventType],
          concurrency: 64,
          deliver: () => Promise.resolve(),
        });
        return () => Promise.resolve(undefined);
      }
      case 'rabbitmq': {
        const queue = `${names.queuePrefix}.${group}`;
        this.queues.add(queue);
        await this.withAmqp(async (channel) => {
          await channel.assertQueue(queue, CONSUMER_GROUP_QUEUE);
          await channel.bindQueue(queue, names.exchange, eventRoute(eventType));
        });
        return () => this.withAmqp(async (channel) => (await channel.checkQueue(queue)).messageCount);
      }
      case 'nats': {
        const durable = group.replace(/[^A-Za-z0-9_-]/g, '_');
        await this.withNats(async (nc) => {
          const jsm = await nc.jetstreamManager();
          await jsm.consumers.add(names.stream, {
            durable_name: durable,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            filter_subject: `${names.subjectPrefix}.${eventRoute(eventType)}`,
          });
        });
        return () =>
          this.withNats(async (nc) => {
            const jsm = await nc.jetstreamManager();
            return (await jsm.consumers.info(names.stream, durable)).num_pending;
          });
      }
    }
  }

  /** Broker version, when it says so cheaply. */
  async version(): Promise<string | undefined> {
    switch (this.kind) {
      case 'in-process':
        return undefined;
      case 'rabbitmq': {
        const model = await connectAmqp(this.urls.amqp);
        try {
          const version = model.connection.serverProperties.version;
          return typeof version === 'string' ? `RabbitMQ ${version}` : undefined;
        } finally {
          await model.close();
        }
      }
      case 'nats':
        return this.withNats((nc) => Promise.resolve(nc.info ? `NATS ${nc.info.version}` : undefined));
    }
  }

  /** Deletes every queue, exchange and stream this combination declared. */
  async cleanup(): Promise<void> {
    if (this.kind === 'rabbitmq' && (this.queues.size > 0 || this.exchanges.size > 0)) {
      await this.withAmqp(async (channel) => {
        for (const queue of this.queues) await channel.deleteQueue(queue);
        for (const exchange of this.exchanges) await channel.deleteExchange(exchange);
      });
    }
    if (this.kind === 'nats' && this.streams.size > 0) {
      await this.withNats(async (nc) => {
        const jsm = await nc.jetstreamManager();
        for (const stream of this.streams) {
          await jsm.streams.delete(stream).catch(() => false);
        }
      });
    }
    this.queues.clear();
    this.exchanges.clear();
    this.streams.clear();
  }

  private names(phase: string) {
    const id = `${this.runId}-${phase}`;
    return {
      exchange: `gantry-bench.${id}`,
      queuePrefix: `gantry-bench.${id}`,
      stream: `GANTRY_BENCH_${id.replace(/[^A-Za-z0-9]/g, '_')}`,
      subjectPrefix: `gantry-bench-${id.replace(/[^A-Za-z0-9]/g, '-')}`,
    };
  }

  private async withAmqp<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const model = await connectAmqp(this.urls.amqp);
    try {
      return await work(await model.createChannel());
    } finally {
      await model.close();
    }
  }

  private async withNats<T>(work: (nc: NatsConnection) => Promise<T>): Promise<T> {
    const url = new URL(this.urls.nats);
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    const nc = await connectNats({
      servers: `${url.hostname}:${url.port || '4222'}`,
      name: 'gantry-bench',
      ...(user && pass ? { user, pass } : user ? { token: user } : {}),
    });
    try {
      return await work(nc);
    } finally {
      await nc.close();
    }
  }
}

/** A URL fit to print. */
export function shownUrl(url: string | undefined): string {
  return url ? redactUrl(url) : 'in-process';
}
