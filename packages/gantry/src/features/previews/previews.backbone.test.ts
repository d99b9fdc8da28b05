import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewsCommand } from '../../cli/previews.command.js';
import { runCli } from '../../testing/cli-run.js';
import { freePort } from '../../testing/free-port.js';
import { getOnce, registerHelloRelease } from '../../testing/hello-releases.js';
import { helloServiceTarget } from '../../testing/hello-service.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import type { PromotionDto } from '../promotions/promotions.dto.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import { repositoryIdentity } from '../pipelines/repository-identity.js';
import {
  InboundEvents,
  type PullRequestAction,
  type PullRequestChanged,
} from '../webhooks/inbound-events.js';
import type { PreviewDto } from './previews.dto.js';

// Pull requests' previews on a real database with real processes: a pull
// request event (as the GitHub and GitLab webhooks write it to the outbox)
// creates pr-<number>, a release built from its head runs there behind its own
// proxy port, a new head replaces it, and closing the pull request stops it.

const REPO = 'https://github.com/acme/web';

function pipeline(developPort: number, behaviourDir: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: web }
spec:
  team: web
  image: ghcr.io/acme/web
  source: { repo: ${REPO} }
  stages:
    - name: preview
      preview: { ttl: 1h }
      target: ${helloServiceTarget({ behaviourDir, replicas: 1 })}
    - name: develop
      target: ${helloServiceTarget({ port: developPort, behaviourDir, replicas: 1 })}
`;
}

/** Which version answers at `url`. */
async function get(url: string): Promise<{ status: number; version: string | undefined }> {
  const answer = await getOnce(url);
  return { status: answer.status, version: answer.headers['x-gantry-version'] as string | undefined };
}

describe.each(databaseKinds())("pull requests' previews on %s", (database) => {
  let gantry: TestServer;
  let behaviourDir: string;

  beforeAll(async () => {
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-previews-'));
    const firstPort = randomInt(21_000, 39_000);
    gantry = await startTestServer({
      database,
      env: { GANTRY_PREVIEW_PORTS: `${firstPort}-${firstPort + 20}` },
    });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(await freePort(), behaviourDir) },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  async function pullRequest(number: number, action: PullRequestAction, headSha: string, merged = false) {
    const payload: PullRequestChanged = {
      provider: 'github',
      deliveryId: randomBytes(8).toString('hex'),
      repository: { fullName: 'acme/web', urls: [REPO], identity: repositoryIdentity(REPO)! },
      number,
      action,
      merged,
      headSha,
      headRef: `feature-${number}`,
      baseRef: 'main',
      title: `Change ${number}`,
      author: 'octocat',
      url: `${REPO}/pull/${number}`,
      at: new Date().toISOString(),
    };
    const { server } = gantry;
    await server.database.db.transaction((tx) =>
      server.backbone.events.append(tx, {
        type: InboundEvents.pullRequestChanged,
        key: `${payload.repository.identity}#${number}`,
        payload,
      }),
    );
  }

  function release(commit: string): Promise<ReleaseDto> {
    return registerHelloRelease(gantry, { behaviourDir, service: 'web', commit });
  }

  async function previews(all = false): Promise<PreviewDto[]> {
    const { body } = await gantry.api<{ items: PreviewDto[] }>(
      'GET',
      `/api/v1/previews?service=web&all=${all}`,
    );
    return body.items;
  }

  async function preview(number: number, check: (preview: PreviewDto) => boolean): Promise<PreviewDto> {
    return waitFor(async () => (await previews(true)).find((item) => item.number === number && check(item)), {
      what: `preview #${number}`,
      timeoutMs: 60_000,
    });
  }

  async function succeededIn(stage: string, version: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PromotionDto[] }>(
          'GET',
          `/api/v1/promotions?service=web&stage=${stage}`,
        );
        const promotion = body.items.find((item) => item.version === version);
        if (promotion && ['Failed', 'Aborted', 'RolledBack'].includes(promotion.phase)) {
          throw new Error(`promotion into ${stage} ended ${promotion.phase}: ${promotion.message}`);
        }
        return promotion?.phase === 'Succeeded' ? promotion : undefined;
      },
      { what: `web ${version} to succeed in ${stage}`, timeoutMs: 60_000 },
    );
  }

  it('opens a preview per pull request and promotes the releases of its head into it, one after another', async () => {
    const first = randomBytes(20).toString('hex');
    await pullRequest(7, 'opened', first);
    const opened = await preview(7, (item) => item.status === 'active');
    expect(opened).toMatchObject({
      stage: 'pr-7',
      url: null,
      headSha: first,
      pullRequestUrl: `${REPO}/pull/7`,
    });

    const one = await release(first);
    await succeededIn('pr-7', one.version);
    const running = await preview(7, (item) => item.url !== null);
    expect(await get(running.url!)).toEqual({ status: 200, version: one.version });

    // CI may finish before the pull request event: the release waits for its head to be announced.
    const second = randomBytes(20).toString('hex');
    const two = await release(second);
    await pullRequest(7, 'synchronize', second);
    await succeededIn('pr-7', two.version);
    expect(await get(running.url!)).toEqual({ status: 200, version: two.version });
    // `gantry previews` shows it with its URL, as a table and as JSON.
    const cli = ['previews', '--service', 'web', '--url', gantry.server.url, '--token', gantry.adminToken];
    const table = await runCli([previewsCommand()], cli);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`web\\s+pr-7\\s+active\\s+${running.url!.replace(/[.]/g, '\\.')}`),
    );
    const listed = await runCli([previewsCommand()], [...cli, '--json']);
    expect((JSON.parse(listed.stdout) as { items: PreviewDto[] }).items[0]).toMatchObject({ stage: 'pr-7' });
    // A release of a pull request's head goes nowhere else: develop promotes by hand.
    const { body } = await gantry.api<{ items: PromotionDto[] }>(
      'GET',
      '/api/v1/promotions?service=web&stage=develop',
    );
    expect(body.items).toEqual([]);
  });

  it('tears the preview down when the pull request closes, and refuses promotions into it afterwards', async () => {
    const head = randomBytes(20).toString('hex');
    await pullRequest(8, 'opened', head);
    const built = await release(head);
    await succeededIn('pr-8', built.version);
    const { url } = await preview(8, (item) => item.url !== null);

    await pullRequest(8, 'closed', head, true);
    const closed = await preview(8, (item) => item.status === 'closed');
    expect(closed).toMatchObject({ closeReason: 'merged', url: null, lastError: null });
    await expect(get(url!)).rejects.toThrow(/ECONNREFUSED/);
    expect((await previews()).map((item) => item.number)).not.toContain(8);

    const refused = await gantry.api<{ detail: string }>('POST', '/api/v1/promotions', {
      body: { service: 'web', version: built.version, stage: 'pr-8' },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.detail).toContain('pull request #8, which is closed');
    const unknown = await gantry.api<{ detail: string }>('POST', '/api/v1/promotions', {
      body: { service: 'web', version: built.version, stage: 'pr-99' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('has not seen opened');
    const template = await gantry.api<{ detail: string }>('POST', '/api/v1/promotions', {
      body: { service: 'web', version: built.version, stage: 'preview' },
    });
    expect(template.status).toBe(404);
    expect(template.body.detail).toContain('template of pull requests');

    // Reopened: the same stage comes back, with the head's release.
    await pullRequest(8, 'reopened', head);
    await preview(8, (item) => item.status === 'active');
    const again = await waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PromotionDto[] }>(
          'GET',
          '/api/v1/promotions?service=web&stage=pr-8',
        );
        return body.items.filter((item) => item.phase === 'Succeeded').length >= 2 ? body.items : undefined;
      },
      { what: 'the reopened preview to run its release again', timeoutMs: 60_000 },
    );
    expect(again[0]!.version).toBe(built.version);
  });

  it('reaps a preview whose pull request went quiet past its ttl', async () => {
    await pullRequest(9, 'opened', randomBytes(20).toString('hex'));
    await preview(9, (item) => item.status === 'active');
    const teardown = gantry.server.delivery.previewTeardown;
    // Not yet quiet for an hour (the stage's ttl): nothing happens.
    await teardown.sweep(new Date(Date.now() + 30 * 60_000));
    expect((await previews()).find((item) => item.number === 9)?.status).toBe('active');
    await teardown.sweep(new Date(Date.now() + 2 * 3_600_000));
    expect(await preview(9, (item) => item.status === 'closed')).toMatchObject({ closeReason: 'expired' });
  });
});
