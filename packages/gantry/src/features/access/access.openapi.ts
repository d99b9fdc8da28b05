import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { auditPageSchema, listAuditQuerySchema } from './audit.dto.js';
import {
  createdTokenSchema,
  createTokenBodySchema,
  revokeTokenBodySchema,
  sessionDtoSchema,
  tokenDtoSchema,
  tokenListSchema,
  tokenRefParamsSchema,
} from './tokens.dto.js';

/** The routes of TokensController and AuditController, for /api/openapi.json. */
export const accessOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/session',
    operationId: 'getSession',
    summary: "The calling token's name, role and stages",
    description: 'A sign-in check: 200 with the role when the token is valid, 401 when it is not.',
    tag: 'tokens',
    requiredRole: 'viewer',
    responses: { 200: sessionDtoSchema },
  },
  {
    method: 'POST',
    path: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create an API token',
    description:
      'The answer holds the token itself, which Gantry does not keep (only its SHA-256): store it now. Names are unique, revoked tokens included. Idempotency-Key is ignored here, as the answer cannot be stored.',
    tag: 'tokens',
    requiredRole: 'admin',
    requestBody: createTokenBodySchema,
    responses: { 201: createdTokenSchema },
    errors: [409],
    idempotencyKey: false,
  },
  {
    method: 'GET',
    path: '/api/v1/tokens',
    operationId: 'listTokens',
    summary: 'List API tokens, revoked ones included (never their secrets)',
    tag: 'tokens',
    requiredRole: 'admin',
    responses: { 200: tokenListSchema },
  },
  {
    method: 'POST',
    path: '/api/v1/tokens/:id/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke an API token by id or name',
    description:
      'Takes effect on the next request. Revoking a revoked token changes nothing; the last active admin token cannot be revoked (409).',
    tag: 'tokens',
    requiredRole: 'admin',
    params: tokenRefParamsSchema,
    requestBody: revokeTokenBodySchema.optional(),
    responses: { 200: tokenDtoSchema },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    operationId: 'listAuditEntries',
    summary: 'Read the audit log, newest first',
    description:
      'Who did what to what, and why. Page with limit and the nextCursor of the previous page. Needs the approver role: the log shows every stage.',
    tag: 'audit',
    requiredRole: 'approver',
    query: listAuditQuerySchema,
    responses: { 200: auditPageSchema },
  },
]);
