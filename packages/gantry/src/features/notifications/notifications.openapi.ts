import { z } from 'zod';
import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import {
  channelListDtoSchema,
  channelNameSchema,
  channelTestResultDtoSchema,
  deliveryDtoSchema,
  deliveryIdSchema,
  deliveryPageDtoSchema,
  listDeliveriesQuerySchema,
  replayMatchingBodySchema,
  replayResultDtoSchema,
} from './notifications.dto.js';

const idParams = z.object({ id: deliveryIdSchema });

/** The routes of NotificationsController, for /api/openapi.json. */
export const notificationOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/notifications/channels',
    operationId: 'listNotificationChannels',
    summary: 'The configured channels and their subscriptions (secret references, never secrets)',
    tag: 'notifications',
    requiredRole: 'viewer',
    responses: { 200: channelListDtoSchema },
  },
  {
    method: 'POST',
    path: '/api/v1/notifications/channels/:name/test',
    operationId: 'testNotificationChannel',
    summary: 'Post a test message to a channel now and report its answer',
    description: 'Not queued and not retried: the answer (ok, HTTP status, error) is in the response.',
    tag: 'notifications',
    requiredRole: 'admin',
    params: z.object({ name: channelNameSchema }),
    responses: { 200: channelTestResultDtoSchema },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/v1/notifications/deliveries',
    operationId: 'listNotificationDeliveries',
    summary: 'List notification deliveries, newest first',
    tag: 'notifications',
    requiredRole: 'viewer',
    query: listDeliveriesQuerySchema,
    responses: { 200: deliveryPageDtoSchema },
  },
  {
    method: 'GET',
    path: '/api/v1/notifications/deliveries/:id',
    operationId: 'getNotificationDelivery',
    summary: 'One delivery with its content, attempts and last error',
    tag: 'notifications',
    requiredRole: 'viewer',
    params: idParams,
    responses: { 200: deliveryDtoSchema },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/notifications/deliveries/replay',
    operationId: 'replayNotificationDeliveries',
    summary: 'Send every dead delivery matching a filter again',
    tag: 'notifications',
    requiredRole: 'admin',
    requestBody: replayMatchingBodySchema.optional(),
    responses: { 202: z.object({ items: z.array(replayResultDtoSchema) }) },
  },
  {
    method: 'POST',
    path: '/api/v1/notifications/deliveries/:id/replay',
    operationId: 'replayNotificationDelivery',
    summary: 'Send a dead delivery again, with a fresh attempt count',
    tag: 'notifications',
    requiredRole: 'admin',
    params: idParams,
    responses: { 202: replayResultDtoSchema },
    errors: [404],
  },
]);
