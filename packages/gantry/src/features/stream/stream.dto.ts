import { z } from 'zod';
import { IncidentEvents } from '../incidents/incident-events.js';
import { PromotionEvents } from '../promotions/promotion-events.js';
import { ReleaseEvents } from '../releases/releases.service.js';
import { RolloutEvents } from '../rollouts/rollout-events.js';
import type { StreamRow } from './stream.repository.js';

/** What the stream carries: the events about promotions, rollouts, releases and incidents a person watches. */
export const STREAM_EVENT_TYPES = [
  PromotionEvents.requested,
  PromotionEvents.phaseChanged,
  PromotionEvents.decisionRecorded,
  RolloutEvents.progressed,
  ReleaseEvents.registered,
  ReleaseEvents.evidenceAttached,
  IncidentEvents.opened,
  IncidentEvents.linked,
  IncidentEvents.resolved,
] as const;

export const streamQuerySchema = z.object({
  types: z
    .string()
    .max(1000)
    .transform((text, context) => {
      const types = text.split(',').map((item) => item.trim());
      const unknown = types.filter((type) => !(STREAM_EVENT_TYPES as readonly string[]).includes(type));
      if (unknown.length > 0) {
        context.addIssue({
          code: 'custom',
          message: `has ${unknown.join(', ')}, which the stream does not carry; it carries ${STREAM_EVENT_TYPES.join(', ')}`,
        });
        return z.NEVER;
      }
      return types;
    })
    .optional()
    .meta({ description: 'Only these event types, separated by commas. Default: all of them.' }),
});
export type StreamQuery = z.output<typeof streamQuerySchema>;

export const streamEventSchema = z
  .object({
    seq: z.number().describe('The outbox sequence number, also the SSE id: send it back as Last-Event-ID'),
    id: z.string().describe('The event id (UUIDv7)'),
    type: z.enum(STREAM_EVENT_TYPES),
    key: z.string().describe('What it is about: <service>/<stage> for promotions and rollouts'),
    occurredAt: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .describe('The data of one server-sent event (its SSE event name is the type)');
export type StreamEventDto = z.infer<typeof streamEventSchema>;

export function toStreamEvent(row: StreamRow): StreamEventDto {
  return {
    seq: row.seq,
    id: row.eventId,
    type: row.type as StreamEventDto['type'],
    key: row.key,
    occurredAt: row.occurredAt.toISOString(),
    payload: (row.payload ?? {}) as Record<string, unknown>,
  };
}

/** One event in text/event-stream framing. JSON has no raw newlines, so one data line suffices. */
export function sseFrame(event: StreamEventDto): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
