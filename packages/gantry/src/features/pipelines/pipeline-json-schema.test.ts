import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PIPELINE_SCHEMA_ID, pipelineJsonSchema } from './pipeline-json-schema.js';
import { checkServiceSpec } from './pipeline-spec.js';

const SCHEMA_FILE = new URL('../../../schema/gantry.schema.json', import.meta.url);
const EXAMPLE = readFileSync(new URL('./testdata/checkout.gantry.yaml', import.meta.url), 'utf8');

type Schema = Record<string, unknown>;

// The keywords the generated schema uses; validate() below implements exactly
// these, so a new keyword fails the test instead of being silently ignored.
const ANNOTATIONS = ['$schema', '$id', '$defs', 'title', 'description', 'default'];
const ASSERTIONS = [
  '$ref',
  'type',
  'const',
  'enum',
  'pattern',
  'minLength',
  'minimum',
  'maximum',
  'minItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
];

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A small JSON Schema (2020-12) validator for the keywords above; returns the paths that fail. */
function validate(root: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (why: string): void => void errors.push(`${path}: ${why}`);
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.includes(keyword) && !ASSERTIONS.includes(keyword))
      fail(`unsupported keyword ${keyword}`);
  }
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/$defs/', '');
    errors.push(...validate(root, (root.$defs as Record<string, Schema>)[name]!, value, path));
  }
  const type = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = [schema.type].flat() as string[];
    if (!allowed.includes(type) && !(type === 'integer' && allowed.includes('number')))
      fail(`not ${allowed.join('|')}`);
  }
  if ('const' in schema && value !== schema.const) fail(`not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail('not in enum');
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) fail('pattern');
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('minLength');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('maximum');
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('minItems');
    if (schema.items)
      value.forEach((item, i) =>
        errors.push(...validate(root, schema.items as Schema, item, `${path}[${i}]`)),
      );
  }
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) fail(`missing ${key}`);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) fail('minProperties');
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) fail('maxProperties');
    for (const key of keys) {
      if (schema.propertyNames)
        errors.push(...validate(root, schema.propertyNames as Schema, key, `${path}.${key}(name)`));
      if (properties[key]) errors.push(...validate(root, properties[key], object[key], `${path}.${key}`));
      else if (schema.additionalProperties === false) fail(`unknown key ${key}`);
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(root, schema.additionalProperties as Schema, object[key], `${path}.${key}`));
      }
    }
  }
  const passing = (options: unknown): number =>
    (options as Schema[]).filter((option) => validate(root, option, value, path).length === 0).length;
  if (schema.anyOf && passing(schema.anyOf) === 0) fail('matches no anyOf');
  if (schema.oneOf && passing(schema.oneOf) !== 1) fail('does not match exactly one oneOf');
  return errors;
}

describe('gantry.yaml JSON Schema', () => {
  const schema = pipelineJsonSchema();

  it('is committed as generated', () => {
    const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(
      committed,
      'packages/gantry/schema/gantry.schema.json is stale: run node --import tsx packages/gantry/scripts/write-pipeline-schema.ts',
    ).toEqual(schema);
  });

  it('identifies itself and explains the main fields', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(PIPELINE_SCHEMA_ID);
    expect(schema.title).toBe('gantry.yaml');
    const service = (schema.$defs as Record<string, Schema>).Service!;
    const spec = (service.properties as Record<string, Schema>).spec!;
    const stages = (spec.properties as Record<string, Schema>).stages!;
    const stage = stages.items as Schema;
    const stageFields = stage.properties as Record<string, Schema>;
    expect(service.description).toBeTruthy();
    expect(stages.description).toBeTruthy();
    for (const field of [
      'name',
      'requires',
      'promotion',
      'approvals',
      'gates',
      'freeze',
      'strategy',
      'target',
    ]) {
      expect(stageFields[field]?.description, `stages[].${field} has a description`).toBeTruthy();
    }
    expect(stage.additionalProperties).toBe(false);
    expect(stage.required).toEqual(['name', 'target']);
    expect(stageFields.promotion).toMatchObject({ enum: ['auto', 'manual'], default: 'manual' });
  });

  it('accepts the documented example, as the zod schema does', () => {
    for (const document of [parseYaml(EXAMPLE) as unknown, [parseYaml(EXAMPLE)]]) {
      expect(validate(schema, schema, document)).toEqual([]);
    }
    expect(checkServiceSpec(parseYaml(EXAMPLE)).success).toBe(true);
  });

  it('refuses what the zod schema refuses in the structure', () => {
    const example = parseYaml(EXAMPLE) as { spec: { stages: Record<string, unknown>[] } };
    const mutate = (change: (stage: Record<string, unknown>) => void): unknown => {
      const copy = structuredClone(example);
      change(copy.spec.stages[0]!);
      return copy;
    };
    const refused = [
      mutate((stage) => (stage.promtion = 'auto')),
      mutate((stage) => (stage.promotion = 'automatic')),
      mutate((stage) => delete stage.target),
      mutate((stage) => (stage.strategy = { type: 'canary', steps: [{ setWeight: 20, pause: {} }] })),
      mutate((stage) => (stage.freeze = [{ cron: '0 16 * * FRI', duration: '64 hours' }])),
      mutate((stage) => (stage.target = { type: 'local', command: './run', env: { 'BAD-NAME': 'x' } })),
    ];
    for (const document of refused) {
      expect(validate(schema, schema, document), JSON.stringify(document)).not.toEqual([]);
      expect(checkServiceSpec(document).success).toBe(false);
    }
  });
});
