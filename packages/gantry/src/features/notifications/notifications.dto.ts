import { z } from 'zod';
import type { NotificationDelivery } from './notifications.repository.js';
import type { ChannelSpec, SubscriptionSpec } from './notifications-file.js';

// The notifications API's shapes. Channels are shown with their secret
// references (names of variables and files, never their content).

export const deliveryStatusSchema = z.enum(['pending', 'sent', 'dead'], {
  error: 'status must be one of pending, sent, dead',
});

export const listDeliveriesQuerySchema = z.object({
  status: deliveryStatusSchema.optional(),
  channel: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(200).optional(),
  eventId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuerySchema>;

export const replayMatchingBodySchema = z
  .object({
    channel: z.string().min(1).max(200).optional(),
    type: z.string().min(1).max(200).optional(),
  })
  .strict();

export const deliveryIdSchema = z.uuid({
  error: 'a delivery id is a UUID, as shown by gantry notifications list',
});

export const deliveryDtoSchema = z.object({
  id: z.uuid(),
  channel: z.string(),
  eventId: z.uuid(),
  type: z.string().meta({ description: 'The notification, e.g. promotion.succeeded' }),
  subject: z.string(),
  status: deliveryStatusSchema,
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable().meta({ description: 'HTTP status of the last answer' }),
  lastError: z.string().nullable(),
  nextAttemptAt: z.iso.datetime().nullable().meta({ description: 'When a pending delivery is tried next' }),
  occurredAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
  deadAt: z.iso.datetime().nullable(),
  replayCount: z.number().int(),
  data: z.record(z.string(), z.unknown()),
});
export type DeliveryDto = z.output<typeof deliveryDtoSchema>;

export const deliveryPageDtoSchema = z.object({
  items: z.array(deliveryDtoSchema),
  nextCursor: z
    .string()
    .optional()
    .meta({ description: 'Pass as cursor for the next page; absent on the last.' }),
});
export type DeliveryPageDto = z.output<typeof deliveryPageDtoSchema>;

export const replayResultDtoSchema = z.object({
  delivery: deliveryDtoSchema,
  queued: z.boolean().meta({ description: 'False when the delivery was not dead; nothing was changed.' }),
});
export type ReplayResultDto = z.output<typeof replayResultDtoSchema>;

export const channelDtoSchema = z.object({
  name: z.string(),
  type: z.enum(['slack', 'webhook']),
  url: z.string().meta({ description: 'The secret reference the URL is read from (env:NAME or file:/path)' }),
  secret: z.string().optional().meta({ description: 'The signing secret reference (webhook channels)' }),
  timeout: z.string(),
  concurrency: z.number().int(),
  retry: z.object({ attempts: z.number().int(), backoff: z.string(), maxBackoff: z.string() }),
  subscriptions: z.array(
    z.object({
      events: z.array(z.string()),
      services: z.array(z.string()).nullable().meta({ description: 'null: every service' }),
      stages: z.array(z.string()).nullable().meta({ description: 'null: every stage' }),
    }),
  ),
});
export type ChannelDto = z.output<typeof channelDtoSchema>;

export const channelNameSchema = z.string().min(1).max(63);

export const channelTestResultDtoSchema = z.object({
  channel: z.string(),
  ok: z.boolean().meta({ description: 'Whether the channel answered 2xx' }),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable().meta({ description: 'Why it failed (never the URL or a secret)' }),
});
export type ChannelTestResultDto = z.output<typeof channelTestResultDtoSchema>;

export const channelListDtoSchema = z.object({ items: z.array(channelDtoSchema) });
export type ChannelListDto = z.output<typeof channelListDtoSchema>;

export function toDeliveryDto(row: NotificationDelivery): DeliveryDto {
  return {
    id: row.id,
    channel: row.channel,
    eventId: row.eventId,
    type: row.eventType,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    occurredAt: row.occurredAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    deadAt: row.deadAt?.toISOString() ?? null,
    replayCount: row.replayCount,
    data: row.data,
  };
}

export function toChannelDto(channel: ChannelSpec, subscriptions: readonly SubscriptionSpec[]): ChannelDto {
  return {
    name: channel.name,
    type: channel.type,
    url: channel.url,
    ...(channel.type === 'webhook' ? { secret: channel.secret } : {}),
    timeout: channel.timeout.text,
    concurrency: channel.concurrency,
    retry: {
      attempts: channel.retry.attempts,
      backoff: channel.retry.backoff.text,
      maxBackoff: channel.retry.maxBackoff.text,
    },
    subscriptions: subscriptions
      .filter((sub) => sub.channel === channel.name)
      .map((sub) => ({ events: sub.events, services: sub.services ?? null, stages: sub.stages ?? null })),
  };
}
