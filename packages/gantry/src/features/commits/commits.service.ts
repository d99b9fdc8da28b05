import type { DatabaseHandle } from '../../platform/database/database.js';
import { NotFoundError } from '../../shared/errors.js';
import { findRelease } from '../releases/releases.repository.js';
import { releaseChanges, type ReleaseChanges } from './release-changes.js';

/** What the API asks of recorded commits. */
export class CommitsService {
  constructor(private readonly database: DatabaseHandle) {}

  async changesOf(service: string, version: string): Promise<ReleaseChanges> {
    const { db } = this.database;
    const release = await findRelease(db, service, version);
    if (!release) throw new NotFoundError(`release ${version} of ${service} does not exist`);
    return releaseChanges(db, release);
  }
}
