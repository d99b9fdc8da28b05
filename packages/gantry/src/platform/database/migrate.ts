import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from './database.js';

// The committed drizzle-kit migrations; the same files serve both drivers.
// This file sits at src/platform/database (or dist/platform/database), three
// levels below the package root that holds drizzle/.
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  switch (handle.kind) {
    case 'pglite':
      await migratePglite(handle.db as unknown as PgliteDatabase, config);
      return;
    case 'postgres':
      await migratePostgres(handle.db as unknown as NodePgDatabase, config);
      return;
  }
}

export interface MigrationStatus {
  applied: number;
  expected: number;
}

/** How many of the shipped migrations the database has applied (readiness). */
export async function migrationStatus(handle: DatabaseHandle): Promise<MigrationStatus> {
  const expected = shippedMigrationCount();
  const [exists] = await queryRows<{ present: boolean }>(
    handle.db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists?.present) return { applied: 0, expected };
  const [row] = await queryRows<{ count: number | string }>(
    handle.db,
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  return { applied: Number(row?.count ?? 0), expected };
}

let shippedCount: number | undefined;

function shippedMigrationCount(): number {
  if (shippedCount === undefined) {
    const journalPath = `${MIGRATIONS_FOLDER}/meta/_journal.json`;
    if (!existsSync(journalPath)) throw new Error(`migrations journal missing at ${journalPath}`);
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
    shippedCount = journal.entries.length;
  }
  return shippedCount;
}
