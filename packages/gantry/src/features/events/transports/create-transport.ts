import { redactUrl } from '../../../shared/redact.js';
import { AmqpTransport, type AmqpTransportOptions } from './amqp.transport.js';
import { InProcessTransport } from './in-process.transport.js';
import { NatsTransport, type NatsTransportOptions } from './nats.transport.js';
import type { Transport } from './transport.js';

export type { BrokerTransportEvents, MalformedMessage } from './amqp.transport.js';

/**
 * Settings for whichever broker the URL names; each transport reads its own
 * (exchange and queuePrefix for RabbitMQ, stream, subjectPrefix and ackWaitMs
 * for NATS) and ignores the rest, so one configuration serves every URL.
 */
export type TransportOptions = Omit<AmqpTransportOptions, 'url'> & Omit<NatsTransportOptions, 'url'>;

/**
 * The transport for a broker URL: amqp:// or amqps:// is RabbitMQ, nats:// or
 * tls:// is NATS JetStream, none is the in-process broker.
 */
export function createTransport(url: string | undefined, options: TransportOptions = {}): Transport {
  if (url === undefined || url === '') return new InProcessTransport();
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new Error(`broker URL ${redactUrl(url)} is not a URL: use amqp://, amqps://, nats:// or tls://`);
  }
  switch (scheme) {
    case 'amqp:':
    case 'amqps:':
      return new AmqpTransport({ ...options, url });
    case 'nats:':
    case 'tls:':
      return new NatsTransport({ ...options, url });
    default:
      throw new Error(
        `broker URL ${redactUrl(url)} has an unsupported scheme ${scheme}: use amqp:// or amqps:// for RabbitMQ, nats:// or tls:// for NATS, or no URL for the in-process broker`,
      );
  }
}
