import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, StaleVersionError } from '../../shared/errors.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { updateWithVersion } from './optimistic-lock.js';

const promotions = pgTable('versioned_promotions', {
  id: text('id').primaryKey(),
  phase: text('phase').notNull(),
  version: integer('version').notNull(),
});

describe.each(databaseKinds())('optimistic locking on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await database.handle.db.execute(
      sql`create table versioned_promotions (id text primary key, phase text not null, version int not null)`,
    );
    await database.handle.db.insert(promotions).values({ id: 'p1', phase: 'pending', version: 1 });
  });

  afterAll(() => database?.drop());

  it('applies an update made from the current version and bumps it', async () => {
    const row = await updateWithVersion(database.handle.db, promotions, {
      aggregate: 'promotion',
      id: 'p1',
      expectedVersion: 1,
      set: { phase: 'running' },
    });
    expect(row).toEqual({ id: 'p1', phase: 'running', version: 2 });
  });

  it('refuses a stale update with a conflict that says what to do, and changes nothing', async () => {
    const stale = updateWithVersion(database.handle.db, promotions, {
      aggregate: 'promotion',
      id: 'p1',
      expectedVersion: 1,
      set: { phase: 'aborted' },
    });
    await expect(stale).rejects.toThrow(StaleVersionError);
    await expect(stale).rejects.toMatchObject({
      status: 409,
      code: 'stale_version',
      message: 'promotion p1 was changed by someone else (expected version 1); reload it and try again',
    });
    const [row] = await database.handle.db.select().from(promotions);
    expect(row).toEqual({ id: 'p1', phase: 'running', version: 2 });
  });

  it('lets exactly one of two concurrent writers from the same version win', async () => {
    const attempts = await Promise.allSettled(
      ['succeeded', 'failed'].map((phase) =>
        database.handle.db.transaction((tx) =>
          updateWithVersion(tx, promotions, {
            aggregate: 'promotion',
            id: 'p1',
            expectedVersion: 2,
            set: { phase },
          }),
        ),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = attempts.filter((attempt) => attempt.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(StaleVersionError);
  });

  it('says when the aggregate does not exist', async () => {
    await expect(
      updateWithVersion(database.handle.db, promotions, {
        aggregate: 'promotion',
        id: 'missing',
        expectedVersion: 1,
        set: { phase: 'running' },
      }),
    ).rejects.toThrow(NotFoundError);
  });
});
