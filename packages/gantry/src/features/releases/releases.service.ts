import type { DatabaseHandle, Tx } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError, errorMessage } from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { assertRole, type Actor } from '../access/actor.js';
import { recordAudit } from '../access/audit.repository.js';
import type { EventAppender } from '../events/event-appender.js';
import { findService, lockService, findRevision } from '../pipelines/pipelines.repository.js';
import { signingKeyOf } from '../pipelines/stage-policy.js';
import { calverPrefix, isValidVersion, nextCalVer } from './calver.js';
import { parseEvidence, parseMigrationCheck } from './evidence/evidence.js';
import { verifyDigestSignature } from './evidence/signature.js';
import {
  evidenceOf,
  evidenceOfReleases,
  findRelease,
  findReleaseByDigest,
  insertRelease,
  listReleases,
  upsertEvidence,
  versionsWithPrefix,
  type EvidenceRow,
  type Release,
  type ReleasePageFilter,
} from './releases.repository.js';
import type { EvidenceKind } from './releases.tables.js';

export const ReleaseEvents = {
  registered: 'release.registered',
  evidenceAttached: 'release.evidence-attached',
} as const;

export interface ReleaseRegistered {
  releaseId: string;
  service: string;
  version: string;
  image: string;
  digest: string;
  commit: string;
  commitTime: string | null;
  createdBy: string;
}

export interface EvidenceAttached {
  releaseId: string;
  service: string;
  version: string;
  kinds: EvidenceKind[];
}

/** A file as CI hands it over: its name (quoted back in explanations) and its text. */
export interface EvidenceFile {
  fileName: string;
  content: string;
}

export interface EvidenceInput {
  junit?: EvidenceFile;
  coverage?: EvidenceFile;
  trivy?: EvidenceFile;
  sarif?: EvidenceFile;
  /** Base64 signature over the digest string, as `cosign sign-blob` writes it. */
  signature?: string;
  migrationCheck?: string;
}

export interface CreateReleaseInput {
  service: string;
  image: string;
  digest: string;
  commit: string;
  commitTime?: Date;
  version?: string;
  evidence?: EvidenceInput;
}

export interface ReleaseWithEvidence {
  release: Release;
  evidence: EvidenceRow[];
}

/** A release in a list, with its evidence beside it. */
export type ReleaseListItem = Release & { evidence: EvidenceRow[] };

interface ParsedEvidence {
  kind: EvidenceKind;
  summary: unknown;
  source: string;
}

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * Registers what CI built. Releases are immutable: the same service and
 * digest again returns the existing release; a version is never reused for
 * another digest. Evidence is parsed completely before anything is written,
 * so a malformed file leaves nothing half-stored.
 */
export class ReleasesService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: EventAppender,
  ) {}

  async create(
    input: CreateReleaseInput,
    actor: Actor,
  ): Promise<{ release: ReleaseWithEvidence; created: boolean }> {
    assertRole(actor, 'deployer', 'create releases');
    if (!DIGEST_PATTERN.test(input.digest)) {
      throw new ValidationError(
        `digest "${input.digest}" is not a sha256 digest; expected sha256: followed by 64 lowercase hex characters, as \`docker buildx imagetools inspect\` prints it`,
      );
    }
    if (input.version !== undefined && !isValidVersion(input.version)) {
      throw new ValidationError(
        `version "${input.version}" is not valid; use 1–64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (e.g. 2026.11.3 or 1.4.0)`,
      );
    }
    const service = await findService(this.database.db, input.service);
    if (!service) throw unknownService(input.service);
    const parsed = await this.parseAll(input.service, input.digest, input.evidence ?? {});

    return this.database.db.transaction(async (tx) => {
      // Serialises release numbering per service (see lockService).
      await lockService(tx, input.service);
      const existing = await findReleaseByDigest(tx, input.service, input.digest);
      if (existing) {
        if (input.version !== undefined && input.version !== existing.version) {
          throw new ConflictError(
            `digest ${input.digest} is already release ${existing.version} of ${input.service}; a digest cannot get a second version`,
          );
        }
        if (parsed.length > 0) await this.storeEvidence(tx, existing, parsed, actor);
        return {
          release: { release: existing, evidence: await evidenceOf(tx, existing.id) },
          created: false,
        };
      }
      let version = input.version;
      if (version !== undefined) {
        const taken = await findRelease(tx, input.service, version);
        if (taken) {
          throw new ConflictError(
            `version ${version} of ${input.service} is already release ${taken.digest}; versions are immutable, choose another or omit --version to get the next CalVer`,
          );
        }
      } else {
        const now = new Date();
        version = nextCalVer(now, await versionsWithPrefix(tx, input.service, calverPrefix(now)));
      }
      const release = await insertRelease(tx, {
        id: uuidv7(),
        service: input.service,
        version,
        image: input.image,
        digest: input.digest,
        commitSha: input.commit,
        commitTime: input.commitTime ?? null,
        createdBy: actor.name,
      });
      const registered: ReleaseRegistered = {
        releaseId: release.id,
        service: release.service,
        version: release.version,
        image: release.image,
        digest: release.digest,
        commit: release.commitSha,
        commitTime: release.commitTime?.toISOString() ?? null,
        createdBy: release.createdBy,
      };
      await this.events.append(tx, {
        type: ReleaseEvents.registered,
        key: releaseKey(release),
        payload: registered,
      });
      await recordAudit(tx, {
        actor,
        action: 'release.create',
        target: `release/${release.service}/${release.version}`,
        details: { digest: release.digest, commit: release.commitSha },
      });
      // Evidence attached at creation: its event is ordered after release.registered (same key).
      if (parsed.length > 0) await this.storeEvidence(tx, release, parsed, actor);
      return { release: { release, evidence: await evidenceOf(tx, release.id) }, created: true };
    });
  }

  async attachEvidence(
    service: string,
    version: string,
    input: EvidenceInput,
    actor: Actor,
  ): Promise<ReleaseWithEvidence> {
    assertRole(actor, 'deployer', 'attach evidence');
    const release = await this.get(service, version);
    const parsed = await this.parseAll(service, release.release.digest, input);
    if (parsed.length === 0) {
      throw new ValidationError(
        'no evidence given; attach at least one of junit, coverage, trivy, sarif, signature, migrationCheck',
      );
    }
    return this.database.db.transaction(async (tx) => {
      await this.storeEvidence(tx, release.release, parsed, actor);
      return { release: release.release, evidence: await evidenceOf(tx, release.release.id) };
    });
  }

  async get(service: string, version: string): Promise<ReleaseWithEvidence> {
    const release = await findRelease(this.database.db, service, version);
    if (!release) {
      throw new NotFoundError(
        `release ${version} of ${service} does not exist; list releases with: gantry release list --service ${service}`,
      );
    }
    return { release, evidence: await evidenceOf(this.database.db, release.id) };
  }

  /** A page of releases, each with its evidence. */
  async list(filter: ReleasePageFilter): Promise<ReleaseListItem[]> {
    const { db } = this.database;
    const page = await listReleases(db, filter);
    const evidence = await evidenceOfReleases(
      db,
      page.map((release) => release.id),
    );
    return page.map((release) => ({
      ...release,
      evidence: evidence.filter((row) => row.releaseId === release.id),
    }));
  }

  private async storeEvidence(
    tx: Tx,
    release: Release,
    parsed: readonly ParsedEvidence[],
    actor: Actor,
  ): Promise<void> {
    const now = new Date();
    for (const item of parsed) {
      await upsertEvidence(tx, {
        releaseId: release.id,
        kind: item.kind,
        summary: item.summary,
        source: item.source,
        attachedBy: actor.name,
        attachedAt: now,
      });
    }
    const payload: EvidenceAttached = {
      releaseId: release.id,
      service: release.service,
      version: release.version,
      kinds: parsed.map((item) => item.kind),
    };
    await this.events.append(tx, { type: ReleaseEvents.evidenceAttached, key: releaseKey(release), payload });
    await recordAudit(tx, {
      actor,
      action: 'release.evidence',
      target: `release/${release.service}/${release.version}`,
      details: {
        evidence: parsed.map((item) => ({ kind: item.kind, source: item.source, summary: item.summary })),
      },
    });
  }

  /** Parses every file first: one malformed file refuses the whole request. */
  private async parseAll(service: string, digest: string, input: EvidenceInput): Promise<ParsedEvidence[]> {
    const parsed: ParsedEvidence[] = [];
    const files: Array<['junit' | 'coverage' | 'trivy' | 'sarif', EvidenceFile | undefined]> = [
      ['junit', input.junit],
      ['coverage', input.coverage],
      ['trivy', input.trivy],
      ['sarif', input.sarif],
    ];
    for (const [format, file] of files) {
      if (!file) continue;
      const summary = parseEvidence(format, file.content, file.fileName);
      parsed.push({ kind: evidenceKindOf(summary.kind), summary, source: file.fileName });
    }
    if (input.trivy && input.sarif) {
      throw new ValidationError('give either a Trivy report or a SARIF file for vulnerabilities, not both');
    }
    if (input.migrationCheck !== undefined) {
      const result = parseMigrationCheck(input.migrationCheck);
      parsed.push({ kind: 'migrationCheck', summary: result, source: 'migration check' });
    }
    if (input.signature !== undefined) {
      parsed.push({
        kind: 'signature',
        summary: await this.checkSignature(service, digest, input.signature),
        source: 'signature',
      });
    }
    return parsed;
  }

  /**
   * A signature that does not verify is stored as such (the signature gate
   * then blocks with the reason), so people see what was attached and why it
   * failed; a service without a signing key cannot take signatures at all.
   */
  private async checkSignature(service: string, digest: string, signature: string): Promise<unknown> {
    const row = await findService(this.database.db, service);
    const revision = row ? await findRevision(this.database.db, service, row.currentRevision) : undefined;
    const publicKeyPem = revision ? signingKeyOf(revision.spec) : undefined;
    if (!publicKeyPem) {
      throw new ValidationError(
        `service ${service} has no signing.publicKey in its gantry.yaml, so its signatures cannot be verified; add one and apply it`,
      );
    }
    try {
      return verifyDigestSignature({ digest, signature, publicKeyPem });
    } catch (error) {
      return { kind: 'signature', verified: false, algorithm: 'unknown', reason: errorMessage(error) };
    }
  }
}

export function unknownService(name: string): NotFoundError {
  return new NotFoundError(
    `service "${name}" is not declared; declare it in gantry.yaml and run: gantry apply -f gantry.yaml`,
  );
}

/** Events about one service's releases share a key, so they keep their order. */
function releaseKey(release: { service: string }): string {
  return `release:${release.service}`;
}

function evidenceKindOf(kind: string): EvidenceKind {
  switch (kind) {
    case 'tests':
    case 'coverage':
    case 'vulnerabilities':
      return kind;
    default:
      throw new Error(`unexpected evidence kind ${kind}`);
  }
}
