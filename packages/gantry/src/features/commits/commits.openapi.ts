import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { releaseParamsSchema } from '../releases/releases.dto.js';
import { releaseChangesDtoSchema } from './release-changes.dto.js';

/** The routes of ReleaseChangesController, for /api/openapi.json. */
export const commitOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/releases/:service/:version/changes',
    operationId: 'getReleaseChanges',
    summary: "A release's changes: the commits since the previous production release",
    description:
      'Found by following the parent links of recorded pushes from the release commit back to the previous production release. When they do not reach it, historyKnown is false and the changes are the release commit alone.',
    tag: 'releases',
    requiredRole: 'viewer',
    params: releaseParamsSchema,
    responses: { 200: releaseChangesDtoSchema },
    errors: [404],
  },
]);
