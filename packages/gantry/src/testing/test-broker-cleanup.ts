import { connect as amqpConnect } from 'amqplib';
import { connect as natsConnect } from 'nats';
import { NatsTransport } from '../features/events/transports/nats.transport.js';
import type { TransportKind } from '../features/events/transports/transport.js';
import { testBrokerUrl } from './test-backends.js';

/**
 * Deletes what `createTestTransport(kind, namespace)` declared on the shared
 * broker for these consumer groups: RabbitMQ queues and exchange, or the NATS
 * consumers and stream. Best effort: a test's result never depends on it.
 */
export async function deleteTestBrokerNames(
  kind: TransportKind,
  namespace: string,
  groups: readonly string[],
): Promise<void> {
  const url = testBrokerUrl(kind);
  if (url === undefined) return;
  try {
    if (kind === 'rabbitmq') {
      const model = await amqpConnect(url);
      try {
        const channel = await model.createChannel();
        for (const group of groups) await channel.deleteQueue(`gantry-test.${namespace}.${group}`);
        await channel.deleteExchange(`gantry-test.${namespace}`);
      } finally {
        await model.close();
      }
      return;
    }
    const broker = new URL(url);
    const nc = await natsConnect({ servers: `${broker.hostname}:${broker.port || '4222'}` });
    try {
      const jsm = await nc.jetstreamManager();
      const stream = `GANTRY_TEST_${namespace.replace(/[^A-Za-z0-9]/g, '_')}`;
      for (const group of groups) {
        await jsm.consumers.delete(stream, NatsTransport.durableName(group)).catch(() => false);
      }
      await jsm.streams.delete(stream);
    } finally {
      await nc.close();
    }
  } catch {
    // Leftovers are named after a unique namespace and harm no other test.
  }
}
