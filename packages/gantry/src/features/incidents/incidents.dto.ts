import { pointInTime } from '../../shared/point-in-time.js';
import { z } from 'zod';
import type { Incident } from './incidents.repository.js';

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'is not a service or stage name (lowercase letters, digits and -)',
  );

export const incidentIdSchema = z.uuid({
  error: 'an incident id is a UUID, as gantry incident list shows',
});

export const openIncidentSchema = z
  .object({
    title: z.string().trim().min(1, 'say what is wrong').max(500),
    service: name.optional(),
    stage: name.optional().describe('Omit for a service-level incident'),
    severity: z.string().trim().min(1).max(50).optional(),
    url: z.url({ error: 'is not a URL' }).max(2000).optional(),
    promotion: z
      .uuid({ error: 'a promotion id is a UUID, as gantry promotion list shows' })
      .optional()
      .describe('The promotion that caused it; default: the latest promotion into the stage'),
  })
  .strict()
  .refine((body) => !body.stage || body.service, {
    message: 'a stage needs its service: give service too',
    path: ['service'],
  });
export type OpenIncidentBody = z.infer<typeof openIncidentSchema>;

export const resolveIncidentSchema = z.object({ reason: z.string().max(2000).optional() }).strict();

export const linkIncidentSchema = z
  .object({
    promotion: z.uuid({ error: 'a promotion id is a UUID, as gantry promotion list shows' }),
    reason: z.string().trim().min(1, 'say why this promotion caused it').max(2000),
  })
  .strict();
export type LinkIncidentBody = z.infer<typeof linkIncidentSchema>;

export const listIncidentsQuerySchema = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  service: name.optional(),
  stage: name.optional(),
  openedSince: pointInTime.optional().meta({ description: 'Opened at or after this time (ISO 8601 or 7d).' }),
  openedUntil: pointInTime.optional().meta({ description: 'Opened before this time (ISO 8601 or 7d).' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListIncidentsQuery = z.infer<typeof listIncidentsQuerySchema>;

export const incidentDtoSchema = z.object({
  id: z.string(),
  source: z.string(),
  fingerprint: z.string(),
  title: z.string(),
  service: z.string().nullable(),
  stage: z.string().nullable(),
  status: z.enum(['open', 'resolved']),
  severity: z.string().nullable(),
  url: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  promotionId: z.string().nullable(),
  openedBy: z.string(),
  openedAt: z.string(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** What Gantry did about the linked promotion (stages with rollbackOnIncident). */
  rollback: z
    .object({
      action: z.enum(['withdrawn', 'promoted', 'pending', 'skipped']),
      promotionId: z.string().nullable(),
      reason: z.string(),
      at: z.string(),
    })
    .nullable(),
});
export type IncidentDto = z.infer<typeof incidentDtoSchema>;

export const incidentPageDtoSchema = z.object({
  items: z.array(incidentDtoSchema),
  nextCursor: z.string().optional(),
});
export type IncidentPageDto = z.infer<typeof incidentPageDtoSchema>;

export function toIncidentDto(incident: Incident): IncidentDto {
  return {
    id: incident.id,
    source: incident.source,
    fingerprint: incident.fingerprint,
    title: incident.title,
    service: incident.service,
    stage: incident.stage,
    status: incident.status,
    severity: incident.severity,
    url: incident.url,
    labels: incident.labels,
    promotionId: incident.promotionId,
    openedBy: incident.openedBy,
    openedAt: incident.openedAt.toISOString(),
    resolvedBy: incident.resolvedBy,
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    rollback: incident.rollback ?? null,
  };
}
