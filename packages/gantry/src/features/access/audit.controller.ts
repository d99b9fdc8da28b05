import { Controller, Get, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { ValidationError } from '../../shared/errors.js';
import { RequireRole } from './access.decorators.js';
import {
  decodeAuditCursor,
  encodeAuditCursor,
  listAuditQuerySchema,
  toAuditEntryDto,
  type AuditPageDto,
  type ListAuditQuery,
} from './audit.dto.js';
import { AuditService } from './audit.service.js';

/**
 * The audit log, newest first. Reading it needs the approver role: it shows
 * who did what and why across every stage, which approvers review before they
 * decide and viewers and deployers have no need for.
 */
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('approver', 'read the audit log')
  async list(
    @Query(new ZodValidationPipe(listAuditQuerySchema)) query: ListAuditQuery,
  ): Promise<AuditPageDto> {
    const beforeId = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
    if (query.cursor !== undefined && beforeId === undefined) {
      throw new ValidationError(
        'Invalid query parameter cursor: use the nextCursor value of the previous page',
      );
    }
    if (query.since && query.until && query.since > query.until) {
      throw new ValidationError('Invalid query string: since is after until');
    }
    // One extra row tells whether there is a next page.
    const rows = await this.audit.list({ ...query, beforeId, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toAuditEntryDto),
      ...(rows.length > query.limit && last ? { nextCursor: encodeAuditCursor(last) } : {}),
    };
  }
}
