import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY, GANTRY_CONFIG } from '../../app/tokens.js';
import type { GantryConfig } from '../../config/config.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { doraQuerySchema, toDoraDto, type DoraDto, type DoraQueryInput } from './dora.dto.js';

@Controller('api/v1/dora')
export class DoraController {
  constructor(
    @Inject(DELIVERY) private readonly delivery: Delivery,
    @Inject(GANTRY_CONFIG) private readonly config: GantryConfig,
  ) {}

  @Get()
  async metrics(@Query(new ZodValidationPipe(doraQuerySchema)) query: DoraQueryInput): Promise<DoraDto> {
    const report = await this.delivery.dora.metrics(
      {
        service: query.service,
        team: query.team,
        windowMs: query.window,
        until: query.until === undefined ? undefined : new Date(query.until),
      },
      this.config.dora.bands,
    );
    return toDoraDto(report);
  }
}
