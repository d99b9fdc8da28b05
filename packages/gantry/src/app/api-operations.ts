import { accessOperations } from '../features/access/access.openapi.js';
import { deadLetterOperations } from '../features/events/dead-letters/dead-letters.openapi.js';
import { pipelineOperations } from '../features/pipelines/pipelines.openapi.js';
import { promotionOperations } from '../features/promotions/promotions.openapi.js';
import { releaseOperations } from '../features/releases/releases.openapi.js';
import { localTargetOperations } from '../features/local-target/local-target.openapi.js';
import { rolloutOperations } from '../features/rollouts/rollouts.openapi.js';
import { previewOperations } from '../features/previews/previews.openapi.js';
import { webhookOperations } from '../features/webhooks/webhooks.openapi.js';
import { incidentOperations } from '../features/incidents/incidents.openapi.js';
import { notificationOperations } from '../features/notifications/notifications.openapi.js';
import { commitOperations } from '../features/commits/commits.openapi.js';
import { doraOperations } from '../features/dora/dora.openapi.js';
import { streamOperations } from '../features/stream/stream.openapi.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../platform/openapi/openapi-registry.js';
import { API_DESCRIPTION } from '../platform/openapi/openapi.module.js';
import { GANTRY_VERSION } from '../shared/gantry-version.js';

/**
 * Every operation of the HTTP API, for /api/openapi.json. A feature with a
 * controller adds its `defineOperations([...])` here; a test fails when a
 * served /api/v1 route has no operation.
 */
export const apiOperations = [
  ...deadLetterOperations,
  ...accessOperations,
  ...pipelineOperations,
  ...releaseOperations,
  ...promotionOperations,
  ...rolloutOperations,
  ...localTargetOperations,
  ...previewOperations,
  ...webhookOperations,
  ...incidentOperations,
  ...notificationOperations,
  ...commitOperations,
  ...doraOperations,
  ...streamOperations,
];

/** The OpenAPI document of the whole API, as GET /api/openapi.json serves it. */
export function openApiDocument(): OpenApiDocument {
  return buildOpenApiDocument(apiOperations, { version: GANTRY_VERSION, description: API_DESCRIPTION });
}
