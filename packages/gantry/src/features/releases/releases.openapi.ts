import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { whyDtoSchema, whyQuerySchema } from '../promotions/promotions.dto.js';
import {
  createReleaseSchema,
  evidenceInputSchema,
  listReleasesQuerySchema,
  releaseDtoSchema,
  releasePageDtoSchema,
  releaseParamsSchema,
} from './releases.dto.js';

/** The routes of ReleasesController, for /api/openapi.json. */
export const releaseOperations = defineOperations([
  {
    method: 'POST',
    path: '/api/v1/releases',
    operationId: 'createRelease',
    summary: 'Register a release (what CI built)',
    description:
      'Immutable: the same service and digest again returns the existing release with 200; a version already used for another digest is refused with 409. Without a version the next CalVer YYYY.MM.N is given. Evidence files are parsed before anything is stored.',
    tag: 'releases',
    requiredRole: 'deployer',
    requestBody: createReleaseSchema,
    responses: { 201: releaseDtoSchema, 200: releaseDtoSchema },
    errors: [404, 409],
  },
  {
    method: 'GET',
    path: '/api/v1/releases',
    operationId: 'listReleases',
    summary: 'List releases with their evidence, newest first',
    tag: 'releases',
    requiredRole: 'viewer',
    query: listReleasesQuerySchema,
    responses: { 200: releasePageDtoSchema },
  },
  {
    method: 'GET',
    path: '/api/v1/releases/:service/:version',
    operationId: 'getRelease',
    summary: 'A release with its evidence',
    tag: 'releases',
    requiredRole: 'viewer',
    params: releaseParamsSchema,
    responses: { 200: releaseDtoSchema },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/releases/:service/:version/evidence',
    operationId: 'attachEvidence',
    summary: 'Attach evidence: JUnit, coverage, Trivy or SARIF, a signature, a migration check',
    tag: 'releases',
    requiredRole: 'deployer',
    params: releaseParamsSchema,
    requestBody: evidenceInputSchema,
    responses: { 200: releaseDtoSchema },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/v1/releases/:service/:version/why',
    operationId: 'explainRelease',
    summary: 'Why a release can or cannot enter a stage: every gate, approval and freeze with its reason',
    tag: 'promotions',
    requiredRole: 'viewer',
    params: releaseParamsSchema,
    query: whyQuerySchema,
    responses: { 200: whyDtoSchema },
    errors: [404],
  },
]);
