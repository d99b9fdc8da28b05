import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import {
  listPreviewsQuerySchema,
  toPreviewDto,
  type ListPreviewsQuery,
  type PreviewDto,
} from './previews.dto.js';

@Controller('api/v1/previews')
export class PreviewsController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  /** Pull requests' previews, most recently active first. */
  @Get()
  async list(
    @Query(new ZodValidationPipe(listPreviewsQuerySchema)) query: ListPreviewsQuery,
  ): Promise<{ items: PreviewDto[] }> {
    const previews = await this.delivery.previews.list({
      ...(query.service !== undefined ? { service: query.service } : {}),
      includeClosed: query.all,
      limit: query.limit,
    });
    return { items: previews.map(toPreviewDto) };
  }
}
