import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import examples from '@octokit/webhooks-examples';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../shared/signed-payload.js';
import { createConfigRepository } from '../../testing/git-fixture.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import type { AuditPageDto } from '../access/audit.dto.js';
import { outbox } from '../events/events.tables.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import { translateGithub } from './github.webhook.js';
import { webhookDeliveries } from './webhooks.tables.js';
import type { WebhookReceiptDto } from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

// The webhook endpoints in a whole server on a real database: GitHub's
// published examples end up in the outbox as the right events, signatures
// and tokens are checked before anything is parsed, repeated deliveries are
// written once, oversized bodies are refused, the CI webhook registers
// releases as webhook:ci, every delivery is counted on /metrics, and no
// secret or signature ever reaches the log.

type Payload = Record<string, unknown>;

interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

const GITHUB_SECRET = `gh-${randomBytes(18).toString('base64url')}`;
const GITLAB_TOKEN = `gl-${randomBytes(18).toString('base64url')}`;
const GITLAB_TOKEN_ROTATED = `gl2-${randomBytes(18).toString('base64url')}`;
const ALERTMANAGER_TOKEN = `am-${randomBytes(18).toString('base64url')}`;
const CI_SECRET = `ci-${randomBytes(18).toString('base64url')}`;

function githubExamples(name: string): Payload[] {
  const entry = (examples as unknown as { name: string; examples: Payload[] }[]).find((e) => e.name === name);
  if (!entry) throw new Error(`no ${name} examples`);
  return entry.examples;
}

function fixture(path: string): string {
  return readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
}

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
`;

function serviceYaml(name: string, repo: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: ${name}
spec:
  team: payments
  image: ghcr.io/acme/${name}
  source: { repo: https://github.com/acme/${name} }
  stages:
    - name: develop
      promotion: manual
      target: { type: gitops, repository: ${repo}, path: apps/${name}/develop/kustomization.yaml, format: kustomize }
`;
}

describe.each(databaseKinds())('webhooks on %s', (database) => {
  let gantry: TestServer;
  let unconfigured: TestServer;
  const log = new MemoryLog();
  /** Every signature, token and Authorization value sent: none may appear in the log. */
  const sentCredentials = new Set<string>();
  const gitlabTokenFile = join(mkdtempSync(join(tmpdir(), 'gantry-webhooks-')), 'gitlab-token');

  beforeAll(async () => {
    writeFileSync(gitlabTokenFile, `${GITLAB_TOKEN}\n`);
    const repo = await createConfigRepository({ 'apps/checkout/develop/kustomization.yaml': KUSTOMIZATION });
    gantry = await startTestServer({
      database,
      env: {
        GANTRY_LOG_LEVEL: 'debug',
        GANTRY_LOG_FORMAT: 'json',
        GANTRY_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        GANTRY_GITLAB_WEBHOOK_TOKEN: `file:${gitlabTokenFile}`,
        GANTRY_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN,
        GANTRY_CI_WEBHOOK_SECRET: CI_SECRET,
      },
      logDestination: log,
    });
    unconfigured = await startTestServer({ database });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: serviceYaml('checkout', repo.bare) },
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    await unconfigured?.stop();
  });

  async function post<T = WebhookReceiptDto>(
    server: TestServer,
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<Answer<T>> {
    for (const name of ['x-hub-signature-256', 'x-gitlab-token', 'authorization', 'x-gantry-signature']) {
      if (headers[name]) sentCredentials.add(headers[name]);
    }
    const response = await fetch(`${server.server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  }

  const githubSignature = (body: string | Buffer, secret = GITHUB_SECRET) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  function github(event: string, payload: unknown, delivery = randomUUID(), raw?: string) {
    const body = raw ?? JSON.stringify(payload);
    return post(gantry, '/api/v1/webhooks/github', body, {
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': githubSignature(body),
    });
  }

  function gitlab(event: string, body: string, token = GITLAB_TOKEN, uuid = randomUUID()) {
    return post(gantry, '/api/v1/webhooks/gitlab', body, {
      'x-gitlab-event': event,
      'x-gitlab-event-uuid': uuid,
      'x-gitlab-token': token,
    });
  }

  function alertmanager(body: string, authorization = `Bearer ${ALERTMANAGER_TOKEN}`) {
    return post(gantry, '/api/v1/webhooks/alertmanager', body, { authorization });
  }

  function ci<T = ReleaseDto>(payload: unknown, signedAt?: number, secret = CI_SECRET) {
    const body = JSON.stringify(payload);
    return post<T>(gantry, '/api/v1/webhooks/ci', body, {
      'x-gantry-signature': signPayload(secret, body, signedAt),
    });
  }

  async function outboxFor(deliveryId: string) {
    const rows = await gantry.server.database.db.select().from(outbox);
    return rows.filter((row) => (row.payload as { deliveryId?: string } | null)?.deliveryId === deliveryId);
  }

  async function deliveryCount(): Promise<number> {
    const [row] = await gantry.server.database.db.select({ n: count() }).from(webhookDeliveries);
    return row!.n;
  }

  async function metric(provider: string, outcome: string): Promise<number> {
    const text = await (await fetch(`${gantry.server.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith(`gantry_webhook_deliveries_total{provider="${provider}",outcome="${outcome}"}`),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  describe('GitHub', () => {
    const cases = ['push', 'pull_request', 'workflow_run', 'ping'].flatMap((event) =>
      githubExamples(event).map((payload, index) => [event, index, payload] as const),
    );

    it.each(cases)(
      'accepts %s example %i and writes what it stands for to the outbox',
      async (event, _i, payload) => {
        const delivery = randomUUID();
        const expected = translateGithub({ 'x-github-event': event, 'x-github-delivery': delivery }, payload);
        const answer = await github(event, payload, delivery);
        const rows = await outboxFor(delivery);
        if (expected.kind === 'ignored') {
          expect(answer.status).toBe(200);
          expect(answer.body).toEqual({
            outcome: 'ignored',
            provider: 'github',
            event: expected.event,
            message: expected.reason,
          });
          expect(rows).toEqual([]);
          return;
        }
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({
          outcome: 'accepted',
          provider: 'github',
          deliveryId: delivery,
          events: expected.events.map((e) => e.type),
        });
        expect(rows.map((row) => ({ type: row.type, key: row.key, payload: row.payload }))).toEqual(
          expected.events.map((e) => ({ type: e.type, key: e.key, payload: e.payload })),
        );
      },
    );

    it('needs no Gantry API token and takes none in place of the signature', async () => {
      const body = JSON.stringify({ zen: 'Design for failure.' });
      const withToken = await post(gantry, '/api/v1/webhooks/github', body, {
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        authorization: `Bearer ${gantry.adminToken}`,
      });
      expect(withToken.status).toBe(401);
      expect((withToken.body as unknown as { detail: string }).detail).toMatch(
        /X-Hub-Signature-256 header is missing/,
      );
    });

    it.each([
      ['with another secret', (body: string) => githubSignature(body, 'not-the-secret')],
      ['of another body', () => githubSignature('{}')],
      ['in a form it does not know', () => `sha1=${'0'.repeat(40)}`],
    ])(
      'refuses a signature %s with 401, before parsing and without storing anything',
      async (_case, sign) => {
        const before = await deliveryCount();
        const body = '{"ref": not even json';
        const answer = await post(gantry, '/api/v1/webhooks/github', body, {
          'x-github-event': 'push',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': sign(body),
        });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await deliveryCount()).toBe(before);
      },
    );

    it('writes a delivery sent twice once, and says so the second time', async () => {
      const [payload] = githubExamples('push');
      const delivery = randomUUID();
      const first = await github('push', payload, delivery);
      const second = await github('push', payload, delivery);
      expect(first.status).toBe(202);
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ outcome: 'duplicate', deliveryId: delivery });
      expect(await outboxFor(delivery)).toHaveLength(1);
      const recorded = await gantry.server.database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, delivery));
      expect(recorded).toMatchObject([{ provider: 'github', event: 'push', events: 1 }]);
    });

    it('refuses a signed payload that does not fit with 400 and the reason, and bad JSON with 400', async () => {
      const [payload] = githubExamples('push');
      const broken = await github('push', { ...payload, before: 12 });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({
        code: 'validation_failed',
        detail: expect.stringMatching(/^Invalid GitHub push payload: before: /) as unknown,
      });
      const garbage = await github('push', undefined, randomUUID(), '{"ref": ');
      expect(garbage.status).toBe(400);
      expect(garbage.body).toMatchObject({ code: 'invalid_json' });
    });

    it('reads a form-encoded delivery (the GitHub default content type)', async () => {
      const [payload] = githubExamples('ping');
      const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
      const answer = await post(gantry, '/api/v1/webhooks/github', body, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': githubSignature(body),
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ outcome: 'ignored', event: 'ping' });
    });
  });

  describe('GitLab', () => {
    it.each([
      ['Push Hook', 'gitlab/push.json', 'source.pushed'],
      ['Tag Push Hook', 'gitlab/tag-push.json', 'source.pushed'],
      ['Merge Request Hook', 'gitlab/merge-request.json', 'source.pull-request-changed'],
      ['Pipeline Hook', 'gitlab/pipeline.json', 'source.ci-run-completed'],
    ])('accepts the documented %s example as %s', async (event, file, type) => {
      const uuid = randomUUID();
      const answer = await gitlab(event, fixture(file), GITLAB_TOKEN, uuid);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        outcome: 'accepted',
        provider: 'gitlab',
        deliveryId: uuid,
        events: [type],
      });
      const rows = await outboxFor(uuid);
      expect(rows.map((row) => row.type)).toEqual([type]);
      expect(rows[0]!.payload).toMatchObject({ provider: 'gitlab', deliveryId: uuid });
    });

    it('refuses a wrong or missing token with 401', async () => {
      expect((await gitlab('Push Hook', fixture('gitlab/push.json'), 'wrong')).status).toBe(401);
      const missing = await post(gantry, '/api/v1/webhooks/gitlab', fixture('gitlab/push.json'), {
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-event-uuid': randomUUID(),
      });
      expect(missing.status).toBe(401);
    });

    it('reads the token file on every delivery, so a rotated token takes effect at once', async () => {
      const body = fixture('gitlab/tag-push.json');
      writeFileSync(gitlabTokenFile, `${GITLAB_TOKEN_ROTATED}\n`);
      try {
        expect((await gitlab('Tag Push Hook', body, GITLAB_TOKEN)).status).toBe(401);
        expect((await gitlab('Tag Push Hook', body, GITLAB_TOKEN_ROTATED)).status).toBe(202);
      } finally {
        writeFileSync(gitlabTokenFile, `${GITLAB_TOKEN}\n`);
      }
    });

    it('deduplicates by X-Gitlab-Event-UUID and ignores unfinished pipelines', async () => {
      const uuid = randomUUID();
      expect((await gitlab('Push Hook', fixture('gitlab/push.json'), GITLAB_TOKEN, uuid)).status).toBe(202);
      const again = await gitlab('Push Hook', fixture('gitlab/push.json'), GITLAB_TOKEN, uuid);
      expect(again.body).toMatchObject({ outcome: 'duplicate' });
      const running = JSON.parse(fixture('gitlab/pipeline.json')) as Payload;
      (running.object_attributes as Payload).status = 'running';
      const ignored = await gitlab('Pipeline Hook', JSON.stringify(running));
      expect(ignored.status).toBe(200);
      expect(ignored.body).toMatchObject({
        outcome: 'ignored',
        message: 'the pipeline is running, not finished',
      });
    });
  });

  describe('Alertmanager', () => {
    it('writes one alert.changed per alert, with a bearer token or basic auth, and drops a retried notification', async () => {
      const firing = await alertmanager(fixture('alertmanager/firing.json'));
      expect(firing.status).toBe(202);
      expect(firing.body).toMatchObject({ outcome: 'accepted', events: ['alert.changed', 'alert.changed'] });
      const rows = await outboxFor(firing.body.deliveryId!);
      expect(rows.map((row) => row.key).sort()).toEqual(['1a30ba71cca2921f', '6d0b5a4a9b0b6f3e']);

      const retried = await alertmanager(fixture('alertmanager/firing.json'));
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ outcome: 'duplicate', deliveryId: firing.body.deliveryId });

      const basic = `Basic ${Buffer.from(`alertmanager:${ALERTMANAGER_TOKEN}`).toString('base64')}`;
      const resolved = await alertmanager(fixture('alertmanager/resolved.json'), basic);
      expect(resolved.status).toBe(202);
      expect((await outboxFor(resolved.body.deliveryId!))[0]!.payload).toMatchObject({
        status: 'resolved',
        fingerprint: '1a30ba71cca2921f',
        endsAt: '2026-11-30T13:31:45.828Z',
      });
    });

    it('refuses a Gantry API token, a wrong token or none with 401 and a challenge', async () => {
      for (const authorization of [`Bearer ${gantry.adminToken}`, 'Bearer wrong', '']) {
        const answer = await alertmanager(fixture('alertmanager/firing.json'), authorization);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="gantry-alertmanager"/);
      }
    });

    it('refuses another payload version with 400 and the reason', async () => {
      const payload = { ...(JSON.parse(fixture('alertmanager/firing.json')) as Payload), version: '3' };
      const answer = await alertmanager(JSON.stringify(payload));
      expect(answer.status).toBe(400);
      expect((answer.body as unknown as { detail: string }).detail).toMatch(/version: is not 4/);
    });
  });

  describe('CI', () => {
    const build = () => ({
      service: 'checkout',
      image: 'ghcr.io/acme/checkout',
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      commit: randomBytes(20).toString('hex'),
    });

    it('registers a release (201), the same build again answers it (200), and the audit log names webhook:ci', async () => {
      const release = build();
      const first = await ci(release);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        service: 'checkout',
        digest: release.digest,
        createdBy: 'webhook:ci',
      });
      expect(first.body.version).toMatch(/^\d{4}\.\d{2}\.\d+$/);
      const again = await ci(release);
      expect(again.status).toBe(200);
      expect(again.body.version).toBe(first.body.version);

      const registered = (await gantry.server.database.db.select().from(outbox)).filter(
        (row) =>
          row.type === 'release.registered' && (row.payload as { digest: string }).digest === release.digest,
      );
      expect(registered).toHaveLength(1);

      const audit = await gantry.api<AuditPageDto>('GET', '/api/v1/audit?actor=webhook:ci');
      expect(audit.status).toBe(200);
      expect(audit.body.items).toEqual([
        expect.objectContaining({
          actor: 'webhook:ci',
          action: 'release.create',
          target: `release/checkout/${first.body.version}`,
        }),
      ]);
    });

    it('answers what CI can act on: an unknown service 404, a bad body 400 with the reasons', async () => {
      const unknown = await ci({ ...build(), service: 'nowhere' });
      expect(unknown.status).toBe(404);
      const invalid = await ci<{ detail: string; issues: unknown[] }>({
        ...build(),
        commit: 'xyz',
        extra: 1,
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.detail).toMatch(/^Invalid request body: /);
      expect(invalid.body.detail).toContain('commit: is not a commit sha');
    });

    it('refuses a signature older than five minutes or made with another secret', async () => {
      const old = await ci<{ detail: string }>(build(), Math.floor(Date.now() / 1000) - 301);
      expect(old.status).toBe(401);
      expect(old.body.detail).toMatch(/away from this server's clock/);
      expect((await ci(build(), undefined, 'other-secret')).status).toBe(401);
    });
  });

  describe('limits', () => {
    const big = () => `{"padding":"${'x'.repeat(1024 * 1024)}"}`;

    it('refuses a body over 1 MiB by its Content-Length with 413, before checking anything', async () => {
      const body = big();
      const answer = await post(gantry, '/api/v1/webhooks/github', body, {
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': githubSignature(body),
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ code: 'payload_too_large' });
    });

    it('refuses a chunked body with 413 once it passes 1 MiB, and keeps serving', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(
          `${gantry.server.url}/api/v1/webhooks/alertmanager`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
              authorization: `Bearer ${ALERTMANAGER_TOKEN}`,
            },
          },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          },
        );
        request.on('error', reject);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 2 * 1024 * 1024) {
            sent += chunk.length;
            if (!request.write(chunk)) {
              request.once('drain', pump);
              return;
            }
          }
          request.end();
        };
        pump();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' });
      expect((await fetch(`${gantry.server.url}/healthz`)).status).toBe(200);
    });
  });

  describe('deliveries', () => {
    it('writes a delivery sent several times at once exactly once', async () => {
      const [payload] = githubExamples('push');
      const delivery = randomUUID();
      const answers = await Promise.all(Array.from({ length: 5 }, () => github('push', payload, delivery)));
      expect(answers.map((answer) => answer.body.outcome).sort()).toEqual([
        'accepted',
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
      ]);
      expect(await outboxFor(delivery)).toHaveLength(1);
    });

    it('forgets recorded deliveries older than the outbox retention', async () => {
      const db = gantry.server.database.db;
      const old = `old-${randomUUID()}`;
      await db.insert(webhookDeliveries).values({
        provider: 'github',
        deliveryId: old,
        event: 'push',
        events: 1,
        receivedAt: new Date(Date.now() - 8 * 86_400_000),
      });
      const before = await deliveryCount();
      expect(await gantry.server.app.get(WebhooksService).prune()).toBe(1);
      expect(await deliveryCount()).toBe(before - 1);
      expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, old))).toEqual(
        [],
      );
    });

    it('are described in the OpenAPI document as public operations, outside the API token scheme', async () => {
      const document = (await (await fetch(`${gantry.server.url}/api/openapi.json`)).json()) as {
        paths: Record<string, { post?: { security?: unknown[]; 'x-gantry-required-role'?: string } }>;
      };
      for (const provider of ['github', 'gitlab', 'alertmanager', 'ci']) {
        expect(document.paths[`/api/v1/webhooks/${provider}`]?.post).toMatchObject({
          security: [],
          'x-gantry-required-role': 'public',
        });
      }
    });
  });

  describe('an endpoint without a secret', () => {
    it.each(['github', 'gitlab', 'alertmanager', 'ci'])(
      '%s answers 404 and reads nothing',
      async (provider) => {
        const answer = await post(unconfigured, `/api/v1/webhooks/${provider}`, 'not json at all', {
          'x-github-event': 'ping',
          'x-github-delivery': randomUUID(),
        });
        expect(answer.status).toBe(404);
        expect((answer.body as unknown as { detail: string }).detail).toMatch(
          /webhook is not enabled on this Gantry; set GANTRY_/,
        );
      },
    );
  });

  describe('observability', () => {
    it('counts deliveries by provider and outcome on /metrics', async () => {
      expect(await metric('github', 'accepted')).toBeGreaterThan(0);
      expect(await metric('github', 'ignored')).toBeGreaterThan(0);
      expect(await metric('github', 'duplicate')).toBe(5);
      expect(await metric('github', 'unauthorized')).toBeGreaterThanOrEqual(4);
      expect(await metric('github', 'invalid')).toBeGreaterThanOrEqual(2);
      expect(await metric('github', 'too_large')).toBe(1);
      expect(await metric('alertmanager', 'too_large')).toBe(1);
      expect(await metric('alertmanager', 'duplicate')).toBe(1);
      expect(await metric('gitlab', 'unauthorized')).toBeGreaterThanOrEqual(3);
      expect(await metric('ci', 'accepted')).toBe(1);
      expect(await metric('ci', 'duplicate')).toBe(1);
    });

    it('never writes a secret, a token or a signature to the log', () => {
      expect(log.text).toContain('request completed');
      expect(log.text).toContain('/api/v1/webhooks/github');
      expect(sentCredentials.size).toBeGreaterThan(10);
      for (const secret of [
        GITHUB_SECRET,
        GITLAB_TOKEN,
        GITLAB_TOKEN_ROTATED,
        ALERTMANAGER_TOKEN,
        CI_SECRET,
      ]) {
        expect(log.text).not.toContain(secret);
      }
      for (const credential of sentCredentials) {
        // Header values, and the hex of each signature on its own.
        expect(log.text).not.toContain(credential);
        for (const hex of credential.match(/[0-9a-f]{64}/g) ?? []) expect(log.text).not.toContain(hex);
      }
    });

    it('stores no secret or signature: not in the outbox, not in the delivery records', async () => {
      const rows = JSON.stringify([
        ...(await gantry.server.database.db.select().from(outbox)),
        ...(await gantry.server.database.db.select().from(webhookDeliveries)),
      ]);
      for (const secret of [GITHUB_SECRET, GITLAB_TOKEN, ALERTMANAGER_TOKEN, CI_SECRET, ...sentCredentials]) {
        expect(rows).not.toContain(secret);
      }
    });
  });
});
