// Writes src/api/schema.gen.ts, the TypeScript types of Gantry's HTTP API,
// and src/api/operation-roles.gen.ts, the role each operation needs,
// from packages/gantry/schema/openapi.json. Run from the repository root
// after changing an operation (it writes the document first):
//   npm run schema:api

import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_TYPES_FILE, apiTypesSource, OPERATION_ROLES_FILE, operationRolesSource } from './api-types.js';

for (const [file, source] of [
  [API_TYPES_FILE, apiTypesSource],
  [OPERATION_ROLES_FILE, operationRolesSource],
] as const) {
  const target = fileURLToPath(file);
  await writeFile(target, await source());
  console.log(`wrote ${relative(process.cwd(), target)}`);
}
