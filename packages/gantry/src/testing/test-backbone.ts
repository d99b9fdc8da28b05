import { pino, type Logger } from 'pino';
import { EventBackbone, type EventBackboneOptions } from '../features/events/event-backbone.js';
import { createTransport } from '../features/events/transports/create-transport.js';
import type { Transport, TransportKind } from '../features/events/transports/transport.js';
import type { DatabaseHandle } from '../platform/database/database.js';
import { testBrokerUrl } from './test-backends.js';

export const silentLogger: Logger = pino({ level: process.env.GANTRY_TEST_LOG_LEVEL ?? 'silent' });

/**
 * A transport of the given kind whose exchange, queues and stream are private
 * to `namespace`, so test files sharing one broker never see each other's messages.
 */
export function createTestTransport(kind: TransportKind, namespace: string, brokerUrl?: string): Transport {
  return createTransport(brokerUrl ?? testBrokerUrl(kind), {
    exchange: `gantry-test.${namespace}`,
    queuePrefix: `gantry-test.${namespace}`,
    stream: `GANTRY_TEST_${namespace.replace(/[^A-Za-z0-9]/g, '_')}`,
    subjectPrefix: `gantry-test-${namespace.replace(/[^A-Za-z0-9]/g, '-')}`,
    ackWaitMs: 3_000,
  });
}

export interface TestBackboneOptions {
  database: DatabaseHandle;
  transport: Transport;
  maxAttempts?: number;
  concurrency?: number;
  withoutRelay?: boolean;
  logger?: Logger;
}

/** A backbone tuned for tests: fast retries and polling. */
export function createTestBackbone(options: TestBackboneOptions): EventBackbone {
  const backboneOptions: EventBackboneOptions = {
    database: options.database,
    transport: options.transport,
    logger: options.logger ?? silentLogger,
    relay: { batchSize: 200, pollIntervalMs: 200, retentionMs: 7 * 86_400_000, leaseMs: 3_000 },
    consumers: {
      concurrency: options.concurrency ?? 16,
      maxAttempts: options.maxAttempts ?? 3,
      baseDelayMs: 20,
      maxDelayMs: 200,
    },
    withoutRelay: options.withoutRelay,
  };
  return new EventBackbone(backboneOptions);
}
