import { z } from 'zod';

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'is not a service or stage name (lowercase letters, digits and -)',
  );

export const logsParamsSchema = z.object({ service: name, stage: name });
export type LogsParams = z.infer<typeof logsParamsSchema>;

export const logsQuerySchema = z
  .object({
    version: z.string().min(1).max(64).optional(),
    replica: z.coerce.number().int().min(0).optional(),
    lines: z.coerce.number().int().min(1).max(10_000).default(100),
    follow: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  })
  .strict();
export type LogsQuery = z.infer<typeof logsQuerySchema>;

export const logsDtoSchema = z.object({
  service: z.string(),
  stage: z.string(),
  version: z.string(),
  replicas: z.array(z.object({ replica: z.number(), lines: z.array(z.string()) })),
});
export type LogsDto = z.infer<typeof logsDtoSchema>;
