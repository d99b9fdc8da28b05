import { pointInTime } from '../../shared/point-in-time.js';
import { z } from 'zod';
import { rolloutDtoSchema, toRolloutDto } from '../rollouts/rollouts.dto.js';
import type { RolloutDetail } from '../rollouts/rollouts.repository.js';
import { PROMOTION_PHASES, type PromotionPhase } from './promotion-state-machine.js';
import type { PromotionDecision, Promotion, PromotionTransition } from './promotions.repository.js';
import type { ServiceStatus, WhyReport } from './promotions.service.js';

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'is not a service or stage name (lowercase letters, digits and -)',
  );

export const requestPromotionSchema = z
  .object({
    service: name,
    version: z.string().min(1).max(64),
    stage: name,
    reason: z.string().max(2000).optional(),
    override: z
      .boolean()
      .optional()
      .describe('Go through an active freeze window (approver tokens; needs a reason)'),
  })
  .strict();
export type RequestPromotionBody = z.infer<typeof requestPromotionSchema>;

export const rollbackSchema = z
  .object({
    service: name,
    stage: name,
    version: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Omit for the release that ran there before the current one'),
    reason: z.string().max(2000).optional(),
  })
  .strict();
export type RollbackBody = z.infer<typeof rollbackSchema>;

export const approveSchema = z.object({ comment: z.string().max(2000).optional() }).strict();
export const rejectSchema = z.object({ reason: z.string().min(1, 'say why').max(2000) }).strict();
export const abortSchema = z.object({ reason: z.string().max(2000).optional() }).strict();

export const promotionIdSchema = z.uuid({
  error: 'a promotion id is a UUID, as gantry promotion list shows',
});

const booleanFlag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const listPromotionsQuerySchema = z.object({
  service: name.optional(),
  team: name.optional().meta({ description: "Only the promotions of this team's services." }),
  stage: name.optional(),
  phase: z
    .string()
    .max(200)
    .transform((text, context) => {
      const phases = text.split(',').map((item) => item.trim());
      const unknown = phases.filter((item) => !(PROMOTION_PHASES as readonly string[]).includes(item));
      if (unknown.length > 0) {
        context.addIssue({
          code: 'custom',
          message: `has no phase ${unknown.join(', ')}; phases are ${PROMOTION_PHASES.join(', ')}`,
        });
        return z.NEVER;
      }
      return phases as PromotionPhase[];
    })
    .optional()
    .meta({ description: 'A phase, or several separated by commas (Failed,RolledBack).' }),
  production: booleanFlag
    .optional()
    .meta({ description: 'true: only promotions into production stages; false: only the others.' }),
  deployment: booleanFlag.optional().meta({
    description:
      'true: only production deployments as DORA counts them (into a production stage, applied, not a rollback).',
  }),
  finishedSince: pointInTime
    .optional()
    .meta({ description: 'Finished at or after this time (ISO 8601 or 7d).' }),
  finishedUntil: pointInTime.optional().meta({ description: 'Finished before this time (ISO 8601 or 7d).' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListPromotionsQuery = z.infer<typeof listPromotionsQuerySchema>;

export const whyQuerySchema = z.object({ stage: name });
export const statusQuerySchema = z.object({ service: name.optional() });

const transitionDto = z.object({
  from: z.string().nullable(),
  to: z.string(),
  actor: z.string(),
  reason: z.string(),
  at: z.string(),
});
const decisionDto = z.object({
  actor: z.string(),
  decision: z.enum(['approved', 'rejected']),
  comment: z.string().nullable(),
  at: z.string(),
});

export const promotionDtoSchema = z.object({
  id: z.string(),
  service: z.string(),
  stage: z.string(),
  version: z.string(),
  releaseId: z.string(),
  phase: z.enum(PROMOTION_PHASES),
  trigger: z.enum(['manual', 'auto', 'rollback']),
  requestedBy: z.string(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  appliedRevision: z.string().nullable(),
  pipelineRevision: z.number(),
  freezeOverride: z.object({ actor: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  transitions: z.array(transitionDto).optional(),
  decisions: z.array(decisionDto).optional(),
  /** Promotions into local stages: the rollout's steps, weight and every analysis measurement. */
  rollout: rolloutDtoSchema.optional(),
});
export type PromotionDto = z.infer<typeof promotionDtoSchema>;

export const promotionPageDtoSchema = z.object({
  items: z.array(promotionDtoSchema),
  nextCursor: z.string().optional(),
});
export type PromotionPageDto = z.infer<typeof promotionPageDtoSchema>;

export const gateCheckDtoSchema = z.object({
  kind: z.enum(['gate', 'approval', 'freeze']),
  name: z.string(),
  state: z.enum(['passed', 'pending', 'blocked']),
  reason: z.string(),
  stage: z.string().optional(),
});

export const whyDtoSchema = z.object({
  service: z.string(),
  version: z.string(),
  stage: z.string(),
  promotionId: z.string().nullable(),
  phase: z.string().nullable(),
  verdict: z.enum(['pass', 'pending', 'blocked']),
  items: z.array(gateCheckDtoSchema),
  autoHold: z.object({ version: z.string(), actor: z.string(), at: z.string() }).nullable(),
});
export type WhyDto = z.infer<typeof whyDtoSchema>;

export const statusDtoSchema = z.object({
  items: z.array(
    z.object({
      service: z.string(),
      team: z.string(),
      stages: z.array(
        z.object({
          stage: z.string(),
          currentVersion: z.string().nullable(),
          since: z.string().nullable(),
          activePromotion: z
            .object({
              id: z.string(),
              version: z.string(),
              phase: z.string(),
              message: z.string().nullable(),
            })
            .nullable(),
          autoHold: z.object({ version: z.string(), actor: z.string(), at: z.string() }).nullable(),
          freeze: z
            .object({ reason: z.string().nullable(), since: z.string(), until: z.string() })
            .nullable()
            .describe('The freeze window holding the stage now'),
        }),
      ),
    }),
  ),
});
export type StatusDto = z.infer<typeof statusDtoSchema>;

export function toPromotionDto(
  promotion: Promotion,
  detail?: {
    transitions: readonly PromotionTransition[];
    decisions: readonly PromotionDecision[];
    rollout?: RolloutDetail;
  },
): PromotionDto {
  return {
    id: promotion.id,
    service: promotion.service,
    stage: promotion.stage,
    version: promotion.releaseVersion,
    releaseId: promotion.releaseId,
    phase: promotion.phase as PromotionDto['phase'],
    trigger: promotion.trigger,
    requestedBy: promotion.requestedBy,
    reason: promotion.reason,
    message: promotion.message,
    appliedRevision: promotion.appliedRevision,
    pipelineRevision: promotion.pipelineRevision,
    freezeOverride: promotion.freezeOverride ?? null,
    createdAt: promotion.createdAt.toISOString(),
    updatedAt: promotion.updatedAt.toISOString(),
    finishedAt: promotion.finishedAt?.toISOString() ?? null,
    ...(detail
      ? {
          transitions: detail.transitions.map((row) => ({
            from: row.fromPhase,
            to: row.toPhase,
            actor: row.actor,
            reason: row.reason,
            at: row.at.toISOString(),
          })),
          decisions: detail.decisions.map((row) => ({
            actor: row.actor,
            decision: row.decision,
            comment: row.comment,
            at: row.at.toISOString(),
          })),
          ...(detail.rollout ? { rollout: toRolloutDto(detail.rollout) } : {}),
        }
      : {}),
  };
}

export function toWhyDto(report: WhyReport): WhyDto {
  return {
    service: report.service,
    version: report.version,
    stage: report.stage,
    promotionId: report.promotionId,
    phase: report.phase,
    verdict: report.report.verdict,
    items: report.report.items,
    autoHold: report.autoHold,
  };
}

export function toStatusDto(items: readonly ServiceStatus[]): StatusDto {
  return { items: items.map((item) => ({ ...item, stages: item.stages.map((cell) => ({ ...cell })) })) };
}
