import { z } from 'zod';
import { ROLES } from './actor.js';
import type { ApiToken } from './tokens.repository.js';

// The token API's shapes. The secret appears in exactly one of them
// (createdTokenSchema, the answer to a create); the hash in none.

export const roleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });

export const tokenNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
  error:
    'a token name is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit (e.g. ci, alice@example.com)',
});

export const stageNameSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: 'a stage name is lowercase letters, digits and dashes (e.g. develop, prod, pr-123)',
});

export const createTokenBodySchema = z
  .object({
    name: tokenNameSchema,
    role: roleSchema,
    stages: z
      .array(stageNameSchema)
      .min(1, { error: 'stages, when given, lists at least one stage; leave it out to allow every stage' })
      .max(100)
      .refine((stages) => new Set(stages).size === stages.length, { error: 'stages lists a stage twice' })
      .nullable()
      .optional()
      .meta({ description: 'The stages the token may act on; absent or null: every stage.' }),
  })
  .strict();
export type CreateTokenBody = z.output<typeof createTokenBodySchema>;

export const revokeTokenBodySchema = z.object({ reason: z.string().max(1000).optional() }).strict();

export const tokenRefParamsSchema = z.object({
  id: z.string().min(1).max(200).meta({ description: 'The token id, or its name.' }),
});

export const tokenDtoSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: roleSchema,
  stages: z.array(z.string()).nullable(),
  prefix: z
    .string()
    .meta({ description: 'The first characters of the token after gty_, to tell tokens apart.' }),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable().meta({ description: 'Updated at most once a minute.' }),
  revokedAt: z.iso.datetime().nullable(),
});
export type TokenDto = z.output<typeof tokenDtoSchema>;

export const tokenListSchema = z.object({ items: z.array(tokenDtoSchema) });
export type TokenListDto = z.output<typeof tokenListSchema>;

export const createdTokenSchema = z.object({
  token: tokenDtoSchema,
  secret: z.string().meta({ description: 'The API token itself. Shown only in this answer: store it now.' }),
});
export type CreatedTokenDto = z.output<typeof createdTokenSchema>;

export function toTokenDto(row: ApiToken): TokenDto {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    stages: row.stages ?? null,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export const sessionDtoSchema = z.object({
  name: z.string().describe("The token's name"),
  role: z.enum(ROLES),
  stages: z.array(z.string()).nullable().describe('The stages the token may act on; null means every stage'),
});
export type SessionDto = z.infer<typeof sessionDtoSchema>;
