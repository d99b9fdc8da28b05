import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type {
  DeadLetterDto,
  DeadLetterPageDto,
  ReplayResultDto,
} from '../features/events/dead-letters/dead-letters.dto.js';
import { backboneCombos, uniqueSuffix } from '../testing/test-backends.js';
import { createTestTransport } from '../testing/test-backbone.js';
import { createTestDatabase } from '../testing/test-database.js';
import { freePort } from '../testing/free-port.js';
import { waitFor } from '../testing/wait-for.js';
import { startServer, type RunningServer } from './start-server.js';

// The whole server on each database + broker pair: one trace from an HTTP
// request to the consumer that handles the event it caused, and the
// dead-letter API that operators use when a consumer gives up.

describe.each(backboneCombos())('gantry server on $name', (combo) => {
  const spans = new InMemorySpanExporter();
  let server: RunningServer;
  let adminToken: string;
  let fixed = false;
  const handled: string[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase(combo.database);
    const config = loadConfig({
      GANTRY_PORT: String(await freePort()),
      GANTRY_LOG_LEVEL: 'silent',
      GANTRY_CONSUMER_MAX_ATTEMPTS: '1',
      GANTRY_RELAY_POLL_INTERVAL: '100ms',
      GANTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'gantry-server-')),
    });
    server = await startServer(config, {
      handleSignals: false,
      database: { handle: database.handle, close: () => database.drop() },
      transport: createTestTransport(combo.transport, uniqueSuffix()),
      spanExporter: spans,
      beforeStart: (backbone) =>
        backbone.consumers.register({
          group: 'probe',
          eventType: 'probe.requested',
          handle: (event) => {
            if (!fixed) return Promise.reject(new Error('probe handler is broken'));
            handled.push(event.id);
            return Promise.resolve();
          },
        }),
    });
    await server.backbone.ready();
    adminToken = readFileSync(server.adminTokenFile!, 'utf8').trim();
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function api<T>(
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<[number, T]> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...headers },
    });
    return [response.status, (await response.json()) as T];
  }

  it('reports ready once database, broker and relay are up', async () => {
    const [status, body] = await api<{ status: string; checks: { name: string; ok: boolean }[] }>(
      'GET',
      '/readyz',
    );
    expect(status).toBe(200);
    expect(body.checks.map((check) => [check.name, check.ok])).toEqual([
      ['database', true],
      ['broker', true],
      ['relay', true],
    ]);
  });

  it('lists, shows and replays a dead letter, and one trace runs from the replay request to the consumer', async () => {
    const { backbone } = server;
    const eventId = await server.database.db.transaction((tx) =>
      backbone.events.append(tx, { type: 'probe.requested', key: 'probe:1', payload: { probe: true } }),
    );
    const [, page] = await waitFor(
      async () => {
        const result = await api<DeadLetterPageDto>('GET', '/api/v1/dead-letters?status=dead&group=probe');
        return result[1].items.length > 0 ? result : undefined;
      },
      { what: 'the dead letter to be listed' },
    );
    const [listed] = page.items;
    expect(listed).toMatchObject({
      eventId,
      consumerGroup: 'probe',
      status: 'dead',
      lastError: 'probe handler is broken',
    });

    const [showStatus, shown] = await api<DeadLetterDto>('GET', `/api/v1/dead-letters/${listed!.id}`);
    expect(showStatus).toBe(200);
    expect(shown.payload).toEqual({ probe: true });

    const [missingStatus, missing] = await api<{ code: string; detail: string }>(
      'GET',
      '/api/v1/dead-letters/0193aaaa-0000-7000-8000-000000000000',
    );
    expect(missingStatus).toBe(404);
    expect(missing.code).toBe('not_found');
    expect(missing.detail).toContain('does not exist');

    fixed = true;
    spans.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const [replayStatus, replay] = await api<ReplayResultDto>(
      'POST',
      `/api/v1/dead-letters/${listed!.id}/replay`,
      {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    );
    expect(replayStatus).toBe(202);
    expect(replay.queued).toBe(true);
    await waitFor(() => handled.includes(eventId), { what: 'the replayed event to be handled' });
    await waitFor(async () => (await backbone.deadLetters.get(listed!.id)).status === 'resolved', {
      what: 'the dead letter to resolve',
    });

    const consumer = await waitFor(
      () => findSpan(spans.getFinishedSpans(), SpanKind.CONSUMER, 'probe.requested process'),
      {
        what: 'the consumer span',
      },
    );
    const finished = spans.getFinishedSpans();
    const producer = findSpan(finished, SpanKind.PRODUCER, 'probe.requested publish');
    const request = finished.find((span) => span.kind === SpanKind.SERVER && span.name.includes('/replay'));
    expect(request?.spanContext().traceId).toBe(traceId);
    expect(producer?.spanContext().traceId).toBe(traceId);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(producer?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
  });
});

function findSpan(spans: ReadableSpan[], kind: SpanKind, name: string): ReadableSpan | undefined {
  return spans.find((span) => span.kind === kind && span.name === name);
}
