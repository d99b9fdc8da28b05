import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiTokenGuard } from './api-token.guard.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { SessionController } from './session.controller.js';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

/**
 * API tokens and roles, the audit log and Idempotency-Key. Importing it puts
 * every route under /api/ behind the token guard and every POST behind the
 * idempotency interceptor.
 */
@Module({
  controllers: [TokensController, SessionController, AuditController],
  providers: [
    TokensService,
    AuditService,
    { provide: APP_GUARD, useClass: ApiTokenGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [TokensService, AuditService],
})
export class AccessModule {}
