import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { Role } from '../../features/access/access.tables.js';

// The API description, from the same zod schemas that validate requests.
// Each feature declares its operations next to its controller:
//
//   export const deadLetterOperations = defineOperations([
//     {
//       method: 'GET',
//       path: '/api/v1/dead-letters/:id',          // as the controller routes it
//       operationId: 'getDeadLetter',
//       summary: 'Show one dead letter',
//       tag: 'dead-letters',
//       requiredRole: 'viewer',
//       params: z.object({ id: deadLetterIdSchema }),
//       responses: { 200: deadLetterSchema },
//       errors: [404],
//     },
//   ]);
//
// and the application hands them all to OpenApiModule.register(…), which
// serves GET /api/openapi.json. Error responses (application/problem+json),
// the bearer security scheme and the Idempotency-Key parameter of POSTs are
// added here, the same way for every operation. A test fails when a route
// is served without an operation here.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseDescription {
  description: string;
  schema?: z.ZodType;
  /** The body's media type; default application/json. text/event-stream: the schema is one event's data. */
  mediaType?: string;
}

export interface ApiOperation {
  method: HttpMethod;
  /** The route as the controller declares it, with `:name` parameters (`{name}` works too). */
  path: string;
  /** Unique across the API: a client generator's method name. */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The least role the route needs (as its @RequireRole says), or `public` for @Public() routes. */
  requiredRole: Role | 'public';
  /** Path parameters, one property each. */
  params?: z.ZodObject;
  /** Query parameters, one property each. */
  query?: z.ZodObject;
  requestBody?: z.ZodType;
  /** Success responses by status: a schema of the JSON body, or a description (with an optional schema). */
  responses: Record<number, z.ZodType | ResponseDescription>;
  /** Problem responses the operation can give besides those added to every operation (e.g. 404, 409). */
  errors?: number[];
  /** POST only: whether an Idempotency-Key is honoured (default true). */
  idempotencyKey?: boolean;
}

/** Declares a feature's operations; the identity function, for type checking and for reading. */
export function defineOperations<const T extends readonly ApiOperation[]>(operations: T): T {
  return operations;
}

export type JsonSchema = Record<string, unknown>;

export interface OpenApiOperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  'x-gantry-required-role': Role | 'public';
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  security: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperationObject>>;
  components: {
    securitySchemes: Record<string, JsonSchema>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, JsonSchema>;
    parameters: Record<string, JsonSchema>;
    headers: Record<string, JsonSchema>;
  };
}

export interface OpenApiInfo {
  title?: string;
  version: string;
  description?: string;
}

/** `/api/v1/tokens/:id/revoke` → `/api/v1/tokens/{id}/revoke`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][\w]*)/g, '{$1}');
}

/** `/api/v1/tokens/{id}/revoke` → `/api/v1/tokens/:id/revoke`: the form Fastify lists routes in. */
export function routePath(path: string): string {
  return path.replace(/\{([A-Za-z_][\w]*)\}/g, ':$1');
}

const problemSchema = z
  .looseObject({
    type: z.url().meta({ description: 'https://gantry.dev/problems/<code>' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong and what to do about it.' }),
    code: z.string().meta({ description: 'Stable snake_case code.' }),
    requestId: z.string().optional().meta({ description: 'Quote it when asking about a failed request.' }),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Every problem with the input (validation_failed).' }),
    explanations: z
      .array(z.object({ kind: z.string(), name: z.string(), state: z.string(), reason: z.string() }))
      .optional()
      .meta({
        description: 'Why a request was refused, one reason each (e.g. the gates a promotion failed).',
      }),
  })
  .meta({ description: 'RFC 9457 problem details.' });

/** The problem responses every document carries, by status. */
const PROBLEM_RESPONSES: Record<number, { name: string; description: string }> = {
  400: {
    name: 'BadRequest',
    description: 'The request is malformed or invalid; `issues` lists each problem.',
  },
  401: { name: 'Unauthorized', description: 'No API token, or an unknown or revoked one.' },
  403: {
    name: 'Forbidden',
    description: "The token's role or stages do not allow this; the detail says what is needed.",
  },
  404: { name: 'NotFound', description: 'The thing named in the path does not exist.' },
  409: {
    name: 'Conflict',
    description: 'The request conflicts with the current state, or its Idempotency-Key is in use.',
  },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than the limit.' },
  422: {
    name: 'UnprocessableContent',
    description: 'The Idempotency-Key was used before for a different request.',
  },
  500: {
    name: 'InternalError',
    description: 'Unexpected error; the detail names the request id to look for in the log.',
  },
  503: { name: 'Unavailable', description: 'A dependency is unavailable; retry later.' },
};

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** JSON Schema 2020-12 of a zod schema, ready to embed; `$defs` are moved to components.schemas. */
export function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  sharedSchemas: Record<string, JsonSchema>,
): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = converted;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const hoisted = rewriteRefs(definition) as JsonSchema;
    const existing = sharedSchemas[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(hoisted)) {
      throw new Error(`two different schemas are both named ${name} (.meta({ id })); give them distinct ids`);
    }
    sharedSchemas[name] = hoisted;
  }
  return rewriteRefs(rest) as JsonSchema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string') {
      if (item === '#') {
        throw new Error('a schema refers to itself; give the recursive schema an id with .meta({ id })');
      }
      copy[key] = item.replace(/^#\/\$defs\//, '#/components/schemas/');
    } else {
      copy[key] = rewriteRefs(item);
    }
  }
  return copy;
}

function parametersOf(
  schema: z.ZodObject,
  location: 'path' | 'query',
  sharedSchemas: Record<string, JsonSchema>,
): JsonSchema[] {
  const converted = toJsonSchema(schema, 'input', sharedSchemas);
  const properties = (converted.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((converted.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

function responseOf(
  status: number,
  spec: z.ZodType | ResponseDescription,
  sharedSchemas: Record<string, JsonSchema>,
  headers: Record<string, JsonSchema> | undefined,
): JsonSchema {
  const described:
    ResponseDescription | { description: undefined; schema: z.ZodType; mediaType?: undefined } =
    spec instanceof z.ZodType ? { description: undefined, schema: spec } : spec;
  const schemaDescription = described.schema?.description;
  const response: JsonSchema = {
    description: described.description ?? schemaDescription ?? STATUS_CODES[status] ?? `Status ${status}`,
  };
  if (headers) response.headers = headers;
  if (described.schema && status !== 204) {
    response.content = {
      [described.mediaType ?? 'application/json']: {
        schema: toJsonSchema(described.schema, 'output', sharedSchemas),
      },
    };
  }
  return response;
}

function roleText(role: Role | 'public'): string {
  return role === 'public'
    ? 'Needs no API token.'
    : role === 'admin'
      ? 'Needs an API token with role admin.'
      : `Needs an API token with role ${role} or stronger.`;
}

/**
 * Assembles the OpenAPI 3.1 document of `operations`. Throws on a duplicate
 * operationId or method + path, and on a path parameter without a schema.
 */
export function buildOpenApiDocument(
  operations: readonly ApiOperation[],
  info: OpenApiInfo,
): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  const problem = toJsonSchema(problemSchema, 'output', schemas);
  schemas.Problem = problem;
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Gantry API',
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    security: [{ bearerAuth: [] }],
    tags: [],
    paths: {},
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (gty_…), created with `gantry token create`; the first admin token is written to <GANTRY_DATA_DIR>/admin-token on the first start.',
        },
      },
      schemas,
      responses: Object.fromEntries(
        Object.values(PROBLEM_RESPONSES).map(({ name, description }) => [
          name,
          {
            description,
            content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409.',
          schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7E]+$' },
        },
      },
      headers: {
        IdempotentReplayed: {
          description:
            'true when this is the stored answer to an earlier request with the same Idempotency-Key.',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    },
  };

  const operationIds = new Set<string>();
  const tags = new Set<string>();
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    const method = operation.method.toLowerCase();
    if (operationIds.has(operation.operationId)) {
      throw new Error(`operationId ${operation.operationId} is declared twice; operationIds must be unique`);
    }
    operationIds.add(operation.operationId);
    const pathItem = (document.paths[path] ??= {});
    if (pathItem[method]) {
      throw new Error(
        `${operation.method} ${operation.path} is declared twice (${pathItem[method].operationId}, ${operation.operationId})`,
      );
    }
    tags.add(operation.tag);

    const parameters: JsonSchema[] = [];
    if (operation.params) parameters.push(...parametersOf(operation.params, 'path', schemas));
    const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    for (const name of pathNames) {
      if (!parameters.some((parameter) => parameter.name === name)) {
        throw new Error(
          `${operation.operationId}: path parameter ${name} has no schema; describe it in params`,
        );
      }
    }
    if (operation.query) parameters.push(...parametersOf(operation.query, 'query', schemas));
    const idempotent =
      operation.method === 'POST' &&
      operation.idempotencyKey !== false &&
      operation.requiredRole !== 'public';
    if (idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });

    const responses: Record<string, JsonSchema> = {};
    for (const [status, spec] of Object.entries(operation.responses)) {
      const code = Number(status);
      const headers =
        idempotent && code < 300
          ? { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
          : undefined;
      responses[status] = responseOf(code, spec, schemas, headers);
    }
    const errors = new Set(operation.errors ?? []);
    if (parameters.length > 0 || operation.requestBody) errors.add(400);
    if (operation.requestBody) errors.add(413);
    if (operation.requiredRole !== 'public') {
      errors.add(401);
      errors.add(403);
    }
    if (idempotent) {
      errors.add(409);
      errors.add(422);
    }
    errors.add(500);
    for (const status of [...errors].sort((a, b) => a - b)) {
      const known = PROBLEM_RESPONSES[status];
      responses[String(status)] = known
        ? { $ref: `#/components/responses/${known.name}` }
        : {
            description: STATUS_CODES[status] ?? `Status ${status}`,
            content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
          };
    }

    const object: OpenApiOperationObject = {
      operationId: operation.operationId,
      summary: operation.summary,
      description: [operation.description, roleText(operation.requiredRole)].filter(Boolean).join('\n\n'),
      tags: [operation.tag],
      responses,
      'x-gantry-required-role': operation.requiredRole,
    };
    if (operation.requiredRole === 'public') object.security = [];
    if (parameters.length > 0) object.parameters = parameters;
    if (operation.requestBody) {
      object.requestBody = {
        required: !operation.requestBody.safeParse(undefined).success,
        content: { 'application/json': { schema: toJsonSchema(operation.requestBody, 'input', schemas) } },
      };
    }
    pathItem[method] = object;
  }
  document.tags = [...tags].sort().map((name) => ({ name }));
  return document;
}
