// Writes packages/gantry/schema/gantry.schema.json from the zod schema of
// gantry.yaml. Run from the repository root after changing pipeline-spec.ts:
//   node --import tsx packages/gantry/scripts/write-pipeline-schema.ts

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { pipelineJsonSchema } from '../src/features/pipelines/pipeline-json-schema.js';

const target = fileURLToPath(new URL('../schema/gantry.schema.json', import.meta.url));
const options = (await resolveConfig(target)) ?? {};
const text = await format(JSON.stringify(pipelineJsonSchema()), { ...options, parser: 'json' });
await mkdir(dirname(target), { recursive: true });
await writeFile(target, text);
console.log(`wrote ${relative(process.cwd(), target)}`);
