import { z } from 'zod';
import type { EvidenceRow, Release } from './releases.repository.js';
import type { ReleaseWithEvidence } from './releases.service.js';

// The release API's shapes: validated on the way in, typed on the way out
// (the CLI and the dashboard read them), and described in the OpenAPI document.

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'is not a service name (lowercase letters, digits and -)');

export const evidenceFileSchema = z
  .object({
    fileName: z.string().min(1).max(255).describe('The file name, quoted back in gate explanations'),
    content: z.string().min(1, 'is empty').describe('The file as CI wrote it (XML or JSON text)'),
  })
  .strict();

export const evidenceInputSchema = z
  .object({
    junit: evidenceFileSchema.optional().describe('JUnit XML test report'),
    coverage: evidenceFileSchema.optional().describe('Istanbul coverage-summary.json or Cobertura XML'),
    trivy: evidenceFileSchema.optional().describe('Trivy JSON report'),
    sarif: evidenceFileSchema.optional().describe('SARIF 2.1.0 scan results'),
    signature: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Base64 signature over the digest string, as cosign sign-blob writes it'),
    migrationCheck: z.enum(['passed', 'failed']).optional(),
  })
  .strict();

export const createReleaseSchema = z
  .object({
    service: name,
    image: z.string().min(1).max(512).describe('Image repository, e.g. ghcr.io/acme/checkout'),
    digest: z.string().describe('sha256: followed by 64 hex characters'),
    commit: z.string().regex(/^[0-9a-f]{7,64}$/i, 'is not a commit sha (7–64 hex characters)'),
    commitTime: z.iso.datetime({ offset: true }).optional(),
    version: z.string().min(1).max(64).optional().describe('Omit to get the next CalVer YYYY.MM.N'),
    evidence: evidenceInputSchema.optional(),
  })
  .strict();
export type CreateReleaseBody = z.infer<typeof createReleaseSchema>;

export const releaseParamsSchema = z.object({ service: name, version: z.string().min(1).max(64) });

export const listReleasesQuerySchema = z.object({
  service: name.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListReleasesQuery = z.infer<typeof listReleasesQuerySchema>;

export const evidenceDtoSchema = z.object({
  kind: z.string(),
  source: z.string(),
  attachedBy: z.string(),
  attachedAt: z.string(),
  summary: z.record(z.string(), z.unknown()),
});

export const releaseDtoSchema = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  image: z.string(),
  digest: z.string(),
  commit: z.string(),
  commitTime: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  evidence: z.array(evidenceDtoSchema).optional(),
});
export type ReleaseDto = z.infer<typeof releaseDtoSchema>;

export const releasePageDtoSchema = z.object({
  items: z.array(releaseDtoSchema),
  nextCursor: z.string().optional(),
});
export type ReleasePageDto = z.infer<typeof releasePageDtoSchema>;

export function toReleaseDto(release: Release, evidence?: readonly EvidenceRow[]): ReleaseDto {
  return {
    id: release.id,
    service: release.service,
    version: release.version,
    image: release.image,
    digest: release.digest,
    commit: release.commitSha,
    commitTime: release.commitTime?.toISOString() ?? null,
    createdBy: release.createdBy,
    createdAt: release.createdAt.toISOString(),
    ...(evidence
      ? {
          evidence: evidence.map((row) => ({
            kind: row.kind,
            source: row.source,
            attachedBy: row.attachedBy,
            attachedAt: row.attachedAt.toISOString(),
            summary: row.summary as Record<string, unknown>,
          })),
        }
      : {}),
  };
}

export function toReleaseWithEvidenceDto(value: ReleaseWithEvidence): ReleaseDto {
  return toReleaseDto(value.release, value.evidence);
}
