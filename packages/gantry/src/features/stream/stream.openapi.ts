import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { streamEventSchema, streamQuerySchema } from './stream.dto.js';

/** The route of StreamController, for /api/openapi.json. */
export const streamOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/stream',
    operationId: 'streamEvents',
    summary: 'Promotion, rollout, release and incident events as they happen (server-sent events)',
    description: [
      'A text/event-stream that stays open. Each event has `id` (the outbox seq), `event` (the type) and one `data` line of JSON.',
      'Send the last id back as the Last-Event-ID header when reconnecting to get what was missed;',
      'a client that missed too much gets `event: reset` and should reload what it shows.',
      'A comment line (`: keep-alive`) comes every 15 s. Example: curl -N -H "Authorization: Bearer $GANTRY_TOKEN" http://127.0.0.1:7070/api/v1/stream',
    ].join(' '),
    tag: 'stream',
    requiredRole: 'viewer',
    query: streamQuerySchema,
    responses: {
      200: { description: 'The event stream', schema: streamEventSchema, mediaType: 'text/event-stream' },
    },
  },
]);
