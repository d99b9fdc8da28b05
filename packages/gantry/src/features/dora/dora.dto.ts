import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';
import type { DoraReport } from './dora.service.js';

// GET /api/v1/dora: the query (the same filters as `gantry dora`) and the answer.

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'is not a name (lowercase letters, digits and -)');

/** `30d`, `12w`, `90d`, `36h`: a window length in milliseconds. */
export function parseWindow(text: string): number {
  const weeks = /^(\d+)w$/.exec(text.trim());
  if (weeks) return Number(weeks[1]) * 7 * 86_400_000;
  const ms = parseDuration(text);
  if (/^\d+$/.test(text.trim())) throw new Error('needs a unit: write e.g. 30d, 12w or 36h');
  return ms;
}

export const doraQuerySchema = z
  .object({
    service: name.optional().describe('Only this service'),
    team: name.optional().describe("Only the services of this team (the services' spec.team)"),
    window: z
      .string()
      .default('30d')
      .transform((text, ctx) => {
        try {
          return parseWindow(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      })
      .describe('Length of the window that ends at `until`: e.g. 30d (default), 12w, 90d; at most 730d'),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('End of the window (exclusive), ISO 8601; default now'),
  })
  .strict();

export type DoraQueryInput = z.output<typeof doraQuerySchema>;

const band = z.enum(['elite', 'high', 'medium', 'low']).nullable();
const seconds = z.number().nullable();

export const doraWeekDtoSchema = z.object({
  week: z.string().describe('Monday of the ISO week (UTC), YYYY-MM-DD'),
  deployments: z.number().int().describe('Successful production deployments finished that week'),
  leadTimeCommits: z.number().int(),
  leadTimeMedianSeconds: seconds,
  finishedDeployments: z.number().int(),
  failedDeployments: z.number().int(),
  changeFailureRate: z.number().nullable(),
  recoveryMedianSeconds: seconds,
});

export const doraDtoSchema = z.object({
  scope: z.object({ service: z.string().nullable(), team: z.string().nullable() }),
  window: z.object({
    start: z.string(),
    end: z.string(),
    days: z.number().int().describe('UTC days the window touches'),
    weeks: z.number().int().describe('ISO weeks the window touches'),
  }),
  bandsSource: z.string().describe('Where the performance bands come from'),
  deploymentFrequency: z.object({
    deployments: z.number().int(),
    perDay: z.number(),
    daysWithDeployment: z.number().int(),
    daysShare: z.number(),
    weeksWithDeployment: z.number().int(),
    weeksShare: z.number(),
    band,
  }),
  leadTime: z.object({
    commits: z.number().int(),
    medianSeconds: seconds,
    p90Seconds: seconds,
    band,
  }),
  changeFailureRate: z.object({
    deployments: z.number().int(),
    failed: z.number().int(),
    rate: z.number().nullable(),
    band,
  }),
  recoveryTime: z.object({
    failed: z.number().int(),
    recovered: z.number().int(),
    unrecovered: z.number().int(),
    medianSeconds: seconds,
    band,
  }),
  weekly: z.array(doraWeekDtoSchema),
});

export type DoraDto = z.infer<typeof doraDtoSchema>;

export function toDoraDto(report: DoraReport): DoraDto {
  return {
    ...report,
    window: {
      ...report.window,
      start: report.window.start.toISOString(),
      end: report.window.end.toISOString(),
    },
  };
}
