import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../../platform/http/validation.js';
import { ValidationError } from '../../shared/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../shared/keyset-cursor.js';
import { CurrentActor } from '../access/access.decorators.js';
import type { Actor } from '../access/actor.js';
import {
  channelNameSchema,
  deliveryIdSchema,
  listDeliveriesQuerySchema,
  replayMatchingBodySchema,
  toChannelDto,
  toDeliveryDto,
  type ChannelListDto,
  type ChannelTestResultDto,
  type DeliveryDto,
  type DeliveryPageDto,
  type ListDeliveriesQuery,
  type ReplayResultDto,
} from './notifications.dto.js';
import type { NotificationsService, ReplayResult } from './notifications.service.js';

export const NOTIFICATIONS = Symbol('NOTIFICATIONS');

@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(@Inject(NOTIFICATIONS) private readonly notifications: NotificationsService) {}

  @Get('channels')
  channels(): ChannelListDto {
    const { channels, subscriptions } = this.notifications;
    return { items: channels.map((channel) => toChannelDto(channel, subscriptions)) };
  }

  @Post('channels/:name/test')
  @HttpCode(200)
  test(
    @Param('name', new ZodValidationPipe(channelNameSchema)) name: string,
    @CurrentActor() actor: Actor,
  ): Promise<ChannelTestResultDto> {
    return this.notifications.test(name, actor);
  }

  @Get('deliveries')
  async list(
    @Query(new ZodValidationPipe(listDeliveriesQuerySchema)) query: ListDeliveriesQuery,
  ): Promise<DeliveryPageDto> {
    const before = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
    if (query.cursor !== undefined && !before) {
      throw new ValidationError(
        'Invalid query parameter cursor: use the nextCursor value of the previous page',
      );
    }
    // One extra row tells whether there is a next page.
    const rows = await this.notifications.list({
      status: query.status,
      channel: query.channel,
      type: query.type,
      eventId: query.eventId,
      before,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDeliveryDto),
      ...(rows.length > query.limit && last
        ? { nextCursor: encodeKeysetCursor({ at: last.createdAt, id: last.id }) }
        : {}),
    };
  }

  @Get('deliveries/:id')
  async show(@Param('id', new ZodValidationPipe(deliveryIdSchema)) id: string): Promise<DeliveryDto> {
    return toDeliveryDto(await this.notifications.get(id));
  }

  @Post('deliveries/replay')
  @HttpCode(202)
  async replayMatching(
    @Body(new ZodValidationPipe(replayMatchingBodySchema.default({})))
    body: { channel?: string; type?: string },
    @CurrentActor() actor: Actor,
  ): Promise<{ items: ReplayResultDto[] }> {
    const results = await this.notifications.replayMatching(body, actor);
    return { items: results.map(toReplayResultDto) };
  }

  @Post('deliveries/:id/replay')
  @HttpCode(202)
  async replay(
    @Param('id', new ZodValidationPipe(deliveryIdSchema)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<ReplayResultDto> {
    return toReplayResultDto(await this.notifications.replay(id, actor));
  }
}

function toReplayResultDto(result: ReplayResult): ReplayResultDto {
  return { delivery: toDeliveryDto(result.delivery), queued: result.queued };
}
