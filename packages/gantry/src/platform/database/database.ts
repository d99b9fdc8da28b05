import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import pg from 'pg';
import { backoffDelay } from '../../shared/backoff.js';
import { redactUrl } from '../../shared/redact.js';
import { schema, type Schema } from './schema.js';

/** Drizzle over either PGlite or PostgreSQL; repositories are written against this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: repository methods accept both. */
export type Executor = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  readonly db: Db;
  /** Where the data lives, credentials redacted: safe to log. */
  readonly description: string;
  /** Calls onNotify for every NOTIFY on channel until the returned function is called. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Rows of a raw `db.execute(sql…)`, whichever driver ran it. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  // Both drivers return an object with `rows`; the shared PgDatabase type cannot say so.
  const result: unknown = await executor.execute(query);
  return (result as { rows: T[] }).rows;
}

export async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  // memory:// when no directory is given: tests and throwaway runs.
  const client = await PGlite.create(dataDir ?? 'memory://');
  return pgliteHandle(client, dataDir ? `PGlite at ${dataDir}` : 'PGlite in memory');
}

export function pgliteHandle(client: PGlite, description: string): DatabaseHandle {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    description,
    async listen(channel, onNotify) {
      const unsubscribe = await client.listen(channel, () => onNotify());
      return unsubscribe;
    },
    async close() {
      await client.close();
    },
  };
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Called when a pooled or listening connection fails in the background. */
  onError?: (error: Error) => void;
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 10_000,
    application_name: 'gantry',
  });
  // An idle client that loses its connection emits here; without a listener
  // the process would crash. The pool replaces the client on next use.
  pool.on('error', (error) => options.onError?.(error));
  const db = drizzlePostgres({ client: pool, schema }) as unknown as Db;
  const listeners = new Set<ReconnectingListener>();
  return {
    kind: 'postgres',
    db,
    description: `PostgreSQL at ${redactUrl(options.url)}`,
    async listen(channel, onNotify) {
      const listener = new ReconnectingListener(options.url, channel, onNotify, options.onError);
      listeners.add(listener);
      await listener.start();
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      await pool.end();
    },
  };
}

/**
 * LISTEN needs its own session (a pooled connection would lose it). When the
 * session drops, it reconnects with backoff and fires onNotify once, because
 * notifications sent while it was away are gone; callers re-check state.
 */
class ReconnectingListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly onError?: (error: Error) => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'gantry-listen' });
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onNotify();
    });
    client.on('error', (error) => {
      this.onError?.(error);
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.client = client;
    this.failures = 0;
  }

  private reconnectLater(failed: pg.Client): void {
    if (this.stopped || this.client !== failed) return;
    this.client = undefined;
    this.failures += 1;
    const delay = backoffDelay(this.failures - 1, 500, 30_000);
    this.retryTimer = setTimeout(() => {
      this.start().then(
        () => this.onNotify(),
        (error: Error) => {
          this.onError?.(error);
          this.client = failed; // so the next failure path schedules again
          this.reconnectLater(failed);
        },
      );
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
