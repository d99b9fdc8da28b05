import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { cursorPosition, keysetPage } from '../../platform/http/keyset-page.js';
import { ZodValidationPipe } from '../../platform/http/validation.js';
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
    const before = cursorPosition(query.cursor);
    // One extra row tells whether there is a next page.
    const rows = await this.notifications.list({
      status: query.status,
      channel: query.channel,
      type: query.type,
      eventId: query.eventId,
      before,
      limit: query.limit + 1,
    });
    return keysetPage(rows, query.limit, (row) => row.createdAt, toDeliveryDto);
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
