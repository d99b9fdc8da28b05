import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildOpenApiDocument,
  defineOperations,
  openApiPath,
  routePath,
  type ApiOperation,
} from './openapi-registry.js';

const widgetSchema = z.object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime() });

const operations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/widgets',
    operationId: 'listWidgets',
    summary: 'List widgets',
    tag: 'widgets',
    requiredRole: 'viewer',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      name: z.string().optional().meta({ description: 'Only this name.' }),
    }),
    responses: { 200: z.object({ items: z.array(widgetSchema) }) },
  },
  {
    method: 'POST',
    path: '/api/v1/widgets/:id/polish',
    operationId: 'polishWidget',
    summary: 'Polish a widget',
    tag: 'widgets',
    requiredRole: 'deployer',
    params: z.object({ id: z.uuid() }),
    requestBody: z.object({ shine: z.number().int() }).strict(),
    responses: { 202: widgetSchema },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/hooks/git',
    operationId: 'gitHook',
    summary: 'Receive a git webhook',
    tag: 'webhooks',
    requiredRole: 'public',
    requestBody: z.looseObject({}),
    responses: { 204: { description: 'Accepted' } },
  },
]);

const document = buildOpenApiDocument(operations, { version: '1.2.3' });

describe('buildOpenApiDocument', () => {
  it('writes an OpenAPI 3.1 document with a bearer scheme and the problem schema', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'Gantry API', version: '1.2.3' });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']) as unknown,
    });
    expect(document.tags).toEqual([{ name: 'webhooks' }, { name: 'widgets' }]);
    expect(JSON.stringify(document)).not.toContain('$schema');
  });

  it('turns :params into {params} and describes them from the zod schema', () => {
    expect(Object.keys(document.paths)).toEqual([
      '/api/v1/widgets',
      '/api/v1/widgets/{id}/polish',
      '/api/v1/hooks/git',
    ]);
    const polish = document.paths['/api/v1/widgets/{id}/polish']!.post!;
    expect(polish.parameters).toContainEqual({
      name: 'id',
      in: 'path',
      required: true,
      schema: expect.objectContaining({ type: 'string', format: 'uuid' }) as unknown,
    });
    expect(polish.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { shine: expect.objectContaining({ type: 'integer' }) as unknown },
            required: ['shine'],
            additionalProperties: false,
          },
        },
      },
    });
  });

  it('marks query parameters with defaults as optional and keeps their descriptions', () => {
    const list = document.paths['/api/v1/widgets']!.get!;
    expect(list.parameters).toEqual([
      expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      expect.objectContaining({ name: 'name', in: 'query', required: false, description: 'Only this name.' }),
    ]);
    expect(list.responses['200']).toMatchObject({
      description: 'OK',
      content: { 'application/json': { schema: { type: 'object' } } },
    });
  });

  it('adds problem+json errors, the required role and Idempotency-Key the same way everywhere', () => {
    const polish = document.paths['/api/v1/widgets/{id}/polish']!.post!;
    expect(Object.keys(polish.responses)).toEqual([
      '202',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '422',
      '500',
    ]);
    expect(polish.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(polish.responses['202']!.headers).toEqual({
      'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' },
    });
    expect(polish.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(polish['x-gantry-required-role']).toBe('deployer');
    expect(polish.description).toContain('role deployer or stronger');
    expect(polish.security).toBeUndefined();
    expect(document.components.responses.NotFound).toEqual({
      description: expect.any(String) as unknown,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });

    const hook = document.paths['/api/v1/hooks/git']!.post!;
    expect(hook.security).toEqual([]);
    expect(Object.keys(hook.responses)).toEqual(['204', '400', '413', '500']);
    expect(hook.responses['204']).toEqual({ description: 'Accepted' });
    expect(hook.parameters).toBeUndefined();
  });

  it('moves schemas with an id to components and points at them', () => {
    const team = z.object({ name: z.string() }).meta({ id: 'Team' });
    const doc = buildOpenApiDocument(
      [
        {
          method: 'GET',
          path: '/api/v1/teams',
          operationId: 'listTeams',
          summary: 'Teams',
          tag: 'teams',
          requiredRole: 'viewer',
          responses: { 200: z.object({ items: z.array(team) }) },
        },
      ],
      { version: '0' },
    );
    expect(doc.components.schemas.Team).toMatchObject({ type: 'object' });
    expect(JSON.stringify(doc.paths)).toContain('"$ref":"#/components/schemas/Team"');
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('refuses duplicate operationIds and routes, and path parameters without a schema', () => {
    const [first] = operations;
    const twice: ApiOperation[] = [first, { ...first, path: '/api/v1/other' }];
    expect(() => buildOpenApiDocument(twice, { version: '0' })).toThrow(
      /operationId listWidgets is declared twice/,
    );
    const sameRoute: ApiOperation[] = [first, { ...first, operationId: 'listWidgetsAgain' }];
    expect(() => buildOpenApiDocument(sameRoute, { version: '0' })).toThrow(
      /GET \/api\/v1\/widgets is declared twice/,
    );
    const undescribed: ApiOperation[] = [{ ...first, path: '/api/v1/widgets/:id' }];
    expect(() => buildOpenApiDocument(undescribed, { version: '0' })).toThrow(
      /path parameter id has no schema/,
    );
  });

  it('converts between route and OpenAPI paths', () => {
    expect(openApiPath('/api/v1/tokens/:id/revoke')).toBe('/api/v1/tokens/{id}/revoke');
    expect(routePath('/api/v1/tokens/{id}/revoke')).toBe('/api/v1/tokens/:id/revoke');
    expect(openApiPath('/api/v1/widgets')).toBe('/api/v1/widgets');
  });
});
