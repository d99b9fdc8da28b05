import { z } from 'zod';
import { defineOperations } from '../../../platform/openapi/openapi-registry.js';
import {
  deadLetterIdSchema,
  deadLetterStatusSchema,
  listDeadLettersQuerySchema,
  replayMatchingBodySchema,
  type DeadLetterDto,
  type DeadLetterPageDto,
  type ReplayResultDto,
} from './dead-letters.dto.js';

// The dead-letter routes for /api/openapi.json. The response schemas mirror
// the DTO interfaces; the type checks below fail when the two drift apart.

const deadLetterSchema = z.object({
  id: z.uuid(),
  consumerGroup: z.string(),
  eventId: z.uuid(),
  type: z.string(),
  key: z.string(),
  status: deadLetterStatusSchema,
  attempts: z.number().int(),
  lastError: z.string(),
  occurredAt: z.iso.datetime(),
  firstFailedAt: z.iso.datetime(),
  deadAt: z.iso.datetime(),
  replayCount: z.number().int(),
  lastReplayedAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  schemaVersion: z.number().int(),
  payload: z.unknown(),
  headers: z.record(z.string(), z.string()),
});

const deadLetterPageSchema = z.object({
  items: z.array(deadLetterSchema),
  nextCursor: z
    .string()
    .optional()
    .meta({ description: 'Pass as cursor for the next page; absent on the last.' }),
});

const replayResultSchema = z.object({
  deadLetter: deadLetterSchema,
  queued: z
    .boolean()
    .meta({ description: 'False when the event had already been handled; nothing was queued.' }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchDtos: [
  Same<z.output<typeof deadLetterSchema>, DeadLetterDto>,
  Same<z.output<typeof deadLetterPageSchema>, DeadLetterPageDto>,
  Same<z.output<typeof replayResultSchema>, ReplayResultDto>,
] = [true, true, true];
void schemasMatchDtos;

const idParams = z.object({ id: deadLetterIdSchema });

export const deadLetterOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'List dead letters, newest first',
    tag: 'dead-letters',
    requiredRole: 'viewer',
    query: listDeadLettersQuerySchema,
    responses: { 200: deadLetterPageSchema },
  },
  {
    method: 'GET',
    path: '/api/v1/dead-letters/:id',
    operationId: 'getDeadLetter',
    summary: 'Show one dead letter with its payload and last error',
    tag: 'dead-letters',
    requiredRole: 'viewer',
    params: idParams,
    responses: { 200: deadLetterSchema },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/dead-letters/replay',
    operationId: 'replayDeadLetters',
    summary: 'Replay every dead letter matching a filter',
    tag: 'dead-letters',
    requiredRole: 'admin',
    requestBody: replayMatchingBodySchema.optional(),
    responses: { 202: z.object({ items: z.array(replayResultSchema) }) },
  },
  {
    method: 'POST',
    path: '/api/v1/dead-letters/:id/replay',
    operationId: 'replayDeadLetter',
    summary: 'Hand one dead letter back to its consumer group',
    tag: 'dead-letters',
    requiredRole: 'admin',
    params: idParams,
    responses: { 202: replayResultSchema },
    errors: [404],
  },
]);
