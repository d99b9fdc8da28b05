import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { cursorPosition, keysetPage } from '../../platform/http/keyset-page.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import {
  abortSchema,
  approveSchema,
  listPromotionsQuerySchema,
  promotionIdSchema,
  rejectSchema,
  requestPromotionSchema,
  rollbackSchema,
  statusQuerySchema,
  toPromotionDto,
  toStatusDto,
  type ListPromotionsQuery,
  type PromotionDto,
  type PromotionPageDto,
  type RequestPromotionBody,
  type RollbackBody,
  type StatusDto,
} from './promotions.dto.js';

@Controller('api/v1')
export class PromotionsController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Post('promotions')
  @RequireRole('deployer')
  @HttpCode(202)
  async request(
    @Body(new ZodValidationPipe(requestPromotionSchema)) body: RequestPromotionBody,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.promotions.request(body, actor));
  }

  @Get('promotions')
  async list(
    @Query(new ZodValidationPipe(listPromotionsQuerySchema)) query: ListPromotionsQuery,
  ): Promise<PromotionPageDto> {
    const before = cursorPosition(query.cursor);
    const rows = await this.delivery.promotions.list({
      service: query.service,
      team: query.team,
      stage: query.stage,
      phase: query.phase,
      production: query.production,
      deployment: query.deployment,
      finishedSince: query.finishedSince,
      finishedUntil: query.finishedUntil,
      before,
      limit: query.limit + 1,
    });
    return keysetPage(
      rows,
      query.limit,
      (row) => row.createdAt,
      (row) => toPromotionDto(row),
    );
  }

  @Get('promotions/:id')
  async show(@Param('id', new ZodValidationPipe(promotionIdSchema)) id: string): Promise<PromotionDto> {
    const detail = await this.delivery.promotions.get(id);
    return toPromotionDto(detail.promotion, detail);
  }

  @Post('promotions/:id/approve')
  @RequireRole('approver')
  @HttpCode(200)
  async approve(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(approveSchema.default({}))) body: z.infer<typeof approveSchema>,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.promotions.approve(id, body.comment, actor));
  }

  @Post('promotions/:id/reject')
  @RequireRole('approver')
  @HttpCode(200)
  async reject(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(rejectSchema)) body: z.infer<typeof rejectSchema>,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.promotions.reject(id, body.reason, actor));
  }

  @Post('promotions/:id/abort')
  @RequireRole('deployer')
  @HttpCode(200)
  async abort(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(abortSchema.default({}))) body: z.infer<typeof abortSchema>,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.promotions.abort(id, body.reason, actor));
  }

  @Post('rollbacks')
  @RequireRole('deployer')
  @HttpCode(202)
  async rollback(
    @Body(new ZodValidationPipe(rollbackSchema)) body: RollbackBody,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.promotions.rollback(body, actor));
  }

  @Get('status')
  async status(
    @Query(new ZodValidationPipe(statusQuerySchema)) query: z.infer<typeof statusQuerySchema>,
  ): Promise<StatusDto> {
    return toStatusDto(await this.delivery.promotions.status(query.service));
  }
}
