import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { ValidationError } from '../../shared/errors.js';
import { StreamHub } from './stream-hub.js';
import { streamQuerySchema, type StreamQuery } from './stream.dto.js';

/** Past this much unsent output, a client is too slow to follow and is dropped (it reconnects and reloads). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** GET /api/v1/stream: promotion, rollout, release and incident events as server-sent events. */
@Controller('api/v1/stream')
export class StreamController {
  constructor(private readonly hub: StreamHub) {}

  @Get()
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query(new ZodValidationPipe(streamQuerySchema)) query: StreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Promise<void> {
    const afterSeq = lastEventIdOf(lastEventId);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies such as nginx must pass each event on at once.
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    raw.write(': connected\n\n');
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      raw.end();
    };
    let leave: () => void;
    try {
      leave = await this.hub.join(
        {
          types: new Set(query.types ?? []),
          write: (text) => {
            if (ended || raw.destroyed) return false;
            raw.write(text);
            return raw.writableLength <= MAX_BUFFERED_BYTES;
          },
          end,
        },
        afterSeq,
      );
    } catch (error) {
      // The answer has begun; the client sees the stream end and reconnects.
      end();
      throw error;
    }
    request.raw.once('close', () => {
      leave();
      end();
    });
  }
}

function lastEventIdOf(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(header.trim())) {
    throw new ValidationError(
      `Last-Event-ID must be the seq of an event this stream sent (digits), not "${header.slice(0, 40)}"`,
    );
  }
  return Number(header.trim());
}
