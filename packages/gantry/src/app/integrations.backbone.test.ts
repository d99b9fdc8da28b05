import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import examples from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../features/incidents/incidents.dto.js';
import type { PreviewDto } from '../features/previews/previews.dto.js';
import type { PromotionDto } from '../features/promotions/promotions.dto.js';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import { freePort } from '../testing/free-port.js';
import { getOnce, registerHelloRelease } from '../testing/hello-releases.js';
import { helloServiceTarget } from '../testing/hello-service.js';
import { databaseKinds } from '../testing/test-backends.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait-for.js';

// The integrations end to end, through the real webhook endpoints: a GitHub
// pull request (GitHub's own example payload, signed) opens a preview that
// runs the release of its head and closes when the pull request merges; an
// Alertmanager alert on prod opens an incident, links it to the promotion that
// caused it and rolls prod back by itself; the resolved alert resolves it.

const GITHUB_SECRET = `gh-${randomBytes(12).toString('hex')}`;
const ALERTMANAGER_TOKEN = `am-${randomBytes(12).toString('hex')}`;
const REPO = 'https://github.com/acme/shop';

type Payload = Record<string, unknown> & { pull_request: Record<string, unknown> };

function pullRequestExample(): Payload {
  const entry = (examples as unknown as { name: string; examples: Payload[] }[]).find(
    (candidate) => candidate.name === 'pull_request',
  );
  const opened = entry?.examples.find((example) => example.action === 'opened');
  if (!opened) throw new Error('no pull_request opened example');
  return structuredClone(opened);
}

function pipeline(prodPort: number, behaviourDir: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: shop }
spec:
  team: storefront
  image: ghcr.io/acme/shop
  source: { repo: git@github.com:acme/shop.git }
  stages:
    - name: preview
      preview: true
      target: ${helloServiceTarget({ behaviourDir, replicas: 1 })}
    - name: prod
      promotion: auto
      rollbackOnIncident: true
      target: ${helloServiceTarget({ port: prodPort, behaviourDir, replicas: 1 })}
`;
}

/** Which version answers at `url`. */
async function versionAt(url: string): Promise<string | undefined> {
  return (await getOnce(url)).headers['x-gantry-version'] as string | undefined;
}

describe.each(databaseKinds())('integrations end to end on %s', (database) => {
  let gantry: TestServer;
  let behaviourDir: string;
  let prodPort: number;

  beforeAll(async () => {
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-integrations-'));
    prodPort = await freePort();
    const firstPreviewPort = randomInt(21_000, 39_000);
    gantry = await startTestServer({
      database,
      env: {
        GANTRY_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        GANTRY_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN,
        GANTRY_PREVIEW_PORTS: `${firstPreviewPort}-${firstPreviewPort + 10}`,
      },
    });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(prodPort, behaviourDir) },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  async function webhook(path: string, body: string, headers: Record<string, string>): Promise<number> {
    const response = await fetch(`${gantry.server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    await response.text();
    return response.status;
  }

  function github(event: string, payload: unknown): Promise<number> {
    const body = JSON.stringify(payload);
    return webhook('/api/v1/webhooks/github', body, {
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`,
    });
  }

  function alert(status: 'firing' | 'resolved', fingerprint: string, startsAt: string): Promise<number> {
    const notification = JSON.parse(
      readFileSync(
        new URL('../features/webhooks/fixtures/alertmanager/firing.json', import.meta.url),
        'utf8',
      ),
    ) as { status: string; groupKey: string; alerts: Record<string, unknown>[] };
    const [first] = notification.alerts;
    notification.status = status;
    notification.groupKey = `{}:{alertname="ShopErrors-${fingerprint}"}`;
    notification.alerts = [
      {
        ...first,
        status,
        fingerprint,
        labels: { alertname: 'ShopErrors', service: 'shop', stage: 'prod', severity: 'critical' },
        annotations: { summary: 'shop answers 5xx' },
        startsAt,
        endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      },
    ];
    return webhook('/api/v1/webhooks/alertmanager', JSON.stringify(notification), {
      authorization: `Bearer ${ALERTMANAGER_TOKEN}`,
    });
  }

  function release(commit: string): Promise<ReleaseDto> {
    return registerHelloRelease(gantry, { behaviourDir, service: 'shop', commit });
  }

  async function promotions(stage: string): Promise<PromotionDto[]> {
    const { body } = await gantry.api<{ items: PromotionDto[] }>(
      'GET',
      `/api/v1/promotions?service=shop&stage=${stage}`,
    );
    return body.items;
  }

  async function succeeded(stage: string, version: string, trigger?: string): Promise<PromotionDto> {
    return waitFor(
      async () =>
        (await promotions(stage)).find(
          (item) =>
            item.version === version && item.phase === 'Succeeded' && (!trigger || item.trigger === trigger),
        ),
      { what: `shop ${version} to succeed in ${stage}`, timeoutMs: 60_000 },
    );
  }

  it('runs a pull request in its own preview, from the GitHub webhook to the merge', async () => {
    const head = randomBytes(20).toString('hex');
    const opened = pullRequestExample();
    Object.assign(opened, {
      number: 42,
      repository: {
        ...(opened.repository as object),
        full_name: 'acme/shop',
        html_url: REPO,
        clone_url: `${REPO}.git`,
        ssh_url: 'git@github.com:acme/shop.git',
      },
    });
    Object.assign(opened.pull_request, {
      number: 42,
      head: { ...(opened.pull_request.head as object), sha: head, ref: 'feature/cart' },
      html_url: `${REPO}/pull/42`,
    });
    expect(await github('pull_request', opened)).toBe(202);
    const built = await release(head);
    await succeeded('pr-42', built.version);
    const preview = await waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PreviewDto[] }>('GET', '/api/v1/previews?service=shop');
        return body.items.find((item) => item.number === 42 && item.url !== null);
      },
      { what: 'the preview of pull request #42 to answer' },
    );
    expect(await versionAt(preview.url!)).toBe(built.version);

    const merged = structuredClone(opened);
    Object.assign(merged, { action: 'closed' });
    Object.assign(merged.pull_request, { state: 'closed', merged: true });
    expect(await github('pull_request', merged)).toBe(202);
    await waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PreviewDto[] }>(
          'GET',
          '/api/v1/previews?service=shop&all=true',
        );
        return body.items.find((item) => item.number === 42 && item.status === 'closed');
      },
      { what: 'the preview of pull request #42 to close' },
    );
    await expect(versionAt(preview.url!)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('opens an incident from an Alertmanager alert, rolls prod back by itself, and resolves it with the alert', async () => {
    const good = await release(randomBytes(20).toString('hex'));
    await succeeded('prod', good.version);
    const bad = await release(randomBytes(20).toString('hex'));
    const culprit = await succeeded('prod', bad.version);

    const fingerprint = randomBytes(8).toString('hex');
    const startsAt = new Date().toISOString();
    expect(await alert('firing', fingerprint, startsAt)).toBe(202);
    const incident = await waitFor(
      async () => {
        const { body } = await gantry.api<{ items: IncidentDto[] }>('GET', '/api/v1/incidents?service=shop');
        return body.items.find((item) => item.fingerprint === fingerprint);
      },
      { what: 'the incident of the alert' },
    );
    expect(incident).toMatchObject({
      source: 'alertmanager',
      stage: 'prod',
      status: 'open',
      promotionId: culprit.id,
    });
    await succeeded('prod', good.version, 'rollback');
    expect(await versionAt(`http://127.0.0.1:${prodPort}/`)).toBe(good.version);

    expect(await alert('resolved', fingerprint, startsAt)).toBe(202);
    await waitFor(
      async () => {
        const { body } = await gantry.api<IncidentDto>('GET', `/api/v1/incidents/${incident.id}`);
        return body.status === 'resolved' ? body : undefined;
      },
      { what: 'the incident to resolve' },
    );
  });
});
