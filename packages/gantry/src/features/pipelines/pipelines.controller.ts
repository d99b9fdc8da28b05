import { Body, Controller, Get, Inject, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import {
  applyPipelinesQuerySchema,
  applyPipelinesSchema,
  type AppliedServicesDto,
  type ApplyPipelinesBody,
  type ServiceListDto,
} from './pipelines.dto.js';

@Controller('api/v1')
export class PipelinesController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Put('pipelines')
  @RequireRole('admin')
  async apply(
    @Body(new ZodValidationPipe(applyPipelinesSchema)) body: ApplyPipelinesBody,
    @Query(new ZodValidationPipe(applyPipelinesQuerySchema)) query: z.infer<typeof applyPipelinesQuerySchema>,
    @CurrentActor() actor: Actor,
  ): Promise<AppliedServicesDto> {
    if (query.dryRun) {
      const specs = await this.delivery.pipelines.validate(body);
      return {
        dryRun: true,
        items: specs.map((spec) => ({ service: spec.name, revision: null, outcome: 'valid' })),
      };
    }
    return { dryRun: false, items: await this.delivery.pipelines.apply(body, actor) };
  }

  @Get('services')
  async list(): Promise<ServiceListDto> {
    const rows = await this.delivery.pipelines.list();
    return {
      items: rows.map((row) => ({
        name: row.name,
        team: row.team,
        image: row.image,
        sourceRepo: row.sourceRepo,
        revision: row.currentRevision,
        updatedAt: row.updatedAt.toISOString(),
      })),
    };
  }
}
