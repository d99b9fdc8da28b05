import { readFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

export const OPENAPI_FILE = new URL('../../gantry/schema/openapi.json', import.meta.url);
export const API_TYPES_FILE = new URL('../src/api/schema.gen.ts', import.meta.url);
export const OPERATION_ROLES_FILE = new URL('../src/api/operation-roles.gen.ts', import.meta.url);

const HEADER = `// Generated from packages/gantry/schema/openapi.json by npm run schema:api. Do not edit.\n\n`;

interface Document {
  paths: Record<string, Record<string, { operationId?: string; 'x-gantry-required-role'?: string }>>;
}

async function openApiDocument(): Promise<Document> {
  return JSON.parse(await readFile(OPENAPI_FILE, 'utf8')) as Document;
}

async function formatted(source: string, file: URL): Promise<string> {
  const options = (await resolveConfig(file)) ?? {};
  return format(source, { ...options, parser: 'typescript' });
}

/** The text schema.gen.ts should hold for the committed OpenAPI document. */
export async function apiTypesSource(): Promise<string> {
  return formatted(
    HEADER +
      astToString(
        await openapiTS((await openApiDocument()) as unknown as Parameters<typeof openapiTS>[0], {
          exportType: true,
        }),
      ),
    API_TYPES_FILE,
  );
}

/**
 * The text operation-roles.gen.ts should hold: the least role of each
 * operation (x-gantry-required-role), so the dashboard offers an action only
 * to a token the API would let take it.
 */
export async function operationRolesSource(): Promise<string> {
  const document = await openApiDocument();
  const roles: Record<string, string> = {};
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      if (operation.operationId && operation['x-gantry-required-role']) {
        roles[operation.operationId] = operation['x-gantry-required-role'];
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(roles).sort(([a], [b]) => a.localeCompare(b)));
  return formatted(
    `${HEADER}/** The least role each API operation needs ('public' needs no token). */\nexport const OPERATION_ROLES = ${JSON.stringify(sorted)} as const;\n\nexport type OperationId = keyof typeof OPERATION_ROLES;\n`,
    OPERATION_ROLES_FILE,
  );
}
