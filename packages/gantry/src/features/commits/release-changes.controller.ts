import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { z } from 'zod';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { releaseParamsSchema } from '../releases/releases.dto.js';
import { toReleaseChangesDto, type ReleaseChangesDto } from './release-changes.dto.js';

@Controller('api/v1/releases')
export class ReleaseChangesController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Get(':service/:version/changes')
  async changes(
    @Param(new ZodValidationPipe(releaseParamsSchema)) params: z.infer<typeof releaseParamsSchema>,
  ): Promise<ReleaseChangesDto> {
    return toReleaseChangesDto(await this.delivery.commits.changesOf(params.service, params.version));
  }
}
