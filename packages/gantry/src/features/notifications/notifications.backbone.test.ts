import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../platform/database/database.js';
import { verifySignedPayload } from '../../shared/signed-payload.js';
import { createConfigRepository } from '../../testing/git-fixture.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../testing/http-receiver.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import type { EventEnvelope } from '../events/event.js';
import type { IncidentOpened } from '../incidents/incident-events.js';
import type { PromotionDto, PromotionPageDto } from '../promotions/promotions.dto.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import type { ChannelListDto, DeliveryDto, DeliveryPageDto, ReplayResultDto } from './notifications.dto.js';
import type { SlackMessage } from './notification-messages.js';
import { NOTIFICATIONS_GROUP } from './notifications.service.js';
import { notificationsCommand } from '../../cli/notifications.command.js';
import { runCli } from '../../testing/cli-run.js';

// Outbound notifications on a real server, database and config repository,
// posted to real HTTP receivers: what Slack and a generic webhook receive,
// which events go where, retries, dead deliveries and replays, and a
// receiver that never answers while a promotion goes on without it.

const PUBLIC_URL = 'https://gantry.example.com';
const TERMINAL = ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'];

const kustomization = (service: string, stage: string) => `# ${service} ${stage}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: ghcr.io/acme/${service}
    newTag: "0.0.0"
`;

function pipelines(repo: string): string {
  const target = (service: string, stage: string) =>
    `target: { type: gitops, repository: ${repo}, path: apps/${service}/${stage}/kustomization.yaml, format: kustomize }`;
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: checkout }
spec:
  team: payments
  image: ghcr.io/acme/checkout
  source: { repo: https://github.com/acme/checkout }
  stages:
    - name: develop
      promotion: auto
      ${target('checkout', 'develop')}
    - name: prod
      promotion: manual
      approvals: { required: 1 }
      ${target('checkout', 'prod')}
---
apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: billing }
spec:
  team: payments
  image: ghcr.io/acme/billing
  source: { repo: https://github.com/acme/billing }
  stages:
    - name: develop
      promotion: auto
      ${target('billing', 'develop')}
`;
}

/** A random path part: the secret in each receiver's URL, never to be seen in logs or answers. */
const secretPath = () => `s${randomBytes(12).toString('hex')}`;

type Receivers = Record<'slack' | 'hooks' | 'hung' | 'flaky' | 'broken' | 'gone', HttpReceiver>;

const SECRETS = {
  slackPath: secretPath(),
  hooksPath: secretPath(),
  hungPath: secretPath(),
  flakyPath: secretPath(),
  brokenPath: secretPath(),
  gonePath: secretPath(),
  hooksSecret: `whsec-${randomBytes(16).toString('hex')}`,
  otherSecret: `whsec-${randomBytes(16).toString('hex')}`,
};

const fastRetry = '{ attempts: 3, backoff: 50ms, maxBackoff: 100ms }';

const NOTIFICATIONS_FILE = `# channels of the test; every URL and secret comes from the environment
channels:
  - name: slack
    type: slack
    url: env:NOTIFY_SLACK_URL
  - name: hooks
    type: webhook
    url: env:NOTIFY_HOOKS_URL
    secret: env:NOTIFY_HOOKS_SECRET
  - name: hung
    type: webhook
    url: env:NOTIFY_HUNG_URL
    secret: env:NOTIFY_OTHER_SECRET
    timeout: 1s
    concurrency: 1
    retry: ${fastRetry}
  - name: flaky
    type: webhook
    url: env:NOTIFY_FLAKY_URL
    secret: env:NOTIFY_OTHER_SECRET
    retry: ${fastRetry}
  - name: broken
    type: slack
    url: env:NOTIFY_BROKEN_URL
    retry: ${fastRetry}
  - name: gone
    type: slack
    url: env:NOTIFY_GONE_URL
    retry: ${fastRetry}
subscriptions:
  - channel: slack
    events: [promotion.succeeded, promotion.waiting-for-approval]
    services: [checkout]
    stages: [develop]
  - channel: hooks
    events: [promotion.*]
    services: [checkout]
  - channel: hung
    events: [promotion.waiting-for-approval, promotion.succeeded]
    stages: [prod]
  - { channel: flaky, events: [incident.opened], services: [flaky] }
  - { channel: broken, events: [incident.opened], services: [broken] }
  - { channel: gone, events: [incident.opened], services: [gone] }
`;

describe.each(databaseKinds())('notifications on %s', (database) => {
  let gantry: TestServer;
  let receivers: Receivers;
  let deployer: string;
  let approver: string;
  const logLines: string[] = [];
  /** Every API answer the tests read, to check no secret is in any. */
  const answers: string[] = [];

  beforeAll(async () => {
    receivers = {
      slack: await startHttpReceiver(),
      hooks: await startHttpReceiver(),
      hung: await startHttpReceiver(() => 'hang'),
      flaky: await startHttpReceiver((_, index) =>
        index === 0 ? { status: 500, body: 'temporarily broken' } : { status: 200 },
      ),
      broken: await startHttpReceiver(() => ({ status: 503, body: 'down for maintenance' })),
      gone: await startHttpReceiver(() => ({ status: 410, body: 'channel_is_archived' })),
    };
    process.env.NOTIFY_SLACK_URL = `${receivers.slack.url}/services/${SECRETS.slackPath}`;
    process.env.NOTIFY_HOOKS_URL = `${receivers.hooks.url}/hooks/${SECRETS.hooksPath}`;
    process.env.NOTIFY_HUNG_URL = `${receivers.hung.url}/hooks/${SECRETS.hungPath}`;
    process.env.NOTIFY_FLAKY_URL = `${receivers.flaky.url}/hooks/${SECRETS.flakyPath}`;
    process.env.NOTIFY_BROKEN_URL = `${receivers.broken.url}/services/${SECRETS.brokenPath}`;
    process.env.NOTIFY_GONE_URL = `${receivers.gone.url}/services/${SECRETS.gonePath}`;
    process.env.NOTIFY_HOOKS_SECRET = SECRETS.hooksSecret;
    process.env.NOTIFY_OTHER_SECRET = SECRETS.otherSecret;
    const file = join(mkdtempSync(join(tmpdir(), 'gantry-notifications-')), 'notifications.yaml');
    writeFileSync(file, NOTIFICATIONS_FILE);

    const repo = await createConfigRepository({
      'apps/checkout/develop/kustomization.yaml': kustomization('checkout', 'develop'),
      'apps/checkout/prod/kustomization.yaml': kustomization('checkout', 'prod'),
      'apps/billing/develop/kustomization.yaml': kustomization('billing', 'develop'),
    });
    gantry = await startTestServer({
      database,
      env: {
        GANTRY_NOTIFICATIONS_FILE: file,
        GANTRY_PUBLIC_URL: PUBLIC_URL,
        GANTRY_LOG_LEVEL: 'debug',
      },
      logDestination: { write: (line: string) => void logLines.push(line) },
    });
    deployer = await gantry.token('ci', 'deployer');
    approver = await gantry.token('alice', 'approver');
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipelines(repo.bare) },
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    const open = Object.values((receivers as Receivers | undefined) ?? {});
    await Promise.all(open.map((receiver) => receiver.close()));
  });

  async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const response = await gantry.api<T>(method, path, { body, token });
    answers.push(JSON.stringify(response.body));
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  }

  async function release(service: string): Promise<ReleaseDto> {
    return api<ReleaseDto>(
      'POST',
      '/api/v1/releases',
      {
        service,
        image: `ghcr.io/acme/${service}`,
        digest: `sha256:${randomBytes(32).toString('hex')}`,
        commit: randomBytes(20).toString('hex'),
      },
      deployer,
    );
  }

  async function promotionOf(service: string, stage: string, version: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const page = await api<PromotionPageDto>(
          'GET',
          `/api/v1/promotions?service=${service}&stage=${stage}`,
        );
        return page.items.find((item) => item.version === version);
      },
      { what: `a promotion of ${service} ${version} into ${stage}` },
    );
  }

  async function finished(id: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const promotion = await api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        return TERMINAL.includes(promotion.phase) ? promotion : undefined;
      },
      { what: `promotion ${id} to finish` },
    );
  }

  async function deliveries(query: string): Promise<DeliveryDto[]> {
    return (await api<DeliveryPageDto>('GET', `/api/v1/notifications/deliveries?limit=500&${query}`)).items;
  }

  /** Waits until the notifications consumer has handled every event of these outbox keys. */
  async function handledAll(keyPattern: string): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await queryRows<{ waiting: string | number }>(
          gantry.server.database.db,
          sql`select count(*) as waiting from outbox o
              where o.key like ${keyPattern} and o.destination is null
                and o.type in ('promotion.requested', 'promotion.phase-changed')
                and not exists (select 1 from processed_events p
                                where p.consumer_group = ${NOTIFICATIONS_GROUP} and p.event_id = o.event_id)`,
        );
        return Number(row?.waiting) === 0;
      },
      { what: `the notifications consumer to handle every event of ${keyPattern}` },
    );
  }

  async function openIncident(service: string): Promise<string> {
    const incidentId = `0193a1b2-0000-7000-8000-${randomBytes(6).toString('hex')}`;
    const payload: IncidentOpened = {
      incidentId,
      source: 'alertmanager',
      title: `HighErrorRate on ${service}`,
      service,
      stage: 'prod',
      severity: 'critical',
      promotionId: null,
      url: null,
      actor: 'system:alertmanager',
      at: new Date().toISOString(),
    };
    const { backbone, database: db } = gantry.server;
    return db.db.transaction((tx) =>
      backbone.events.append(tx, { type: 'incident.opened', key: `incident:${incidentId}`, payload }),
    );
  }

  const json = (request: ReceivedRequest) => JSON.parse(request.body) as Record<string, unknown>;

  it('posts a promotion that succeeded to Slack, and every checkout event to the signed webhook', async () => {
    const checkout = await release('checkout');
    const promotion = await finished((await promotionOf('checkout', 'develop', checkout.version)).id);
    expect(promotion.phase).toBe('Succeeded');
    await handledAll('checkout/develop');

    // Slack: only promotion.succeeded (the subscription's events), as one message.
    const [message] = await waitFor(
      () => (receivers.slack.received.length > 0 ? receivers.slack.received : undefined),
      {
        what: 'the Slack message',
      },
    );
    expect(message!.method).toBe('POST');
    expect(message!.path).toBe(`/services/${SECRETS.slackPath}`);
    expect(message!.headers['content-type']).toMatch(/^application\/json/);
    const link = `${PUBLIC_URL}/promotions/${promotion.id}`;
    const slack = JSON.parse(message!.body) as SlackMessage;
    expect(slack.text).toBe(
      `✅ checkout ${checkout.version} succeeded in develop: pushed to the config repository; nothing further to verify for this target <${link}|View promotion>`,
    );
    expect(slack.attachments).toHaveLength(1);
    expect(slack.attachments[0]).toMatchObject({
      color: '#2eb67d',
      title: `checkout ${checkout.version} → develop`,
      title_link: link,
    });
    expect(
      Object.fromEntries(slack.attachments[0]!.fields.map((field) => [field.title, field.value])),
    ).toEqual({
      Service: 'checkout',
      Stage: 'develop',
      Version: checkout.version,
      Phase: '✅ succeeded',
      By: 'system:apply',
      Trigger: 'auto',
    });

    // The webhook: requested, started, succeeded, each signed, in the documented shape.
    const types = await waitFor(
      () => {
        const seen = receivers.hooks.received.map((request) => json(request).type as string);
        return seen.includes('promotion.succeeded') ? seen : undefined;
      },
      { what: 'the webhook to receive promotion.succeeded' },
    );
    expect([...types].sort()).toEqual(['promotion.requested', 'promotion.started', 'promotion.succeeded']);
    // Sent once the receiver's answer is recorded.
    const hookDeliveries = await waitFor(
      async () => {
        const rows = await deliveries('channel=hooks');
        return rows.length === 3 && rows.every((row) => row.status === 'sent') ? rows : undefined;
      },
      { what: 'the three webhook deliveries to be recorded as sent' },
    );
    for (const request of receivers.hooks.received) {
      const signature = request.headers['x-gantry-signature'] as string;
      expect(verifySignedPayload(signature, SECRETS.hooksSecret, request.body)).toMatchObject({ ok: true });
      expect(verifySignedPayload(signature, 'another-secret', request.body)).toMatchObject({ ok: false });
      const body = json(request);
      expect(request.headers['x-gantry-event']).toBe(body.type);
      const delivery = hookDeliveries.find((row) => row.id === request.headers['x-gantry-delivery']);
      expect(delivery, 'X-Gantry-Delivery names the delivery').toBeDefined();
      expect(delivery!.eventId).toBe(body.id);
      expect(Object.keys(body).sort()).toEqual(['data', 'id', 'occurredAt', 'type']);
    }
    const succeeded = json(
      receivers.hooks.received.find((request) => json(request).type === 'promotion.succeeded')!,
    );
    expect(succeeded.data).toEqual({
      promotionId: promotion.id,
      service: 'checkout',
      stage: 'develop',
      version: checkout.version,
      releaseId: checkout.id,
      trigger: 'auto',
      phase: 'Succeeded',
      previousPhase: 'Verifying',
      actor: 'system:apply',
      reason: 'pushed to the config repository; nothing further to verify for this target',
      link,
    });
    expect(hookDeliveries.map((row) => row.attempts)).toEqual([1, 1, 1]);
  });

  it('filters by service, stage and event', async () => {
    const billing = await release('billing');
    expect((await finished((await promotionOf('billing', 'develop', billing.version)).id)).phase).toBe(
      'Succeeded',
    );
    await handledAll('billing/%');
    // No subscription takes billing: nothing recorded, nothing posted.
    expect((await deliveries('')).filter((row) => row.subject.startsWith('billing/'))).toEqual([]);
    const posted = [...receivers.slack.received, ...receivers.hooks.received].map((request) => request.body);
    expect(posted.filter((body) => body.includes('billing'))).toEqual([]);
    // Slack takes promotion.succeeded of checkout/develop only: requested and started went to the webhook alone.
    expect((await deliveries('channel=slack')).map((row) => `${row.type} ${row.subject}`)).toEqual([
      'promotion.succeeded checkout/develop',
    ]);
  });

  it('records no second delivery when the source event is delivered again', async () => {
    const [original] = await queryRows<{
      event_id: string;
      type: string;
      key: string;
      payload: unknown;
      headers: Record<string, string>;
      schema_version: number;
      occurred_at: Date | string;
    }>(
      gantry.server.database.db,
      sql`select event_id, type, key, payload, headers, schema_version, occurred_at from outbox
          where key = 'checkout/develop' and type = 'promotion.phase-changed'
            and payload->>'to' = 'Succeeded' and destination is null`,
    );
    expect(original).toBeDefined();
    const before = await deliveries(`eventId=${original!.event_id}`);
    expect(before.map((row) => row.channel).sort()).toEqual(['hooks', 'slack']);
    const envelope: EventEnvelope = {
      id: original!.event_id,
      type: original!.type,
      key: original!.key,
      payload: original!.payload,
      headers: original!.headers,
      schemaVersion: original!.schema_version,
      occurredAt: new Date(original!.occurred_at).toISOString(),
      destination: null,
      attempt: 1,
      outboxSeq: 0,
    };
    const { backbone, database: db, notifications } = gantry.server;
    const duplicates = async () => {
      const metrics = await (await fetch(`${gantry.server.url}/metrics`)).text();
      const line = metrics
        .split('\n')
        .find((text) =>
          text.startsWith(
            `gantry_event_handler_total{group="${NOTIFICATIONS_GROUP}",type="promotion.phase-changed",outcome="duplicate"}`,
          ),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const duplicatesBefore = await duplicates();
    await db.db.transaction((tx) =>
      backbone.events.redeliver(tx, envelope, { group: NOTIFICATIONS_GROUP, attempt: 1 }),
    );
    await waitFor(async () => (await duplicates()) > duplicatesBefore, {
      what: 'the redelivered event to be recognised as handled',
    });
    // And the handler itself, run twice on the event, records each channel once.
    for (let run = 0; run < 2; run++) {
      await db.db.transaction((tx) =>
        notifications.record({ ...envelope, occurredAt: new Date(envelope.occurredAt), attempt: 1 }, tx, {
          afterCommit: () => undefined,
        }),
      );
    }
    const after = await deliveries(`eventId=${original!.event_id}`);
    expect(after.map((row) => row.id).sort()).toEqual(before.map((row) => row.id).sort());
    expect(receivers.slack.received).toHaveLength(1);
  });

  it('retries after a 500 and sends the same delivery again', async () => {
    const eventId = await openIncident('flaky');
    const [delivery] = await waitFor(
      async () => {
        const rows = await deliveries(`eventId=${eventId}`);
        return rows[0]?.status === 'sent' ? rows : undefined;
      },
      { what: 'the flaky delivery to be sent' },
    );
    expect(delivery).toMatchObject({
      channel: 'flaky',
      type: 'incident.opened',
      attempts: 2,
      lastStatus: 200,
    });
    expect(receivers.flaky.received).toHaveLength(2);
    const [first, second] = receivers.flaky.received;
    expect(second!.headers['x-gantry-delivery']).toBe(first!.headers['x-gantry-delivery']);
    expect(second!.body).toBe(first!.body);
    expect(json(second!)).toMatchObject({ id: eventId, type: 'incident.opened', data: { service: 'flaky' } });
  });

  it('gives up after the last attempt, lists the dead delivery and sends it again on replay', async () => {
    const eventId = await openIncident('broken');
    const [dead] = await waitFor(
      async () => {
        const rows = await deliveries(`eventId=${eventId}`);
        return rows[0]?.status === 'dead' ? rows : undefined;
      },
      { what: 'the broken delivery to be dead' },
    );
    expect(dead).toMatchObject({ channel: 'broken', attempts: 3, lastStatus: 503 });
    expect(dead!.lastError).toBe(
      'gave up after 3 attempts: HTTP 503 Service Unavailable: down for maintenance',
    );
    expect(receivers.broken.received).toHaveLength(3);
    expect((await deliveries('status=dead&channel=broken')).map((row) => row.id)).toEqual([dead!.id]);
    expect(await metric('gantry_notification_dead_deliveries{channel="broken"}')).toBe(1);
    expect(await metric('gantry_notification_deliveries_total{channel="broken",outcome="dead"}')).toBe(1);

    // The endpoint is fixed; a viewer may not replay, an admin may.
    receivers.broken.answer = () => ({ status: 200, body: 'ok' });
    const viewer = await gantry.token('viewer', 'viewer');
    const refused = await gantry.api('POST', `/api/v1/notifications/deliveries/${dead!.id}/replay`, {
      token: viewer,
    });
    expect(refused.status).toBe(403);
    const replayed = await api<ReplayResultDto>(
      'POST',
      `/api/v1/notifications/deliveries/${dead!.id}/replay`,
    );
    expect(replayed).toMatchObject({
      queued: true,
      delivery: { status: 'pending', attempts: 0, replayCount: 1 },
    });
    const sent = await waitFor(
      async () => {
        const row = await api<DeliveryDto>('GET', `/api/v1/notifications/deliveries/${dead!.id}`);
        return row.status === 'sent' ? row : undefined;
      },
      { what: 'the replayed delivery to be sent' },
    );
    expect(sent).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null, replayCount: 1 });
    const again = await api<ReplayResultDto>('POST', `/api/v1/notifications/deliveries/${dead!.id}/replay`);
    expect(again.queued).toBe(false);
  });

  it('does not retry a 410: the delivery is dead at once, with the reason', async () => {
    const eventId = await openIncident('gone');
    const [dead] = await waitFor(
      async () => {
        const rows = await deliveries(`eventId=${eventId}`);
        return rows[0]?.status === 'dead' ? rows : undefined;
      },
      { what: 'the delivery to the gone channel to be dead' },
    );
    expect(dead).toMatchObject({ attempts: 1, lastStatus: 410 });
    expect(dead!.lastError).toBe(
      'HTTP 410 Gone: channel_is_archived; an answer like this does not change by retrying: check the channel URL and the receiver',
    );
    expect(receivers.gone.received).toHaveLength(1);
  });

  it('lets a promotion reach Succeeded while a receiver never answers, and retries that receiver after its timeout', async () => {
    const checkout = await release('checkout');
    await finished((await promotionOf('checkout', 'develop', checkout.version)).id);
    const prod = await api<PromotionDto>(
      'POST',
      '/api/v1/promotions',
      { service: 'checkout', version: checkout.version, stage: 'prod' },
      deployer,
    );
    // The hung receiver has the waiting-for-approval notification and holds it unanswered.
    await waitFor(() => receivers.hung.received.length >= 1, { what: 'the hung receiver to be called' });
    expect(json(receivers.hung.received[0]!)).toMatchObject({
      type: 'promotion.waiting-for-approval',
      data: { promotionId: prod.id },
    });
    await api('POST', `/api/v1/promotions/${prod.id}/approve`, { comment: 'ship it' }, approver);
    const done = await finished(prod.id);
    expect(done.phase).toBe('Succeeded');
    // The promotion went on although the receiver has not answered anything.
    expect(receivers.hung.answered).toBe(0);
    // Another channel is not held up: the webhook has prod's promotion.succeeded.
    await waitFor(
      () =>
        receivers.hooks.received.some((request) => {
          const body = json(request) as { type: string; data: { promotionId: string } };
          return body.type === 'promotion.succeeded' && body.data.promotionId === prod.id;
        }),
      { what: 'the webhook to receive prod promotion.succeeded' },
    );
    // The hung delivery timed out and was tried again, as the same delivery.
    const headers = await waitFor(
      () => {
        const seen = receivers.hung.received
          .filter((request) => json(request).type === 'promotion.waiting-for-approval')
          .map((request) => request.headers['x-gantry-delivery']);
        return seen.length >= 2 ? seen : undefined;
      },
      { what: 'the hung receiver to be called again' },
    );
    const [hung] = (await deliveries('channel=hung&type=promotion.waiting-for-approval')).filter(
      (item) => (item.data as { promotionId?: string }).promotionId === prod.id,
    );
    expect(new Set(headers)).toEqual(new Set([hung!.id]));
    expect(hung!.attempts).toBeGreaterThanOrEqual(2);
    expect(hung!.lastError).toContain('no answer within 1s (timed out)');
    expect(hung!.status).not.toBe('sent');
    expect(receivers.hung.answered).toBe(0);
  });

  it('gantry notifications lists channels and dead deliveries, and replays them', async () => {
    const cli = async (...args: string[]) => {
      const [command, ...rest] = args;
      const run = await runCli(
        [notificationsCommand()],
        ['notifications', command!, ...rest, '--url', gantry.server.url, '--token', gantry.adminToken],
      );
      answers.push(run.stdout, run.stderr);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    };
    const channels = await cli('channels');
    expect(channels).toMatch(
      /^slack\s+slack\s+env:NOTIFY_SLACK_URL\s+promotion\.succeeded,promotion\.waiting-for-approval\s+checkout\s+develop$/m,
    );
    expect(channels).toMatch(/^hooks\s+webhook\s+env:NOTIFY_HOOKS_URL\s+promotion\.\*\s+checkout\s+\*$/m);

    const [dead] = await deliveries('status=dead&channel=gone');
    const listed = await cli('list', '--status', 'dead', '--channel', 'gone');
    expect(listed).toContain(dead!.id);
    expect(listed).toMatch(/gone\s+incident\.opened\s+incident \S+\s+dead\s+1\s/);
    expect(listed).toContain('HTTP 410 Gone: channel_is_archived');

    expect(await cli('replay', '--all', '--channel', 'gone')).toBe(
      `queued ${dead!.id} (incident.opened to gone)\n`,
    );
    await waitFor(
      async () =>
        (await api<DeliveryDto>('GET', `/api/v1/notifications/deliveries/${dead!.id}`)).status === 'dead',
      { what: 'the replayed delivery to the gone channel to die again' },
    );
    expect(receivers.gone.received).toHaveLength(2);
    const shown = await cli('show', dead!.id);
    expect(shown).toContain('status       dead (replayed 1×)');
    expect(shown).toContain('last answer  410: HTTP 410 Gone');
  });

  it('gantry notifications test posts a test message at once and says how the channel answered', async () => {
    const cli = (...args: string[]) =>
      runCli(
        [notificationsCommand()],
        ['notifications', ...args, '--url', gantry.server.url, '--token', gantry.adminToken],
      );
    const before = receivers.hooks.received.length;
    const sent = await cli('test', 'hooks');
    answers.push(sent.stdout, sent.stderr);
    expect(sent).toMatchObject({ code: 0, stdout: 'sent a test message to hooks (HTTP 200)\n' });
    const request = receivers.hooks.received[before]!;
    expect(
      verifySignedPayload(request.headers['x-gantry-signature'] as string, SECRETS.hooksSecret, request.body),
    ).toMatchObject({ ok: true });
    expect(json(request)).toMatchObject({
      type: 'notification.test',
      data: { actor: 'admin', link: PUBLIC_URL },
    });
    const refused = await cli('test', 'gone');
    answers.push(refused.stdout, refused.stderr);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'gantry: gone did not take the test message: HTTP 410 Gone: channel_is_archived; an answer like this does not change by retrying: check the channel URL and the receiver\n',
    );
    const unknown = await cli('test', 'deploy');
    expect(unknown.stderr).toContain('no channel deploy; channels: slack, hooks, hung, flaky, broken, gone');
    // Tests are not deliveries: nothing was queued.
    expect(await deliveries('type=notification.test')).toEqual([]);
  });

  it('shows channels by their references and keeps every URL and secret out of logs and answers', async () => {
    const channels = await api<ChannelListDto>('GET', '/api/v1/notifications/channels');
    expect(
      channels.items.map((channel) => [channel.name, channel.type, channel.url, channel.secret]),
    ).toEqual([
      ['slack', 'slack', 'env:NOTIFY_SLACK_URL', undefined],
      ['hooks', 'webhook', 'env:NOTIFY_HOOKS_URL', 'env:NOTIFY_HOOKS_SECRET'],
      ['hung', 'webhook', 'env:NOTIFY_HUNG_URL', 'env:NOTIFY_OTHER_SECRET'],
      ['flaky', 'webhook', 'env:NOTIFY_FLAKY_URL', 'env:NOTIFY_OTHER_SECRET'],
      ['broken', 'slack', 'env:NOTIFY_BROKEN_URL', undefined],
      ['gone', 'slack', 'env:NOTIFY_GONE_URL', undefined],
    ]);
    expect(channels.items[0]!.subscriptions).toEqual([
      {
        events: ['promotion.succeeded', 'promotion.waiting-for-approval'],
        services: ['checkout'],
        stages: ['develop'],
      },
    ]);
    const log = logLines.join('');
    // The log did record deliveries (so its silence about secrets means something).
    expect(log).toContain('notification sent to slack');
    expect(log).toContain('notification to gone is dead');
    const everything = `${log}\n${answers.join('\n')}`;
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
  });

  it('refuses to start with a notifications file that has a problem, naming its place', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gantry-notifications-')), 'broken.yaml');
    writeFileSync(file, 'channels:\n  - { name: deploys, type: slack, url: env:NOTIFY_TEST_UNSET_URL }\n');
    delete process.env.NOTIFY_TEST_UNSET_URL;
    await expect(startTestServer({ database, env: { GANTRY_NOTIFICATIONS_FILE: file } })).rejects.toThrow(
      `GANTRY_NOTIFICATIONS_FILE ${file} has a problem:\n  ${file}:2:40 channels[0].url: the reference env:NOTIFY_TEST_UNSET_URL: the environment variable NOTIFY_TEST_UNSET_URL is not set`,
    );
  });

  async function metric(series: string): Promise<number | undefined> {
    const text = await (await fetch(`${gantry.server.url}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  }
});
