import { readFile } from 'node:fs/promises';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { ValidationError, errorMessage } from '../../shared/errors.js';
import { assertRole, type Actor } from '../access/actor.js';
import { recordAudit } from '../access/audit.repository.js';
import type { EventAppender } from '../events/event-appender.js';
import { describePublicKey } from '../releases/evidence/signature.js';
import { canonicalServiceSpec, parsePipelineFile, specHash } from './pipeline-document.js';
import type { ServiceSpec } from './pipeline-spec.js';
import {
  findRevision,
  insertRevision,
  insertService,
  listServices,
  lockService,
  updateServiceRevision,
  type ServiceRow,
} from './pipelines.repository.js';

export const PipelineEvents = { applied: 'pipeline.applied' } as const;

export interface PipelineApplied {
  service: string;
  revision: number;
  outcome: 'created' | 'updated';
}

export interface AppliedService {
  service: string;
  revision: number;
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface PipelineFile {
  fileName: string;
  content: string;
}

/**
 * `gantry apply`: parses a gantry.yaml and makes each service's declaration
 * current. Idempotent and versioned: the same declaration again changes
 * nothing (compared by a hash of its canonical form, so comments and key
 * order do not count); a changed one becomes the next revision. Promotions
 * in flight keep the revision they started with. Services absent from the
 * file are left as they are.
 */
export class PipelinesService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: EventAppender,
  ) {}

  /** Parses and checks a file without storing anything (`gantry validate`, `?dryRun=true`). */
  async validate(file: PipelineFile): Promise<ServiceSpec[]> {
    const specs = parsePipelineFile(file.content, file.fileName);
    for (const spec of specs) await this.resolveSigningKey(spec, file.fileName);
    return specs;
  }

  async apply(file: PipelineFile, actor: Actor): Promise<AppliedService[]> {
    assertRole(actor, 'admin', 'apply pipelines');
    const specs = await this.validate(file);
    return this.database.db.transaction(async (tx) => {
      const results: AppliedService[] = [];
      for (const spec of specs) {
        const hash = specHash(spec);
        const existing = await lockService(tx, spec.name);
        if (existing?.specHash === hash) {
          results.push({ service: spec.name, revision: existing.currentRevision, outcome: 'unchanged' });
          continue;
        }
        const revision = (existing?.currentRevision ?? 0) + 1;
        const columns = {
          team: spec.team,
          image: spec.image,
          sourceRepo: spec.source?.repo ?? null,
          currentRevision: revision,
          specHash: hash,
        };
        if (existing) await updateServiceRevision(tx, spec.name, columns);
        else await insertService(tx, { name: spec.name, ...columns });
        await insertRevision(tx, {
          service: spec.name,
          revision,
          spec: JSON.parse(canonicalServiceSpec(spec)) as unknown,
          specHash: hash,
          appliedBy: actor.name,
        });
        const outcome = existing ? 'updated' : 'created';
        const payload: PipelineApplied = { service: spec.name, revision, outcome };
        await this.events.append(tx, { type: PipelineEvents.applied, key: `service:${spec.name}`, payload });
        await recordAudit(tx, {
          actor,
          action: 'pipeline.apply',
          target: `service/${spec.name}`,
          details: { revision, outcome, file: file.fileName },
        });
        results.push({ service: spec.name, revision, outcome });
      }
      return results;
    });
  }

  list(): Promise<ServiceRow[]> {
    return listServices(this.database.db);
  }

  async revision(service: string, revision: number): Promise<unknown> {
    return (await findRevision(this.database.db, service, revision))?.spec;
  }

  /**
   * The signing key is a public key: a `file:` reference is read here and the
   * PEM stored with the revision, so later verification does not depend on a
   * file that may move. It is checked now, not at the first signature.
   */
  private async resolveSigningKey(spec: ServiceSpec, fileName: string): Promise<void> {
    const signing = spec.signing;
    if (!signing) return;
    let pem = signing.publicKey;
    if (pem.startsWith('file:')) {
      const path = pem.slice('file:'.length);
      try {
        pem = await readFile(path, 'utf8');
      } catch (error) {
        throw new ValidationError(
          `${fileName}: ${spec.name} signing.publicKey ${signing.publicKey}: cannot read the key file (${errorMessage(error)}); give a path readable by Gantry, or paste the PEM`,
        );
      }
    }
    try {
      describePublicKey(pem);
    } catch (error) {
      throw new ValidationError(`${fileName}: ${spec.name} signing.publicKey: ${errorMessage(error)}`);
    }
    signing.publicKey = pem;
  }
}
