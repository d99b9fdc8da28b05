import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { doraDtoSchema, doraQuerySchema } from './dora.dto.js';

/** The routes of DoraController, for /api/openapi.json. */
export const doraOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/dora',
    operationId: 'getDoraMetrics',
    summary: 'The four DORA metrics of the fleet, a team or a service, with bands and a weekly series',
    description:
      'Deployment frequency, lead time for changes, change failure rate and failed-deployment recovery time over a window, computed from production promotions, recorded commits and incidents (definitions: docs/dora.md).',
    tag: 'dora',
    requiredRole: 'viewer',
    query: doraQuerySchema,
    responses: { 200: doraDtoSchema },
    errors: [404],
  },
]);
