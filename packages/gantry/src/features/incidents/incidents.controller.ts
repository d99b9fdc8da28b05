import { Body, Controller, Get, HttpCode, Inject, Module, Param, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { cursorPosition, keysetPage } from '../../platform/http/keyset-page.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import {
  incidentIdSchema,
  linkIncidentSchema,
  listIncidentsQuerySchema,
  openIncidentSchema,
  resolveIncidentSchema,
  toIncidentDto,
  type IncidentDto,
  type IncidentPageDto,
  type LinkIncidentBody,
  type ListIncidentsQuery,
  type OpenIncidentBody,
} from './incidents.dto.js';

@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Get()
  async list(
    @Query(new ZodValidationPipe(listIncidentsQuerySchema)) query: ListIncidentsQuery,
  ): Promise<IncidentPageDto> {
    const before = cursorPosition(query.cursor);
    const rows = await this.delivery.incidents.list({
      status: query.status,
      service: query.service,
      stage: query.stage,
      openedSince: query.openedSince,
      openedUntil: query.openedUntil,
      before,
      limit: query.limit + 1,
    });
    return keysetPage(rows, query.limit, (row) => row.openedAt, toIncidentDto);
  }

  @Post()
  @RequireRole('deployer', 'open incidents')
  @HttpCode(201)
  async open(
    @Body(new ZodValidationPipe(openIncidentSchema)) body: OpenIncidentBody,
    @CurrentActor() actor: Actor,
  ): Promise<IncidentDto> {
    const { promotion, ...rest } = body;
    return toIncidentDto(
      await this.delivery.incidents.open(
        { ...rest, ...(promotion ? { promotionId: promotion } : {}) },
        actor,
      ),
    );
  }

  @Get(':id')
  async show(@Param('id', new ZodValidationPipe(incidentIdSchema)) id: string): Promise<IncidentDto> {
    return toIncidentDto(await this.delivery.incidents.get(id));
  }

  @Post(':id/resolve')
  @RequireRole('deployer', 'resolve incidents')
  @HttpCode(200)
  async resolve(
    @Param('id', new ZodValidationPipe(incidentIdSchema)) id: string,
    @Body(new ZodValidationPipe(resolveIncidentSchema.default({})))
    body: z.infer<typeof resolveIncidentSchema>,
    @CurrentActor() actor: Actor,
  ): Promise<IncidentDto> {
    return toIncidentDto(await this.delivery.incidents.resolve(id, body.reason, actor));
  }

  @Post(':id/link')
  @RequireRole('deployer', 'link incidents')
  @HttpCode(200)
  async link(
    @Param('id', new ZodValidationPipe(incidentIdSchema)) id: string,
    @Body(new ZodValidationPipe(linkIncidentSchema)) body: LinkIncidentBody,
    @CurrentActor() actor: Actor,
  ): Promise<IncidentDto> {
    return toIncidentDto(await this.delivery.incidents.link(id, body.promotion, body.reason, actor));
  }
}

/** The HTTP face of incidents; the service lives in the delivery core (DELIVERY). */
@Module({ controllers: [IncidentsController] })
export class IncidentsModule {}
