import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { registerHelloRelease } from '../../testing/hello-releases.js';
import { helloServiceTarget } from '../../testing/hello-service.js';
import { silentLogger } from '../../testing/test-backbone.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { ReleaseEvents, type ReleaseRegistered } from '../releases/releases.service.js';
import { StreamHub } from './stream-hub.js';
import type { StreamEventDto } from './stream.dto.js';

// GET /api/v1/stream against a real server and database: events arrive as
// they are committed, a reconnecting client gets what it missed, a row that
// commits after a later one is still sent, and a client too far behind is
// told to reload.

interface OpenStream {
  status: number;
  /** The next event `matches` accepts (earlier ones are consumed). */
  next: (matches?: (event: StreamEventDto) => boolean) => Promise<StreamEventDto>;
  /** Raw frames seen so far (events and named control events). */
  frames: string[];
  close: () => void;
}

async function openStream(
  gantry: TestServer,
  options: { token?: string; lastEventId?: number; query?: string } = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? gantry.adminToken}` };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(`${gantry.server.url}/api/v1/stream${options.query ?? ''}`, {
    headers,
    signal: controller.signal,
  });
  const frames: string[] = [];
  const events: StreamEventDto[] = [];
  const waiters: (() => void)[] = [];
  if (response.ok && response.body) {
    void (async () => {
      let buffer = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            frames.push(frame);
            const data = frame.split('\n').find((line) => line.startsWith('data: '));
            if (data && !frame.startsWith('event: reset'))
              events.push(JSON.parse(data.slice(6)) as StreamEventDto);
            for (const wake of waiters.splice(0)) wake();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    frames,
    async next(matches = () => true) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const index = events.findIndex(matches);
        if (index !== -1) return events.splice(0, index + 1).at(-1)!;
        if (Date.now() > deadline)
          throw new Error(`no matching event; frames so far:\n${frames.join('\n---\n')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => controller.abort(),
  };
}

/** A whole release.registered payload, as the consumers of the event expect it. */
function registered(service: string, version: string): ReleaseRegistered {
  return {
    releaseId: randomUUID(),
    service,
    version,
    image: `ghcr.io/acme/${service}`,
    digest: `sha256:${'0'.repeat(64)}`,
    commit: '0'.repeat(40),
    commitTime: null,
    createdBy: 'test',
  };
}

const SERVICE = `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: web }
spec:
  team: web
  image: ghcr.io/acme/web
  source: { repo: https://github.com/acme/web }
  stages:
    - name: prod
      promotion: manual
      target: TARGET
`;

describe.each(databaseKinds())('the event stream on %s', (database) => {
  let gantry: TestServer;
  let behaviourDir: string;
  let viewer: string;

  beforeAll(async () => {
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-stream-'));
    gantry = await startTestServer({ database });
    const target = helloServiceTarget({ port: await freePort(), behaviourDir, replicas: 1 });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: SERVICE.replace('TARGET', target) },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    viewer = await gantry.token('watcher', 'viewer');
  });

  afterAll(async () => {
    await gantry?.stop();
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  const release = () => registerHelloRelease(gantry, { behaviourDir, service: 'web' });

  it('sends events as they are committed, to a viewer', async () => {
    const stream = await openStream(gantry, { token: viewer });
    expect(stream.status).toBe(200);
    const created = await release();
    const event = await stream.next((item) => item.type === ReleaseEvents.registered);
    expect(event.payload).toMatchObject({ service: 'web', version: created.version });
    expect(event.key).toContain('web');
    expect(event.seq).toBeGreaterThan(0);
    stream.close();
  });

  it('gives a reconnecting client what it missed, in order, after its Last-Event-ID', async () => {
    const first = await openStream(gantry);
    await release();
    const seen = await first.next((item) => item.type === ReleaseEvents.registered);
    first.close();
    const missed = [await release(), await release()];
    const again = await openStream(gantry, { lastEventId: seen.seq });
    const replayed = [
      await again.next((item) => item.type === ReleaseEvents.registered),
      await again.next((item) => item.type === ReleaseEvents.registered),
    ];
    expect(replayed.map((event) => event.payload.version)).toEqual(missed.map((item) => item.version));
    expect(replayed[0]!.seq).toBeGreaterThan(seen.seq);
    // Live events follow the replay.
    const live = await release();
    expect((await again.next((item) => item.type === ReleaseEvents.registered)).payload.version).toBe(
      live.version,
    );
    again.close();
  });

  it('sends only the types asked for, and refuses unknown ones and a bad Last-Event-ID', async () => {
    const promotionsOnly = await openStream(gantry, { query: '?types=promotion.requested' });
    const created = await release();
    const promoted = await gantry.api<{ id: string }>('POST', '/api/v1/promotions', {
      body: { service: 'web', version: created.version, stage: 'prod', reason: 'stream test' },
    });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(202);
    const event = await promotionsOnly.next();
    expect(event.type).toBe('promotion.requested');
    expect(event.payload.promotionId).toBe(promoted.body.id);
    promotionsOnly.close();

    const unknown = await gantry.api<{ detail: string }>('GET', '/api/v1/stream?types=secrets.leaked');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('secrets.leaked');
    const badId = await gantry.api<{ detail: string }>('GET', '/api/v1/stream', {
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(badId.status).toBe(400);
    expect(badId.body.detail).toMatch(/Last-Event-ID/);
    const anonymous = await fetch(`${gantry.server.url}/api/v1/stream`);
    expect(anonymous.status).toBe(401);
  });

  it('tells a client that missed too much to reload', async () => {
    const before = await openStream(gantry);
    await release();
    const last = await before.next((item) => item.type === ReleaseEvents.registered);
    before.close();
    for (let i = 0; i < 3; i += 1) await release();
    const hub = new StreamHub(gantry.server.database, silentLogger, { replayLimit: 2 });
    const frames: string[] = [];
    const leave = await hub.join(
      { types: new Set(), write: (text) => frames.push(text) > 0, end: () => undefined },
      last.seq,
    );
    expect(frames[0]).toMatch(/^event: reset\n/);
    expect(frames.filter((frame) => frame.startsWith('id: '))).toEqual([]);
    leave();
    hub.close();
  });

  it.runIf(database === 'postgres')(
    'still sends an event whose transaction commits after a later event was sent',
    async () => {
      const stream = await openStream(gantry);
      const { events } = gantry.server.backbone;
      let commitLate!: () => void;
      const held = new Promise<void>((resolve) => (commitLate = resolve));
      let lateSeqWritten!: () => void;
      const written = new Promise<void>((resolve) => (lateSeqWritten = resolve));
      const late = gantry.server.database.db.transaction(async (tx) => {
        await events.append(tx, {
          type: ReleaseEvents.registered,
          key: 'late/key',
          payload: registered('late', 'late-1'),
        });
        lateSeqWritten();
        await held;
      });
      await written;
      await gantry.server.database.db.transaction((tx) =>
        events.append(tx, {
          type: ReleaseEvents.registered,
          key: 'early/key',
          payload: registered('early', 'early-1'),
        }),
      );
      const early = await stream.next((item) => item.payload.service === 'early');
      commitLate();
      await late;
      const arrived = await stream.next((item) => item.payload.service === 'late');
      expect(arrived.seq).toBeLessThan(early.seq);
      stream.close();
    },
  );
});
