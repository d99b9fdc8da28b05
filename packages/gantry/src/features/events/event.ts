// The shape of an event, from `events.append` to a consumer's handler.

/** What a service appends: the rest (id, time, headers) is filled in. */
export interface NewEvent<P = unknown> {
  /** Past tense, `aggregate.happened`: `release.registered`, `promotion.step-completed`. */
  type: string;
  /** The aggregate the event belongs to (`release:checkout/2026.11.3`); events of one key stay in order. */
  key: string;
  payload: P;
  /** Bump when the payload's shape changes incompatibly; consumers branch on it. */
  schemaVersion?: number;
  /** The event that caused this one, when appended by a consumer. */
  causationId?: string;
}

export interface AppendOptions {
  /** Deliver no earlier than this: a durable timer. */
  availableAt?: Date;
}

/** An event as it travels through the broker. */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: string;
  key: string;
  payload: P;
  schemaVersion: number;
  occurredAt: string;
  /** traceparent, tracestate, causation-id, and Gantry's delivery headers. */
  headers: Record<string, string>;
  /** Set for retries and replays: only this consumer group handles the message. */
  destination: string | null;
  /** 1 for the first delivery; retries count up; a replay starts again at 1. */
  attempt: number;
  /** Outbox row the message came from; the broker-level deduplication id. */
  outboxSeq: number;
}

/** Header names Gantry sets on events. */
export const EventHeader = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  causationId: 'gantry-causation-id',
  /** Dead-letter id when the delivery is a replay of it. */
  replayOf: 'gantry-replay-of',
  /** When the first delivery to the destination group failed (carried on retries). */
  firstFailedAt: 'gantry-first-failed-at',
} as const;

/** Routing: broadcast events by type, retries and replays by consumer group. */
export function routingKeyFor(envelope: Pick<EventEnvelope, 'type' | 'destination'>): string {
  return envelope.destination === null ? eventRoute(envelope.type) : directRoute(envelope.destination);
}

export function eventRoute(type: string): string {
  return `event.${type}`;
}

export function directRoute(group: string): string {
  return `direct.${group}`;
}

// Event types and group names become routing keys and NATS subjects: keep
// them to letters, digits, dashes and dots, so no broker needs escaping.
const NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export function assertEventName(kind: 'event type' | 'consumer group', name: string): void {
  if (!NAME.test(name)) {
    throw new Error(
      `${kind} "${name}" is not valid: use lower-case words of letters, digits and dashes joined by dots, e.g. release.registered`,
    );
  }
}

/** Wire format shared by every transport: the envelope as UTF-8 JSON. */
export function encodeEnvelope(envelope: EventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

export function decodeEnvelope(body: Uint8Array): EventEnvelope {
  const value = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<EventEnvelope>;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.id !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.key !== 'string' ||
    typeof value.attempt !== 'number' ||
    typeof value.outboxSeq !== 'number' ||
    typeof value.headers !== 'object'
  ) {
    throw new Error(
      'message is not a Gantry event envelope (missing id, type, key, attempt, outboxSeq or headers)',
    );
  }
  return value as EventEnvelope;
}
