// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource, OPERATION_ROLES_FILE, operationRolesSource } from './api-types.js';

describe('the dashboard API types', () => {
  // openapi-typescript takes a few seconds on a busy machine.
  it('are committed as generated from packages/gantry/schema/openapi.json', { timeout: 60_000 }, async () => {
    const stale = 'is stale: run npm run schema:api';
    expect(await readFile(API_TYPES_FILE, 'utf8'), `src/api/schema.gen.ts ${stale}`).toBe(
      await apiTypesSource(),
    );
    expect(await readFile(OPERATION_ROLES_FILE, 'utf8'), `src/api/operation-roles.gen.ts ${stale}`).toBe(
      await operationRolesSource(),
    );
  });
});
