import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/uuidv7.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import {
  claimDue,
  dueChannels,
  findDelivery,
  insertDeliveries,
  markSent,
  scheduleRetry,
  type NewNotificationDelivery,
} from './notifications.repository.js';

// The delivery queue on a real database: replicas claiming at the same time
// get disjoint deliveries, a claim whose holder died becomes due again, and
// the late holder can no longer record an outcome over the new one.

describe.each(databaseKinds())('notification deliveries on %s', (database) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(database);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const delivery = (channel: string, eventId = uuidv7()): NewNotificationDelivery => ({
    id: uuidv7(),
    channel,
    eventId,
    eventType: 'promotion.succeeded',
    subject: 'checkout/prod',
    data: { promotionId: 'p' },
    occurredAt: new Date(),
  });

  it('records one delivery per event and channel', async () => {
    const eventId = uuidv7();
    const { db: handle } = db.handle;
    expect(await insertDeliveries(handle, [delivery('once', eventId)])).toBe(1);
    expect(await insertDeliveries(handle, [delivery('once', eventId), delivery('other', eventId)])).toBe(1);
  });

  it('gives replicas claiming at the same time disjoint deliveries', async () => {
    const { db: handle } = db.handle;
    await insertDeliveries(
      handle,
      Array.from({ length: 20 }, () => delivery('shared')),
    );
    expect((await dueChannels(handle)).get('shared')).toBe(20);
    const claims = await Promise.all(
      ['replica-a', 'replica-b', 'replica-c'].map((owner) =>
        handle.transaction((tx) => claimDue(tx, 'shared', 10, owner, 60_000)),
      ),
    );
    const ids = claims.flat().map((row) => row.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(claims.flat().every((row) => row.attempts === 1)).toBe(true);
    expect((await dueChannels(handle)).get('shared')).toBeUndefined();
  });

  it('hands a claim whose lease ran out to another replica, and refuses the late outcome of the first', async () => {
    const { db: handle } = db.handle;
    await insertDeliveries(handle, [delivery('crashy')]);
    const [first] = await claimDue(handle, 'crashy', 1, 'replica-dead', 1);
    expect(first).toBeDefined();
    // The first holder "dies" mid-request; its lease runs out and the delivery is due again.
    const [second] = await waitFor(
      async () => {
        const rows = await claimDue(handle, 'crashy', 1, 'replica-alive', 60_000);
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the delivery to be claimable again' },
    );
    expect(second).toMatchObject({ id: first!.id, attempts: 2, leaseOwner: 'replica-alive' });
    expect(await scheduleRetry(handle, first!, { httpStatus: 500, error: 'late' }, 1_000)).toBe(false);
    expect(await markSent(handle, first!, { httpStatus: 200, error: null })).toBe(false);
    expect(await markSent(handle, second!, { httpStatus: 200, error: null })).toBe(true);
    expect(await findDelivery(handle, first!.id)).toMatchObject({
      status: 'sent',
      attempts: 2,
      lastStatus: 200,
      leaseOwner: null,
    });
  });
});
