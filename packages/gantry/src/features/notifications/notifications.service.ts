import { hostname } from 'node:os';
import type { DatabaseHandle, Tx } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { NotFoundError } from '../../shared/errors.js';
import type { KeysetPosition } from '../../shared/keyset-cursor.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { recordAudit } from '../access/audit.repository.js';
import { closestMatch } from '../pipelines/did-you-mean.js';
import type { Actor } from '../access/actor.js';
import type {
  ConsumerRegistry,
  DeliveredEvent,
  HandlerContext,
} from '../events/consumers/consumer-registry.js';
import {
  NOTIFICATION_TYPES,
  notificationOf,
  sourceEventTypesOf,
  type NotificationType,
} from './notification-events.js';
import { NotificationSender, type NotificationInstrumentation } from './notification-sender.js';
import {
  matchesFilters,
  subscribesTo,
  type ChannelSpec,
  type NotificationsSpec,
  type SubscriptionSpec,
} from './notifications-file.js';
import {
  findDelivery,
  insertDeliveries,
  listDeliveries,
  queueCounts,
  requeueDead,
  type DeliveryFilter,
  type NotificationDelivery,
  type QueueCount,
} from './notifications.repository.js';

/** The consumer group that turns Gantry's events into deliveries. */
export const NOTIFICATIONS_GROUP = 'notifications';

export interface NotificationsOptions {
  database: DatabaseHandle;
  spec: NotificationsSpec;
  /** The address people reach Gantry at; links to promotions start with it. */
  publicUrl: string;
  logger: Logger;
  /** This process, as recorded in delivery leases. */
  owner: string;
  retentionMs: number;
  pollIntervalMs?: number;
  instrumentation?: NotificationInstrumentation;
}

export interface ChannelTestResult {
  channel: string;
  ok: boolean;
  httpStatus: number | null;
  /** Why it failed, in words (never the URL or a secret). */
  error: string | null;
}

export interface ReplayResult {
  delivery: NotificationDelivery;
  /** False when the delivery was not dead (already sent, or still queued): nothing was changed. */
  queued: boolean;
}

/**
 * Outbound notifications: the `notifications` consumer records one delivery
 * per matching channel in the transaction of its source event (no HTTP
 * there), and the sender posts them. People list deliveries and replay dead
 * ones through the API (`gantry notifications`).
 */
export class NotificationsService {
  readonly sender: NotificationSender;

  constructor(private readonly options: NotificationsOptions) {
    this.sender = new NotificationSender({
      database: options.database,
      channels: options.spec.channels,
      logger: options.logger,
      owner: options.owner,
      retentionMs: options.retentionMs,
      pollIntervalMs: options.pollIntervalMs,
      instrumentation: options.instrumentation,
    });
  }

  get channels(): readonly ChannelSpec[] {
    return this.options.spec.channels;
  }

  get subscriptions(): readonly SubscriptionSpec[] {
    return this.options.spec.subscriptions;
  }

  /**
   * Subscribes the `notifications` group to the internal events some
   * subscription needs; with no subscriptions the group does not exist.
   */
  registerConsumers(registry: ConsumerRegistry): void {
    const wanted = new Set<string>();
    for (const type of NOTIFICATION_TYPES) {
      if (this.subscriptions.some((sub) => subscribesTo(sub, type))) {
        for (const source of sourceEventTypesOf(type)) wanted.add(source);
      }
    }
    for (const eventType of wanted) {
      registry.register({
        group: NOTIFICATIONS_GROUP,
        eventType,
        handle: (event, tx, context) => this.record(event, tx, context),
      });
    }
  }

  /**
   * The handler: one delivery row per channel with a matching subscription,
   * written in the transaction that records the event as processed. The
   * sender is woken once the transaction commits.
   */
  async record(event: DeliveredEvent, tx: Tx, context: HandlerContext): Promise<void> {
    const notification = notificationOf(event.type, event.payload, this.options.publicUrl);
    if (!notification) return;
    const channels = this.channelsFor(notification.type, notification.service, notification.stage);
    if (channels.length === 0) return;
    const inserted = await insertDeliveries(
      tx,
      channels.map((channel) => ({
        id: uuidv7(),
        channel,
        eventId: event.id,
        eventType: notification.type,
        subject: notification.subject,
        data: notification.data as unknown as Record<string, unknown>,
        occurredAt: event.occurredAt,
      })),
    );
    if (inserted > 0) context.afterCommit(() => this.sender.kick());
  }

  /** The channels a notification goes to: each once, however many subscriptions match. */
  channelsFor(type: NotificationType, service: string | null, stage: string | null): string[] {
    const channels = new Set<string>();
    for (const sub of this.subscriptions) {
      if (subscribesTo(sub, type) && matchesFilters(sub, service, stage)) channels.add(sub.channel);
    }
    return [...channels];
  }

  start(): Promise<void> {
    return this.sender.start();
  }

  stop(): Promise<void> {
    return this.sender.stop();
  }

  list(filter: DeliveryFilter): Promise<NotificationDelivery[]> {
    return listDeliveries(this.options.database.db, filter);
  }

  async get(id: string): Promise<NotificationDelivery> {
    const row = await findDelivery(this.options.database.db, id);
    if (!row) throw notFound(id);
    return row;
  }

  /** A dead delivery back in the queue with a fresh attempt count (recorded in the audit log). */
  async replay(id: string, actor: Actor): Promise<ReplayResult> {
    const result = await this.options.database.db.transaction(async (tx) => {
      const requeued = await requeueDead(tx, id);
      if (!requeued) {
        const row = await findDelivery(tx, id);
        if (!row) throw notFound(id);
        return { delivery: row, queued: false };
      }
      await recordAudit(tx, {
        actor,
        action: 'notification.replay',
        target: `notification/${id}`,
        details: { channel: requeued.channel, type: requeued.eventType },
      });
      return { delivery: requeued, queued: true };
    });
    if (result.queued) this.sender.kick();
    return result;
  }

  /** Replays every dead delivery matching the filter. */
  async replayMatching(filter: { channel?: string; type?: string }, actor: Actor): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    const pageSize = 100;
    // Replayed rows leave status dead, so each page starts from the top again.
    let before: KeysetPosition | undefined;
    for (;;) {
      const page = await this.list({ ...filter, status: 'dead', before, limit: pageSize });
      for (const row of page) results.push(await this.replay(row.id, actor));
      const last = page.at(-1);
      if (page.length < pageSize || !last) return results;
      before = { at: last.createdAt, id: last.id };
    }
  }

  /** Posts a test message to a channel at once and says how the channel answered (recorded in the audit log). */
  async test(name: string, actor: Actor): Promise<ChannelTestResult> {
    const channel = this.channels.find((candidate) => candidate.name === name);
    if (!channel) {
      const names = this.channels.map((candidate) => candidate.name);
      const match = closestMatch(name, names);
      throw new NotFoundError(
        `no channel ${name}${match ? `; did you mean ${match}?` : names.length > 0 ? `; channels: ${names.join(', ')}` : '; GANTRY_NOTIFICATIONS_FILE declares none'}`,
      );
    }
    const result = await this.sender.sendTest(channel, {
      message: `Test notification from Gantry, sent by ${actor.name}: this channel is connected.`,
      actor: actor.name,
      link: this.options.publicUrl,
    });
    await recordAudit(this.options.database.db, {
      actor,
      action: 'notification.test',
      target: `channel/${name}`,
      details: { ok: result.ok, httpStatus: result.httpStatus },
    });
    return { channel: name, ...result };
  }

  queueCounts(): Promise<QueueCount[]> {
    return queueCounts(this.options.database.db);
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(
    `notification delivery ${id} does not exist; list them with: gantry notifications list`,
  );
}

/**
 * GANTRY_PUBLIC_URL, or the address Gantry listens on. A wildcard listen
 * address (0.0.0.0, ::) is nobody's address: the machine's name stands in.
 */
export function publicUrlOf(config: {
  publicUrl: string | undefined;
  http: { host: string; port: number };
}): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const { host, port } = config.http;
  const name = host === '0.0.0.0' || host === '::' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}
