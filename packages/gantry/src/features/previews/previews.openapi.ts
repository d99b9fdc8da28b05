import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { listPreviewsQuerySchema, previewListDtoSchema } from './previews.dto.js';

/** The routes of PreviewsController, for /api/openapi.json. */
export const previewOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/previews',
    operationId: 'listPreviews',
    summary: "Pull requests' previews",
    description:
      'Open previews (active, or closing while their stage is torn down), most recently active first, with the URL they answer on. all=true adds closed ones.',
    tag: 'previews',
    requiredRole: 'viewer',
    query: listPreviewsQuerySchema,
    responses: { 200: previewListDtoSchema },
    errors: [400],
  },
]);
