import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { CurrentActor, RequireRole, WithoutIdempotencyKey } from './access.decorators.js';
import type { Actor } from './actor.js';
import {
  createTokenBodySchema,
  revokeTokenBodySchema,
  tokenRefParamsSchema,
  toTokenDto,
  type CreatedTokenDto,
  type CreateTokenBody,
  type TokenDto,
  type TokenListDto,
} from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  /** The answer holds the secret, which Gantry stores nowhere: no Idempotency-Key replay. */
  @Post()
  @RequireRole('admin', 'create API tokens')
  @WithoutIdempotencyKey()
  async create(
    @CurrentActor() actor: Actor,
    @Body(new ZodValidationPipe(createTokenBodySchema)) body: CreateTokenBody,
  ): Promise<CreatedTokenDto> {
    const created = await this.tokens.create(actor, body);
    return { token: toTokenDto(created.token), secret: created.secret };
  }

  @Get()
  @RequireRole('admin', 'list API tokens')
  async list(): Promise<TokenListDto> {
    return { items: (await this.tokens.list()).map(toTokenDto) };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRole('admin', 'revoke API tokens')
  async revoke(
    @CurrentActor() actor: Actor,
    @Param(new ZodValidationPipe(tokenRefParamsSchema)) params: { id: string },
    @Body(new ZodValidationPipe(revokeTokenBodySchema.default({}))) body: { reason?: string },
  ): Promise<TokenDto> {
    return toTokenDto(await this.tokens.revoke(actor, params.id, body.reason));
  }
}
