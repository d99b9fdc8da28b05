// Writes packages/gantry/schema/openapi.json, the HTTP API's OpenAPI document
// as GET /api/openapi.json serves it. The dashboard's API types are generated
// from this file. Run from the repository root after changing an operation:
//   npm run schema:api

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../src/app/api-operations.js';

const target = fileURLToPath(new URL('../schema/openapi.json', import.meta.url));
const options = (await resolveConfig(target)) ?? {};
const text = await format(JSON.stringify(openApiDocument()), { ...options, parser: 'json' });
await mkdir(dirname(target), { recursive: true });
await writeFile(target, text);
console.log(`wrote ${relative(process.cwd(), target)}`);
