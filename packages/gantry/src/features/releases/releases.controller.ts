import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Inject } from '@nestjs/common';
import { DELIVERY } from '../../app/tokens.js';
import type { Delivery } from '../../app/delivery.js';
import { cursorPosition, keysetPage } from '../../platform/http/keyset-page.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import { toWhyDto, whyQuerySchema, type WhyDto } from '../promotions/promotions.dto.js';
import {
  createReleaseSchema,
  evidenceInputSchema,
  listReleasesQuerySchema,
  releaseParamsSchema,
  toReleaseDto,
  toReleaseWithEvidenceDto,
  type CreateReleaseBody,
  type ListReleasesQuery,
  type ReleaseDto,
  type ReleasePageDto,
} from './releases.dto.js';
import type { EvidenceInput } from './releases.service.js';
import type { z } from 'zod';

@Controller('api/v1/releases')
export class ReleasesController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  @Post()
  @RequireRole('deployer')
  async create(
    @Body(new ZodValidationPipe(createReleaseSchema)) body: CreateReleaseBody,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReleaseDto> {
    const { release, created } = await this.delivery.releases.create(
      { ...body, commitTime: body.commitTime ? new Date(body.commitTime) : undefined },
      actor,
    );
    // 201 for a new release; 200 when this service and digest were registered before.
    void reply.status(created ? 201 : 200);
    return toReleaseWithEvidenceDto(release);
  }

  @Get()
  async list(
    @Query(new ZodValidationPipe(listReleasesQuerySchema)) query: ListReleasesQuery,
  ): Promise<ReleasePageDto> {
    const before = cursorPosition(query.cursor);
    const rows = await this.delivery.releases.list({
      service: query.service,
      before,
      limit: query.limit + 1,
    });
    return keysetPage(
      rows,
      query.limit,
      (row) => row.createdAt,
      (row) => toReleaseDto(row, row.evidence),
    );
  }

  @Get(':service/:version')
  async show(
    @Param(new ZodValidationPipe(releaseParamsSchema)) params: z.infer<typeof releaseParamsSchema>,
  ): Promise<ReleaseDto> {
    return toReleaseWithEvidenceDto(await this.delivery.releases.get(params.service, params.version));
  }

  @Post(':service/:version/evidence')
  @RequireRole('deployer')
  @HttpCode(200)
  async attachEvidence(
    @Param(new ZodValidationPipe(releaseParamsSchema)) params: z.infer<typeof releaseParamsSchema>,
    @Body(new ZodValidationPipe(evidenceInputSchema)) body: EvidenceInput,
    @CurrentActor() actor: Actor,
  ): Promise<ReleaseDto> {
    return toReleaseWithEvidenceDto(
      await this.delivery.releases.attachEvidence(params.service, params.version, body, actor),
    );
  }

  @Get(':service/:version/why')
  async why(
    @Param(new ZodValidationPipe(releaseParamsSchema)) params: z.infer<typeof releaseParamsSchema>,
    @Query(new ZodValidationPipe(whyQuerySchema)) query: z.infer<typeof whyQuerySchema>,
  ): Promise<WhyDto> {
    return toWhyDto(await this.delivery.promotions.why(params.service, params.version, query.stage));
  }
}
