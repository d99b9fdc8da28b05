import { Inject, Injectable } from '@nestjs/common';
import type { Delivery } from '../../app/delivery.js';
import { DATABASE, DELIVERY, EVENT_BACKBONE, GANTRY_CONFIG, LOGGER } from '../../app/tokens.js';
import type { GantryConfig } from '../../config/config.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { webhookActor } from '../access/actor.js';
import type { EventBackbone } from '../events/event-backbone.js';
import type { CreateReleaseBody } from '../releases/releases.dto.js';
import type { ReleaseWithEvidence } from '../releases/releases.service.js';
import { pruneDeliveries, recordDelivery } from './webhook-deliveries.repository.js';
import type { WebhookProvider } from './webhook-auth.js';
import type { WebhookReceiptDto } from './webhooks.dto.js';
import { nowAndThen } from '../../shared/now-and-then.js';
import { assertStorable } from '../../shared/storable-text.js';
import type { Translation } from './translation.js';

const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Stores what verified deliveries stand for. A delivery with events is one
 * transaction: its id recorded in webhook_deliveries and its events appended
 * to the outbox, or neither; a delivery id seen before writes nothing. The
 * work the events start happens in their consumers, after the answer.
 * Recorded ids are kept as long as the outbox keeps sent events
 * (GANTRY_OUTBOX_RETENTION), pruned now and then as deliveries arrive.
 */
@Injectable()
export class WebhooksService {
  /** Forgets deliveries older than the outbox retention; at most every ten minutes, never in the way of an answer. */
  private readonly pruneNowAndThen = nowAndThen(
    PRUNE_INTERVAL_MS,
    () => this.prune(),
    (error) => this.logger.warn({ error: errorMessage(error) }, 'could not prune old webhook deliveries'),
  );

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(EVENT_BACKBONE) private readonly backbone: EventBackbone,
    @Inject(DELIVERY) private readonly delivery: Delivery,
    @Inject(GANTRY_CONFIG) private readonly config: GantryConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receive(provider: WebhookProvider, translation: Translation): Promise<WebhookReceiptDto> {
    if (translation.kind === 'ignored') {
      return { outcome: 'ignored', provider, event: translation.event, message: translation.reason };
    }
    const { deliveryId, event, events } = translation;
    for (const item of events)
      assertStorable({ key: item.key, payload: item.payload }, `the ${provider} payload`);
    this.pruneNowAndThen();
    const fresh = await this.database.db.transaction(async (tx) => {
      if (!(await recordDelivery(tx, { provider, deliveryId, event, events: events.length }))) return false;
      await this.backbone.events.appendMany(tx, events);
      return true;
    });
    if (!fresh) {
      return {
        outcome: 'duplicate',
        provider,
        event,
        deliveryId,
        message: 'this delivery was received before; nothing was written again',
      };
    }
    const types = events.map((item) => item.type);
    return {
      outcome: 'accepted',
      provider,
      event,
      deliveryId,
      events: types,
      message: `${types.length} event${types.length === 1 ? '' : 's'} written: ${[...new Set(types)].join(', ')}`,
    };
  }

  /** The CI webhook: the same registration as POST /api/v1/releases, by the actor webhook:ci. */
  registerRelease(
    body: CreateReleaseBody,
    requestId: string,
  ): Promise<{ release: ReleaseWithEvidence; created: boolean }> {
    assertStorable(body, 'the request body');
    return this.delivery.releases.create(
      { ...body, commitTime: body.commitTime ? new Date(body.commitTime) : undefined },
      webhookActor('ci', requestId),
    );
  }

  /** Deletes recorded deliveries older than the outbox retention; returns how many went. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.relay.retentionMs);
    let total = 0;
    for (;;) {
      const pruned = await pruneDeliveries(this.database.db, cutoff);
      total += pruned;
      if (pruned === 0) return total;
    }
  }
}
