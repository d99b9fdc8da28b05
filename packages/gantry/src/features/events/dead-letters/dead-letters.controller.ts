import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { EVENT_BACKBONE } from '../../../app/tokens.js';
import { ZodValidationPipe } from '../../../platform/http/validation.js';
import { ValidationError } from '../../../shared/errors.js';
import type { EventBackbone } from '../event-backbone.js';
import {
  decodeCursor,
  deadLetterIdSchema,
  encodeCursor,
  listDeadLettersQuerySchema,
  replayMatchingBodySchema,
  toDeadLetterDto,
  type DeadLetterDto,
  type DeadLetterPageDto,
  type ListDeadLettersQuery,
  type ReplayResultDto,
} from './dead-letters.dto.js';

@Controller('api/v1/dead-letters')
export class DeadLettersController {
  constructor(@Inject(EVENT_BACKBONE) private readonly backbone: EventBackbone) {}

  @Get()
  async list(
    @Query(new ZodValidationPipe(listDeadLettersQuerySchema)) query: ListDeadLettersQuery,
  ): Promise<DeadLetterPageDto> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !before) {
      throw new ValidationError(
        'Invalid query parameter cursor: use the nextCursor value of the previous page',
      );
    }
    // One extra row tells whether there is a next page.
    const rows = await this.backbone.deadLetters.list({ ...query, before, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDeadLetterDto),
      ...(rows.length > query.limit && last ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  @Get(':id')
  async show(@Param('id', new ZodValidationPipe(deadLetterIdSchema)) id: string): Promise<DeadLetterDto> {
    return toDeadLetterDto(await this.backbone.deadLetters.get(id));
  }

  @Post('replay')
  @HttpCode(202)
  async replayMatching(
    @Body(new ZodValidationPipe(replayMatchingBodySchema.default({})))
    body: {
      group?: string;
      type?: string;
    },
  ): Promise<{ items: ReplayResultDto[] }> {
    const results = await this.backbone.deadLetters.replayMatching(body);
    return {
      items: results.map((result) => ({ ...result, deadLetter: toDeadLetterDto(result.deadLetter) })),
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  async replay(@Param('id', new ZodValidationPipe(deadLetterIdSchema)) id: string): Promise<ReplayResultDto> {
    const result = await this.backbone.deadLetters.replay(id);
    return { ...result, deadLetter: toDeadLetterDto(result.deadLetter) };
  }
}
