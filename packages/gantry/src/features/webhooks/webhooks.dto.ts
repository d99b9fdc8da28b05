import { z } from 'zod';
import { WEBHOOK_PROVIDERS } from './webhook-auth.js';

// What the webhook endpoints answer. The git hosts and Alertmanager show the
// body in their delivery logs, so it says in words what happened.

export const webhookReceiptSchema = z.object({
  outcome: z
    .enum(['accepted', 'duplicate', 'ignored'])
    .describe(
      'accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do',
    ),
  provider: z.enum(WEBHOOK_PROVIDERS),
  event: z
    .string()
    .describe('The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing'),
  deliveryId: z.string().optional().describe('The id that deduplicates the delivery'),
  events: z.array(z.string()).optional().describe('Types of the events written to the outbox'),
  message: z.string(),
});
export type WebhookReceiptDto = z.infer<typeof webhookReceiptSchema>;

/** Bodies are validated per provider and event after the signature is checked; described loosely here. */
export const webhookPayloadSchema = z
  .looseObject({})
  .describe('The provider’s JSON payload, exactly as it sends it (at most 1 MiB)');
