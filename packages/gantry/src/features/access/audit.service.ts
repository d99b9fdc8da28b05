import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../app/tokens.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { listAuditEntries, type AuditFilter, type AuditRow } from './audit.repository.js';

/** Reading the audit log. Writing happens in each service's own transaction, through recordAudit. */
@Injectable()
export class AuditService {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  list(filter: AuditFilter): Promise<AuditRow[]> {
    return listAuditEntries(this.database.db, filter);
  }
}
