import { z } from 'zod';
import type { ReleaseChanges } from './release-changes.js';

export const releaseChangesDtoSchema = z.object({
  service: z.string(),
  version: z.string(),
  commit: z.string(),
  historyKnown: z
    .boolean()
    .describe(
      "false: the commits since the previous production release are not all recorded, so the changes are the release's own commit alone",
    ),
  reason: z.string().describe('Why the history is known or not'),
  previous: z
    .object({ version: z.string(), commit: z.string() })
    .nullable()
    .describe('The production release the changes are counted from'),
  commits: z
    .array(
      z.object({
        sha: z.string(),
        committedAt: z.string().nullable(),
        authorName: z.string().nullable(),
        authorEmail: z.string().nullable(),
        title: z.string().nullable(),
      }),
    )
    .describe('Newest first'),
});

export type ReleaseChangesDto = z.infer<typeof releaseChangesDtoSchema>;

export function toReleaseChangesDto(changes: ReleaseChanges): ReleaseChangesDto {
  return {
    ...changes,
    commits: changes.commits.map((commit) => ({
      ...commit,
      committedAt: commit.committedAt?.toISOString() ?? null,
    })),
  };
}
