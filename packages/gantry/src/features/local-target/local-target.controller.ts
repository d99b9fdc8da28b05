import { Readable } from 'node:stream';
import { Controller, Get, Inject, Param, Query, Req, StreamableFile } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Delivery } from '../../app/delivery.js';
import { DELIVERY } from '../../app/tokens.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import {
  logsParamsSchema,
  logsQuerySchema,
  type LogsDto,
  type LogsParams,
  type LogsQuery,
} from './logs.dto.js';

@Controller('api/v1/services/:service/stages/:stage')
export class LocalTargetController {
  constructor(@Inject(DELIVERY) private readonly delivery: Delivery) {}

  /** Replica logs of a local stage; with follow=true a text stream that stays open. */
  @Get('logs')
  async logs(
    @Param(new ZodValidationPipe(logsParamsSchema)) params: LogsParams,
    @Query(new ZodValidationPipe(logsQuerySchema)) query: LogsQuery,
    @Req() request: FastifyRequest,
  ): Promise<LogsDto | StreamableFile> {
    const options = {
      lines: query.lines,
      ...(query.version !== undefined ? { version: query.version } : {}),
      ...(query.replica !== undefined ? { replica: query.replica } : {}),
    };
    if (!query.follow) {
      const tail = await this.delivery.localStages.tailLogs(params.service, params.stage, options);
      return { service: params.service, stage: params.stage, ...tail };
    }
    // Resolve the version first, so a wrong one is a 404 rather than an empty stream.
    await this.delivery.localStages.logDirOf(params.service, params.stage, query.version);
    const closed = new AbortController();
    request.raw.once('close', () => closed.abort());
    const lines = this.delivery.localStages.followLogs(params.service, params.stage, options, closed.signal);
    return new StreamableFile(Readable.from(lines), { type: 'text/plain; charset=utf-8' });
  }
}
