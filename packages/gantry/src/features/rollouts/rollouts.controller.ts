import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import { promotionIdSchema, toPromotionDto, type PromotionDto } from '../promotions/promotions.dto.js';
import { rolloutControlSchema, type RolloutControlBody } from './rollouts.dto.js';

/** The manual controls of a rollout into a local stage; abort is the promotions' own route. */
@Controller('api/v1/promotions/:id')
export class RolloutsController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Post('resume')
  @RequireRole('deployer')
  @HttpCode(200)
  async resume(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(rolloutControlSchema.default({}))) body: RolloutControlBody,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.rollouts.resume(id, body.reason, actor));
  }

  @Post('promote-full')
  @RequireRole('deployer')
  @HttpCode(200)
  async promoteFull(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(rolloutControlSchema.default({}))) body: RolloutControlBody,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.rollouts.promoteFull(id, body.reason, actor));
  }

  @Post('retry')
  @RequireRole('deployer')
  @HttpCode(202)
  async retry(
    @Param('id', new ZodValidationPipe(promotionIdSchema)) id: string,
    @Body(new ZodValidationPipe(rolloutControlSchema.default({}))) body: RolloutControlBody,
    @CurrentActor() actor: Actor,
  ): Promise<PromotionDto> {
    return toPromotionDto(await this.delivery.rollouts.retry(id, body.reason, actor));
  }
}
