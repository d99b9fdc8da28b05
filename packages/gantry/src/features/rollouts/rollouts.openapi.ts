import { z } from 'zod';
import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { promotionDtoSchema, promotionIdSchema } from '../promotions/promotions.dto.js';
import { rolloutControlSchema } from './rollouts.dto.js';

const idParams = z.object({ id: promotionIdSchema });

/** The routes of RolloutsController, for /api/openapi.json. */
export const rolloutOperations = defineOperations([
  {
    method: 'POST',
    path: '/api/v1/promotions/:id/resume',
    operationId: 'resumePromotion',
    summary: 'Continue a paused rollout',
    description:
      'Ends a pause step (timed or not) or accepts an inconclusive analysis, and the rollout goes on with its next step. 409 when the rollout is not paused.',
    tag: 'promotions',
    requiredRole: 'deployer',
    params: idParams,
    requestBody: rolloutControlSchema,
    responses: { 200: promotionDtoSchema },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    path: '/api/v1/promotions/:id/promote-full',
    operationId: 'promoteFull',
    summary: 'Skip the remaining rollout steps',
    description: 'The new version takes every request now and the old one drains.',
    tag: 'promotions',
    requiredRole: 'deployer',
    params: idParams,
    requestBody: rolloutControlSchema,
    responses: { 200: promotionDtoSchema },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    path: '/api/v1/promotions/:id/retry',
    operationId: 'retryPromotion',
    summary: 'Promote the same release into the same stage again',
    description:
      'Starts a new promotion (202) of the release of a promotion that failed, rolled back, was rejected or aborted.',
    tag: 'promotions',
    requiredRole: 'deployer',
    params: idParams,
    requestBody: rolloutControlSchema,
    responses: { 202: promotionDtoSchema },
    errors: [403, 404, 409],
  },
]);
