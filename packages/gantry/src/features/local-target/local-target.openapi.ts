import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { logsDtoSchema, logsParamsSchema, logsQuerySchema } from './logs.dto.js';

/** The routes of LocalTargetController, for /api/openapi.json. */
export const localTargetOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/services/:service/stages/:stage/logs',
    operationId: 'getReplicaLogs',
    summary: 'Replica logs of a local stage',
    description:
      'The last lines of each replica of a version (default: the version being rolled out, else the stable one). With follow=true, a text/plain stream of `[replica] line` lines that stays open until the client goes.',
    tag: 'promotions',
    requiredRole: 'viewer',
    params: logsParamsSchema,
    query: logsQuerySchema,
    responses: { 200: logsDtoSchema },
    errors: [404],
  },
]);
