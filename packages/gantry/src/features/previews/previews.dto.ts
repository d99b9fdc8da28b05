import { z } from 'zod';
import type { PreviewView } from './previews.service.js';

export const listPreviewsQuerySchema = z
  .object({
    service: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
        'is not a service name (lowercase letters, digits and -)',
      )
      .optional(),
    all: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true')
      .describe('Also list closed previews'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type ListPreviewsQuery = z.infer<typeof listPreviewsQuerySchema>;

export const previewDtoSchema = z.object({
  service: z.string(),
  stage: z.string().describe('pr-<number>'),
  number: z.number().describe('The pull request number'),
  status: z.enum(['active', 'closing', 'closed']),
  url: z.string().nullable().describe('Where the preview answers; null while nothing runs there'),
  title: z.string(),
  author: z.string(),
  pullRequestUrl: z.string(),
  headSha: z.string(),
  headRef: z.string(),
  closeReason: z.string().nullable().describe('merged, closed or expired'),
  lastError: z.string().nullable().describe('Why the last teardown attempt failed'),
  openedAt: z.string(),
  lastActivityAt: z.string(),
  closedAt: z.string().nullable(),
});
export type PreviewDto = z.infer<typeof previewDtoSchema>;

export const previewListDtoSchema = z.object({ items: z.array(previewDtoSchema) });

export function toPreviewDto(preview: PreviewView): PreviewDto {
  return {
    service: preview.service,
    stage: preview.stage,
    number: preview.number,
    status: preview.status,
    url: preview.url,
    title: preview.title,
    author: preview.author,
    pullRequestUrl: preview.pullRequestUrl,
    headSha: preview.headSha,
    headRef: preview.headRef,
    closeReason: preview.closeReason,
    lastError: preview.lastError,
    openedAt: preview.openedAt.toISOString(),
    lastActivityAt: preview.lastActivityAt.toISOString(),
    closedAt: preview.closedAt?.toISOString() ?? null,
  };
}
