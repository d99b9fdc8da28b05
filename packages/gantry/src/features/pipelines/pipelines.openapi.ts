import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import {
  appliedServicesDtoSchema,
  applyPipelinesQuerySchema,
  applyPipelinesSchema,
  serviceListDtoSchema,
} from './pipelines.dto.js';

/** The routes of PipelinesController, for /api/openapi.json. */
export const pipelineOperations = defineOperations([
  {
    method: 'PUT',
    path: '/api/v1/pipelines',
    operationId: 'applyPipelines',
    summary: 'Apply a gantry.yaml',
    description:
      'Makes each service declared in the file current. Idempotent: the same declaration again is `unchanged`; a changed one becomes the next revision, and promotions in flight keep the revision they started with. Errors name file, line, column and path. With dryRun=true nothing is stored.',
    tag: 'pipelines',
    requiredRole: 'admin',
    query: applyPipelinesQuerySchema,
    requestBody: applyPipelinesSchema,
    responses: { 200: appliedServicesDtoSchema },
  },
  {
    method: 'GET',
    path: '/api/v1/services',
    operationId: 'listServices',
    summary: 'List declared services with their current pipeline revision',
    tag: 'pipelines',
    requiredRole: 'viewer',
    responses: { 200: serviceListDtoSchema },
  },
]);
