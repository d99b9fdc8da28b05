import { z } from 'zod';

export const applyPipelinesSchema = z
  .object({
    fileName: z.string().min(1).max(255).default('gantry.yaml').describe('Named in error messages'),
    content: z.string().min(1, 'is empty').describe('The gantry.yaml text'),
  })
  .strict();
export type ApplyPipelinesBody = z.infer<typeof applyPipelinesSchema>;

export const applyPipelinesQuerySchema = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('Validate only; store nothing'),
});

export const appliedServicesDtoSchema = z.object({
  dryRun: z.boolean(),
  items: z.array(
    z.object({
      service: z.string(),
      revision: z.number().nullable(),
      outcome: z.enum(['created', 'updated', 'unchanged', 'valid']),
    }),
  ),
});
export type AppliedServicesDto = z.infer<typeof appliedServicesDtoSchema>;

export const serviceDtoSchema = z.object({
  name: z.string(),
  team: z.string(),
  image: z.string(),
  sourceRepo: z.string().nullable(),
  revision: z.number(),
  updatedAt: z.string(),
});
export const serviceListDtoSchema = z.object({ items: z.array(serviceDtoSchema) });
export type ServiceListDto = z.infer<typeof serviceListDtoSchema>;
