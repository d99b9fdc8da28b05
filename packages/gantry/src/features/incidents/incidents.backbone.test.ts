import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { registerHelloRelease } from '../../testing/hello-releases.js';
import { helloServiceTarget } from '../../testing/hello-service.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import { outbox } from '../events/events.tables.js';
import { findPromotion, updatePromotion } from '../promotions/promotions.repository.js';
import { findRollout, updateRollout } from '../rollouts/rollouts.repository.js';
import type { PromotionDto } from '../promotions/promotions.dto.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import { InboundEvents, type AlertChanged } from '../webhooks/inbound-events.js';
import { IncidentEvents } from './incident-events.js';
import type { IncidentDto, IncidentPageDto } from './incidents.dto.js';

// Incidents on a real database, with the services running as real processes
// in `local` stages: alerts arrive as alert.changed events in the outbox (as
// the Alertmanager webhook writes them), open, deduplicate and resolve
// incidents, and roll back the promotion they are blamed on when the stage
// says rollbackOnIncident.

/** A Service document with one auto-promoted local stage, prod. */
function localService(name: string, port: number, behaviourDir: string, extra = ''): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: ${name} }
spec:
  team: web
  image: ghcr.io/acme/${name}
  source: { repo: https://github.com/acme/${name} }
  stages:
    - name: prod
      promotion: auto
      target: ${helloServiceTarget({ port, behaviourDir, replicas: 1 })}
${extra}`;
}

interface Ports {
  docs: number;
  shop: number;
  cart: number;
  web: number;
  api: number;
}

const PAUSED_CANARY = `      rollbackOnIncident: true
      strategy:
        type: canary
        steps:
          - setWeight: 50
          - pause: {}
`;

function pipeline(behaviourDir: string, ports: Ports): string {
  return [
    // No rollbackOnIncident: incidents are only opened and linked.
    localService('docs', ports.docs, behaviourDir),
    // A canary that waits for a person after its first step: still Verifying when the alert fires.
    localService('shop', ports.shop, behaviourDir, PAUSED_CANARY),
    localService('api', ports.api, behaviourDir, PAUSED_CANARY),
    localService('cart', ports.cart, behaviourDir, '      rollbackOnIncident: { window: 1h }\n'),
    localService('web', ports.web, behaviourDir, '      rollbackOnIncident: { window: 1s }\n'),
  ].join('---\n');
}

describe.each(databaseKinds())('incidents on %s', (database) => {
  let gantry: TestServer;
  let behaviourDir: string;

  beforeAll(async () => {
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-behaviour-'));
    const ports: Ports = {
      docs: await freePort(),
      shop: await freePort(),
      cart: await freePort(),
      web: await freePort(),
      api: await freePort(),
    };
    gantry = await startTestServer({ database });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(behaviourDir, ports) },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  /** Registers a release; its promotion into prod starts by itself. */
  function release(service: string): Promise<ReleaseDto> {
    return registerHelloRelease(gantry, { behaviourDir, service });
  }

  async function promotionOf(service: string, version: string, trigger?: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PromotionDto[] }>(
          'GET',
          `/api/v1/promotions?service=${service}&stage=prod`,
        );
        return body.items.find(
          (item) => item.version === version && (trigger === undefined || item.trigger === trigger),
        );
      },
      { what: `the promotion of ${service} ${version}` },
    );
  }

  async function until(id: string, done: (promotion: PromotionDto) => boolean): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        return done(body) ? body : undefined;
      },
      { what: `promotion ${id}`, timeoutMs: 90_000 },
    );
  }

  const finished = (id: string) =>
    until(id, (promotion) =>
      ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'].includes(promotion.phase),
    );

  /** A release promoted into prod to the end. */
  async function succeeded(service: string): Promise<PromotionDto> {
    const created = await release(service);
    const promotion = await finished((await promotionOf(service, created.version)).id);
    expect(promotion.phase, promotion.message ?? '').toBe('Succeeded');
    return promotion;
  }

  /** Writes an alert.changed event to the outbox, as the Alertmanager webhook does. */
  async function alert(
    fingerprint: string,
    labels: Record<string, string>,
    options: { status?: 'firing' | 'resolved'; startsAt?: string; endsAt?: string; summary?: string } = {},
  ): Promise<void> {
    const payload: AlertChanged = {
      deliveryId: `${fingerprint}:${randomBytes(4).toString('hex')}`,
      receiver: 'gantry',
      fingerprint,
      status: options.status ?? 'firing',
      labels: { alertname: 'HighErrorRate', severity: 'critical', ...labels },
      annotations: options.summary ? { summary: options.summary } : {},
      startsAt: options.startsAt ?? new Date().toISOString(),
      ...(options.endsAt ? { endsAt: options.endsAt } : {}),
      generatorUrl: 'http://prometheus:9090/graph',
    };
    const { server } = gantry;
    await server.database.db.transaction((tx) =>
      server.backbone.events.append(tx, { type: InboundEvents.alertChanged, key: fingerprint, payload }),
    );
  }

  async function incidents(query: string): Promise<IncidentDto[]> {
    const { status, body } = await gantry.api<IncidentPageDto>('GET', `/api/v1/incidents?${query}`);
    expect(status).toBe(200);
    return body.items;
  }

  /** Waits for the incident of a service to exist and have decided about rolling back. */
  async function decidedIncident(service: string, matches = (_: IncidentDto) => true): Promise<IncidentDto> {
    return waitFor(
      async () =>
        (await incidents(`service=${service}`)).find(
          (incident) => matches(incident) && (incident.promotionId === null || incident.rollback !== null),
        ),
      { what: `an incident of ${service}` },
    );
  }

  async function eventsOf(incidentId: string): Promise<{ type: string; payload: unknown }[]> {
    return gantry.server.database.db
      .select({ type: outbox.type, payload: outbox.payload })
      .from(outbox)
      .where(eq(outbox.key, incidentId))
      .orderBy(asc(outbox.seq));
  }

  it('opens an incident linked to the latest promotion, deduplicates by fingerprint and resolves it', async () => {
    const current = await succeeded('docs');
    await alert('fp-docs', { service: 'docs', stage: 'prod', team: 'web' }, { summary: 'docs answer 5xx' });
    const opened = await decidedIncident('docs');
    expect(opened).toMatchObject({
      source: 'alertmanager',
      fingerprint: 'fp-docs',
      title: 'docs answer 5xx',
      service: 'docs',
      stage: 'prod',
      status: 'open',
      severity: 'critical',
      url: 'http://prometheus:9090/graph',
      promotionId: current.id,
      openedBy: 'alertmanager',
    });
    expect(opened.rollback).toMatchObject({ action: 'skipped' });
    expect(opened.rollback!.reason).toContain('no rollbackOnIncident');
    const events = await eventsOf(opened.id);
    expect(events.map((event) => event.type)).toEqual([IncidentEvents.opened, IncidentEvents.linked]);
    expect(events[1]!.payload).toMatchObject({
      incidentId: opened.id,
      promotionId: current.id,
      service: 'docs',
      stage: 'prod',
      actor: 'alertmanager',
    });

    // Firing again while open: the same incident, its labels refreshed.
    await alert(
      'fp-docs',
      { service: 'docs', stage: 'prod', team: 'platform' },
      { summary: 'docs answer 5xx' },
    );
    await waitFor(async () => (await incidents('service=docs'))[0]?.labels.team === 'platform', {
      what: 'the labels to be refreshed',
    });
    expect(await incidents('service=docs')).toHaveLength(1);

    // Resolved: at the time the alert ended.
    const endsAt = new Date(Date.parse(opened.openedAt) + 60_000).toISOString();
    await alert('fp-docs', { service: 'docs', stage: 'prod' }, { status: 'resolved', endsAt });
    const resolved = await waitFor(
      async () => (await incidents('service=docs')).find((incident) => incident.status === 'resolved'),
      { what: 'the incident to resolve' },
    );
    expect(resolved).toMatchObject({ id: opened.id, resolvedBy: 'alertmanager', resolvedAt: endsAt });
    expect((await eventsOf(opened.id)).map((event) => event.type)).toEqual([
      IncidentEvents.opened,
      IncidentEvents.linked,
      IncidentEvents.resolved,
    ]);

    // Firing after it was resolved opens a new incident.
    await alert('fp-docs', { service: 'docs', stage: 'prod' });
    const reopened = await decidedIncident('docs', (incident) => incident.status === 'open');
    expect(reopened.id).not.toBe(opened.id);
    expect(await incidents('service=docs&status=resolved')).toHaveLength(1);

    // An alert without a stage label is about the whole service: linked to nothing.
    await alert('fp-docs-service', { service: 'docs' }, { summary: 'docs is slow everywhere' });
    const serviceLevel = await decidedIncident(
      'docs',
      (incident) => incident.fingerprint === 'fp-docs-service',
    );
    expect(serviceLevel).toMatchObject({ stage: null, promotionId: null, rollback: null });
  });

  it('rolls back a canary that is still verifying when its stage says rollbackOnIncident', async () => {
    const stable = await succeeded('shop');
    const candidate = await release('shop');
    const started = await promotionOf('shop', candidate.version);
    await until(started.id, (promotion) => promotion.rollout?.status === 'Paused');

    await alert('fp-shop', { service: 'shop', stage: 'prod' }, { summary: 'checkout errors' });
    const incident = await decidedIncident('shop');
    expect(incident.promotionId).toBe(started.id);
    expect(incident.rollback).toMatchObject({ action: 'withdrawn', promotionId: started.id });

    const rolledBack = await finished(started.id);
    expect(rolledBack.phase, rolledBack.message ?? '').toBe('RolledBack');
    expect(rolledBack.message).toContain(`incident ${incident.id}`);
    expect(rolledBack.rollout).toMatchObject({ status: 'RolledBack', weight: 0 });
    const status = await gantry.api<{ items: { stages: { currentVersion: string | null }[] }[] }>(
      'GET',
      '/api/v1/status?service=shop',
    );
    expect(status.body.items[0]?.stages[0]?.currentVersion).toBe(stable.version);

    const audit = await gantry.api<{
      items: { actor: string; action: string; target: string; reason: string }[];
    }>('GET', '/api/v1/audit?action=incident.rollback');
    const entry = audit.body.items.find((item) => item.target === `promotion/${started.id}`);
    expect(entry).toMatchObject({ actor: `incident:${incident.id}` });
    expect(entry!.reason).toContain('was still verifying');

    // The same alert again (a repeated notification): nothing more happens.
    await alert('fp-shop', { service: 'shop', stage: 'prod', repeat: 'yes' }, { summary: 'checkout errors' });
    await waitFor(async () => (await incidents('service=shop'))[0]?.labels.repeat === 'yes', {
      what: 'the repeated alert to be handled',
    });
    const again = await incidents('service=shop');
    expect(again).toHaveLength(1);
    expect(again[0]!.rollback).toEqual(incident.rollback);
  });

  it('starts a rollback promotion of the previous release when a success is followed by an alert within the window', async () => {
    const previous = await succeeded('cart');
    const bad = await succeeded('cart');
    await alert('fp-cart', { service: 'cart', stage: 'prod' }, { summary: 'cart is down' });
    const incident = await decidedIncident('cart');
    expect(incident.promotionId).toBe(bad.id);
    expect(incident.rollback).toMatchObject({ action: 'promoted' });
    expect(incident.rollback!.reason).toContain('within the 1h rollback window');

    const rollback = await finished(incident.rollback!.promotionId!);
    expect(rollback).toMatchObject({
      phase: 'Succeeded',
      trigger: 'rollback',
      version: previous.version,
      requestedBy: `incident:${incident.id}`,
    });
    expect(rollback.reason).toContain(`incident ${incident.id} (cart is down)`);

    // A second alert about the same stage is blamed on the rollback, which is never rolled back.
    await alert('fp-cart-2', { service: 'cart', stage: 'prod' }, { summary: 'cart still slow' });
    const second = await decidedIncident('cart', (item) => item.fingerprint === 'fp-cart-2');
    expect(second.promotionId).toBe(rollback.id);
    expect(second.rollback).toMatchObject({ action: 'skipped' });
    expect(second.rollback!.reason).toContain('was itself a rollback');
  });

  it('waits for a canary that is already being made stable, then rolls back its success', async () => {
    const stable = await succeeded('api');
    const candidate = await release('api');
    const started = await promotionOf('api', candidate.version);
    await until(started.id, (promotion) => promotion.rollout?.status === 'Paused');
    // As if someone had just promoted it in full: the rollout is promoting, no runner has taken it yet.
    const { db } = gantry.server.database;
    await updateRollout(db, (await findRollout(db, started.id))!, {
      status: 'Promoting',
      pausedUntil: null,
      pauseReason: null,
      message: 'promoted in full',
    });

    await alert('fp-api', { service: 'api', stage: 'prod' }, { summary: 'api latency' });
    const waiting = await decidedIncident('api');
    expect(waiting.rollback).toMatchObject({ action: 'pending', promotionId: started.id });

    // The runner finishes the promotion; the incident's timer then rolls the success back.
    await updatePromotion(db, (await findPromotion(db, started.id))!, { applyLeaseUntil: null });
    gantry.server.delivery.rolloutRunner.kick(started.id);
    expect((await finished(started.id)).phase).toBe('Succeeded');
    const decided = await waitFor(
      async () => {
        const [incident] = await incidents('service=api');
        return incident?.rollback?.action === 'promoted' ? incident : undefined;
      },
      { what: 'the rollback after the promotion succeeded' },
    );
    // The rollback promotion goes through the stage's canary like any other (it pauses there too).
    const rollback = await gantry.api<PromotionDto>(
      'GET',
      `/api/v1/promotions/${decided.rollback!.promotionId}`,
    );
    expect(rollback.body).toMatchObject({
      trigger: 'rollback',
      version: stable.version,
      requestedBy: `incident:${decided.id}`,
    });
    expect(decided.rollback!.reason).toContain('had just succeeded');
  });

  it('only links a success outside the window', async () => {
    await succeeded('web');
    const latest = await succeeded('web');
    const late = new Date(Date.parse(latest.finishedAt!) + 60_000).toISOString();
    await alert('fp-web', { service: 'web', stage: 'prod' }, { startsAt: late });
    const incident = await decidedIncident('web');
    expect(incident).toMatchObject({ promotionId: latest.id, openedAt: late });
    expect(incident.rollback).toMatchObject({ action: 'skipped' });
    expect(incident.rollback!.reason).toContain('outside the 1s rollback window');
    const { body } = await gantry.api<{ items: PromotionDto[] }>(
      'GET',
      '/api/v1/promotions?service=web&stage=prod',
    );
    expect(body.items.filter((promotion) => promotion.trigger === 'rollback')).toEqual([]);
  });

  it('opens, lists, links and resolves incidents through the API, with roles', async () => {
    const latest = (
      await gantry.api<{ items: PromotionDto[] }>(
        'GET',
        '/api/v1/promotions?service=docs&stage=prod&phase=Succeeded',
      )
    ).body.items[0]!;

    const viewer = await gantry.token('incident-viewer', 'viewer');
    const refused = await gantry.api('POST', '/api/v1/incidents', {
      token: viewer,
      body: { title: 'search is down', service: 'docs', stage: 'prod' },
    });
    expect(refused.status).toBe(403);

    const deployer = await gantry.token('on-call', 'deployer');
    const opened = await gantry.api<IncidentDto>('POST', '/api/v1/incidents', {
      token: deployer,
      body: { title: 'customers report broken links', service: 'docs', stage: 'prod', severity: 'minor' },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({
      source: 'manual',
      status: 'open',
      openedBy: 'on-call',
      promotionId: latest.id,
      rollback: null,
    });
    const events = await eventsOf(opened.body.id);
    expect(events.map((event) => event.type)).toEqual([IncidentEvents.opened, IncidentEvents.linked]);

    const unknown = await gantry.api<{ detail: string }>('POST', '/api/v1/incidents', {
      token: deployer,
      body: { title: 'x', service: 'docs', stage: 'qa' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('stage "qa" is not in the pipeline of docs');

    const shop = (await gantry.api<{ items: PromotionDto[] }>('GET', '/api/v1/promotions?service=shop')).body
      .items[0]!;
    const mismatch = await gantry.api<{ detail: string }>(
      'POST',
      `/api/v1/incidents/${opened.body.id}/link`,
      {
        token: deployer,
        body: { promotion: shop.id, reason: 'wrong one' },
      },
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.detail).toContain('is about docs in prod');

    const serviceLevel = await gantry.api<IncidentDto>('POST', '/api/v1/incidents', {
      token: deployer,
      body: { title: 'support inbox full', service: 'docs' },
    });
    expect(serviceLevel.body).toMatchObject({ stage: null, promotionId: null });
    const linked = await gantry.api<IncidentDto>('POST', `/api/v1/incidents/${serviceLevel.body.id}/link`, {
      token: deployer,
      body: { promotion: latest.id, reason: 'the new search index broke links' },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({ promotionId: latest.id, stage: 'prod' });
    expect((await eventsOf(serviceLevel.body.id)).at(-1)).toMatchObject({
      type: IncidentEvents.linked,
      payload: { reason: 'the new search index broke links', actor: 'on-call' },
    });

    const shown = await gantry.api<IncidentDto>('GET', `/api/v1/incidents/${opened.body.id}`, {
      token: viewer,
    });
    expect(shown.body).toEqual(opened.body);

    const resolved = await gantry.api<IncidentDto>('POST', `/api/v1/incidents/${opened.body.id}/resolve`, {
      token: deployer,
      body: { reason: 'links fixed' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'on-call' });
    const twice = await gantry.api<{ detail: string }>(
      'POST',
      `/api/v1/incidents/${opened.body.id}/resolve`,
      {
        token: deployer,
        body: {},
      },
    );
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain('already resolved by on-call');

    // Filters and keyset pages.
    const manual = (await incidents('service=docs')).filter((incident) => incident.source === 'manual');
    expect(manual.map((incident) => incident.id)).toEqual([serviceLevel.body.id, opened.body.id]);
    const firstPage = await gantry.api<IncidentPageDto>('GET', '/api/v1/incidents?service=docs&limit=1');
    expect(firstPage.body.items).toHaveLength(1);
    expect(firstPage.body.nextCursor).toBeDefined();
    const secondPage = await gantry.api<IncidentPageDto>(
      'GET',
      `/api/v1/incidents?service=docs&limit=1&cursor=${firstPage.body.nextCursor}`,
    );
    expect(secondPage.body.items[0]!.id).not.toBe(firstPage.body.items[0]!.id);
    expect(await incidents('status=open&service=docs&stage=prod')).not.toContainEqual(
      expect.objectContaining({ id: opened.body.id }),
    );
    // Opening time: the DORA page links the incidents of its window this way.
    const openedAt = Date.parse(opened.body.openedAt);
    const around = (from: number, to: number) =>
      incidents(
        `service=docs&openedSince=${new Date(from).toISOString()}&openedUntil=${new Date(to).toISOString()}`,
      );
    expect((await around(openedAt, openedAt + 1)).map((incident) => incident.id)).toContain(opened.body.id);
    expect((await around(openedAt + 1, openedAt + 60_000)).map((incident) => incident.id)).not.toContain(
      opened.body.id,
    );
    const missing = await gantry.api('GET', '/api/v1/incidents/01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42');
    expect(missing.status).toBe(404);
  });
});
