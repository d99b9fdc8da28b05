// The JSON Schema of gantry.yaml, generated from the zod schema that
// validates it, so editors (e.g. the YAML language server, with
// `# yaml-language-server: $schema=…`) complete and check exactly what Gantry
// accepts. packages/gantry/scripts/write-pipeline-schema.ts writes it to
// packages/gantry/schema/gantry.schema.json; a test keeps that file current.
//
// The schema describes the document as written: defaults are shown as
// `default` and are not required.

import { z } from 'zod';
import { PIPELINE_API_VERSION, serviceSpecSchema } from './pipeline-spec.js';

export const PIPELINE_SCHEMA_ID = 'https://gantry.dev/schemas/gantry.v1alpha1.json';

type JsonSchema = Record<string, unknown>;

/**
 * A document of gantry.yaml is one Service or a list of them; the Service
 * schema sits in `$defs` so both forms refer to it.
 */
export function pipelineJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(serviceSpecSchema, {
    target: 'draft-2020-12',
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      // Strict objects refuse unknown keys through a catchall, which zod renders as
      // `additionalProperties: { not: {} }`; `false` says the same and reads better in editors.
      const def = (zodSchema as unknown as { _zod: { def: { type: string; catchall?: unknown } } })._zod.def;
      if (def.type === 'object' && def.catchall !== undefined) jsonSchema.additionalProperties = false;
      // Whole numbers get the safe-integer range as bounds; they say nothing to a person.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  }) as JsonSchema;
  const { $schema, $defs, ...service } = generated;
  return {
    $schema,
    $id: PIPELINE_SCHEMA_ID,
    title: 'gantry.yaml',
    description: `Gantry pipelines as code (${PIPELINE_API_VERSION}): each YAML document is a Service, or a list of Services.`,
    anyOf: [{ $ref: '#/$defs/Service' }, { type: 'array', items: { $ref: '#/$defs/Service' }, minItems: 1 }],
    $defs: {
      ...($defs as JsonSchema | undefined),
      Service: {
        title: 'Service',
        description:
          'A deployable service (one image), owned by a team, and the pipeline of stages its releases go through.',
        ...service,
      },
    },
  };
}
