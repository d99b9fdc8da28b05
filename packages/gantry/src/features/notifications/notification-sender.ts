import { GANTRY_VERSION } from '../../shared/gantry-version.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText, REDACTED } from '../../shared/redact.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { signPayload, SIGNATURE_HEADER } from '../../shared/signed-payload.js';
import { retryDelayMs, shouldDeadLetter, type RetryPolicy } from '../events/retry-policy.js';
import { TEST_NOTIFICATION, type TestNotificationData } from './notification-events.js';
import { slackMessage, webhookBody, type DeliveryContent } from './notification-messages.js';
import { resolveChannel, type ChannelSpec, type ResolvedChannel } from './notifications-file.js';
import {
  claimDue,
  dueChannels,
  killDeliveriesOfChannel,
  markDead,
  markSent,
  pruneSent,
  releaseAllLeases,
  scheduleRetry,
  type NotificationDelivery,
} from './notifications.repository.js';

export type DeliveryOutcome = 'sent' | 'retry' | 'dead';

/** What the sender reports, for metrics. */
export interface NotificationInstrumentation {
  attempted(channel: string, outcome: DeliveryOutcome, seconds: number): void;
}

export interface NotificationSenderOptions {
  database: DatabaseHandle;
  channels: readonly ChannelSpec[];
  logger: Logger;
  /** This process, as recorded in lease_owner. */
  owner: string;
  /** How often to look for due deliveries when nothing woke the sender. */
  pollIntervalMs?: number;
  /** Sent deliveries are deleted after this long. */
  retentionMs: number;
  instrumentation?: NotificationInstrumentation;
}

/** Headers Gantry sets on generic webhook requests. */
export const NotificationHeader = {
  event: 'x-gantry-event',
  delivery: 'x-gantry-delivery',
  signature: SIGNATURE_HEADER,
} as const;

/** A lease outlives the request's own timeout by this much, so only a dead sender's claims run out. */
const LEASE_MARGIN_MS = 30_000;
/** A Retry-After further out than this is not waited for in full. */
export const RETRY_AFTER_CAP_MS = 60 * 60_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;
const MAX_ERROR_BODY = 200;

const USER_AGENT = `Gantry/${GANTRY_VERSION} (notifications)`;

/**
 * Sends recorded deliveries, outside any transaction and outside any
 * promotion's path: it claims due rows with a lease (FOR UPDATE SKIP LOCKED,
 * so replicas share the work), posts with a timeout, and records the outcome:
 * sent, a retry with backoff, or dead. Each channel has its own limit of
 * requests in flight, so an endpoint that hangs holds only its own slots.
 */
export class NotificationSender {
  private readonly channels: Map<string, ChannelSpec>;
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly stopSignal = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private running = false;
  private lastPrune = 0;

  constructor(private readonly options: NotificationSenderOptions) {
    this.channels = new Map(options.channels.map((channel) => [channel.name, channel]));
  }

  private get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? 1_000;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running || this.channels.size === 0) return;
    this.running = true;
    const { database } = this.options;
    // PGlite is one process (the data directory is locked): every lease in it
    // belongs to a process that is gone, so its deliveries are due at once.
    if (database.kind === 'pglite') {
      await releaseAllLeases(database.db);
    }
    this.timer = setInterval(() => this.kick(), this.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** No new claims; requests in flight finish (each within its channel's timeout) or are cut off by `signal`. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    while (this.attempts.size > 0) await Promise.allSettled([...this.attempts]);
  }

  /** Cuts requests in flight short (shutdown timeout reached); their leases run out and they are sent again. */
  cancel(): void {
    this.stopSignal.abort();
  }

  /** Look for due deliveries now (a consumer just recorded some, or a request finished). */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { error: redactText(errorMessage(error)) },
          'could not look for notifications to send; trying again shortly',
        ),
      )
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits until nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.ticking || this.attempts.size > 0) {
      await Promise.allSettled([this.ticking, ...this.attempts]);
    }
  }

  private async tick(): Promise<void> {
    const { database, owner, logger } = this.options;
    const due = await dueChannels(database.db);
    for (const [name, count] of due) {
      if (!this.running) return;
      const channel = this.channels.get(name);
      if (!channel) {
        const reason = `channel ${name} is not declared in GANTRY_NOTIFICATIONS_FILE any more; declare it again and replay`;
        const killed = await killDeliveriesOfChannel(database.db, name, reason);
        if (killed > 0) logger.error({ channel: name, deliveries: killed }, reason);
        continue;
      }
      const free = channel.concurrency - (this.inFlight.get(name) ?? 0);
      if (free <= 0) continue;
      const claims = await claimDue(
        database.db,
        name,
        Math.min(free, count),
        owner,
        channel.timeout.ms + LEASE_MARGIN_MS,
      );
      for (const claim of claims) this.startAttempt(channel, claim);
    }
    if (Date.now() - this.lastPrune > PRUNE_INTERVAL_MS) {
      this.lastPrune = Date.now();
      await pruneSent(database.db, new Date(Date.now() - this.options.retentionMs));
    }
  }

  private startAttempt(channel: ChannelSpec, claim: NotificationDelivery): void {
    this.inFlight.set(channel.name, (this.inFlight.get(channel.name) ?? 0) + 1);
    const attempt = this.attempt(channel, claim)
      .catch((error: unknown) => {
        // Recording the outcome failed (database away): the lease runs out and it is sent again.
        this.options.logger.warn(
          { channel: channel.name, deliveryId: claim.id, error: redactText(errorMessage(error)) },
          'could not record a notification attempt; it is retried when its lease runs out',
        );
      })
      .finally(() => {
        this.inFlight.set(channel.name, (this.inFlight.get(channel.name) ?? 1) - 1);
        this.attempts.delete(attempt);
        this.kick();
      });
    this.attempts.add(attempt);
  }

  private async attempt(channel: ChannelSpec, claim: NotificationDelivery): Promise<void> {
    const started = performance.now();
    const result = await this.post(channel, claim);
    if (result === 'cancelled') return; // shutting down: the lease runs out, another attempt follows
    const { database, logger, instrumentation } = this.options;
    const policy = retryPolicyOf(channel);
    const log = {
      channel: channel.name,
      deliveryId: claim.id,
      type: claim.eventType,
      subject: claim.subject,
      attempt: claim.attempts,
      httpStatus: result.httpStatus,
    };
    let outcome: DeliveryOutcome;
    if (result.kind === 'sent') {
      outcome = 'sent';
      if (!(await markSent(database.db, claim, result))) return;
      logger.info(log, `notification sent to ${channel.name}`);
    } else if (result.kind === 'permanent' || shouldDeadLetter(policy, claim.attempts)) {
      outcome = 'dead';
      const error =
        result.kind === 'permanent'
          ? result.error
          : `gave up after ${claim.attempts} ${claim.attempts === 1 ? 'attempt' : 'attempts'}: ${result.error}`;
      if (!(await markDead(database.db, claim, { ...result, error }))) return;
      logger.error(
        { ...log, error },
        `notification to ${channel.name} is dead; fix the channel, then: gantry notifications replay ${claim.id}`,
      );
    } else {
      outcome = 'retry';
      const backoff = retryDelayMs(policy, claim.attempts);
      const delayMs =
        result.retryAfterMs === undefined
          ? backoff
          : Math.min(Math.max(result.retryAfterMs, 1_000), RETRY_AFTER_CAP_MS);
      if (!(await scheduleRetry(database.db, claim, result, delayMs))) return;
      // Sooner than the next poll: wake up for it.
      if (delayMs < this.pollIntervalMs) setTimeout(() => this.kick(), delayMs).unref();
      logger.warn(
        { ...log, error: result.error, retryInMs: delayMs },
        `notification to ${channel.name} failed; will retry`,
      );
    }
    instrumentation?.attempted(channel.name, outcome, (performance.now() - started) / 1000);
  }

  /**
   * Posts a test message to a channel now, bypassing the queue: its answer
   * is the caller's, so someone wiring up a channel sees at once whether it
   * works. Nothing is recorded.
   */
  async sendTest(
    channel: ChannelSpec,
    data: TestNotificationData,
  ): Promise<{ ok: boolean; httpStatus: number | null; error: string | null }> {
    const now = new Date();
    const result = await this.post(channel, {
      id: uuidv7(),
      channel: channel.name,
      eventId: uuidv7(),
      eventType: TEST_NOTIFICATION,
      subject: 'test',
      data: data as unknown as Record<string, unknown>,
      occurredAt: now,
      status: 'pending',
      attempts: 1,
      nextAttemptAt: now,
      leaseOwner: null,
      lastStatus: null,
      lastError: null,
      replayCount: 0,
      createdAt: now,
      sentAt: null,
      deadAt: null,
    });
    if (result === 'cancelled') return { ok: false, httpStatus: null, error: 'Gantry is shutting down' };
    return { ok: result.kind === 'sent', httpStatus: result.httpStatus, error: result.error };
  }

  /** One HTTP request, classified. Never throws; never lets the URL or a secret into its messages. */
  private async post(channel: ChannelSpec, claim: NotificationDelivery): Promise<PostResult | 'cancelled'> {
    let resolved: ResolvedChannel;
    try {
      resolved = await resolveChannel(channel);
    } catch (error) {
      // A secret that went missing may come back (a file being rotated): retried.
      return { kind: 'retry', httpStatus: null, error: redactText(errorMessage(error)) };
    }
    const scrub = (text: string) => scrubSecrets(text, resolved);
    const { body, headers } = requestFor(channel, claim, resolved);
    const timeout = AbortSignal.timeout(channel.timeout.ms);
    let response: Response;
    let answer: string;
    try {
      response = await fetch(resolved.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.stopSignal.signal]),
      });
      answer = (await response.text()).slice(0, 1_000);
    } catch (error) {
      if (this.stopSignal.signal.aborted) return 'cancelled';
      const error_ = timeout.aborted
        ? `no answer within ${channel.timeout.text} (timed out)`
        : `request failed: ${describeFetchError(error)}`;
      return { kind: 'retry', httpStatus: null, error: scrub(error_) };
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'sent', httpStatus: status, error: null };
    const said = answer.trim() ? `: ${oneLine(answer).slice(0, MAX_ERROR_BODY)}` : '';
    const what = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${said}`;
    if (status === 408 || status === 429 || status >= 500) {
      return {
        kind: 'retry',
        httpStatus: status,
        error: scrub(what),
        retryAfterMs:
          status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after')) : undefined,
      };
    }
    const why =
      status >= 300 && status < 400
        ? 'Gantry does not follow redirects: put the final URL in the channel secret'
        : 'an answer like this does not change by retrying: check the channel URL and the receiver';
    return { kind: 'permanent', httpStatus: status, error: scrub(`${what}; ${why}`) };
  }
}

type PostResult =
  | { kind: 'sent'; httpStatus: number; error: null }
  | { kind: 'retry'; httpStatus: number | null; error: string; retryAfterMs?: number }
  | { kind: 'permanent'; httpStatus: number; error: string };

export function retryPolicyOf(channel: ChannelSpec): RetryPolicy {
  return {
    maxAttempts: channel.retry.attempts,
    baseDelayMs: channel.retry.backoff.ms,
    maxDelayMs: channel.retry.maxBackoff.ms,
  };
}

export function contentOf(delivery: NotificationDelivery): DeliveryContent {
  return {
    eventId: delivery.eventId,
    type: delivery.eventType as DeliveryContent['type'],
    occurredAt: delivery.occurredAt,
    data: delivery.data as unknown as DeliveryContent['data'],
  };
}

/** The body and headers of a delivery's request to its channel. */
export function requestFor(
  channel: ChannelSpec,
  delivery: NotificationDelivery,
  resolved: ResolvedChannel,
): { body: string; headers: Record<string, string> } {
  const content = contentOf(delivery);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': USER_AGENT,
  };
  if (channel.type === 'slack') return { body: JSON.stringify(slackMessage(content)), headers };
  const body = webhookBody(content);
  headers[NotificationHeader.event] = delivery.eventType;
  headers[NotificationHeader.delivery] = delivery.id;
  headers[NotificationHeader.signature] = signPayload(resolved.secret ?? '', body);
  return { body, headers };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The URL (and its path alone: the secret part of a Slack URL) and the signing secret, taken out of `text`. */
export function scrubSecrets(text: string, resolved: ResolvedChannel): string {
  let scrubbed = text;
  const secrets = [resolved.url, resolved.secret];
  try {
    const path = new URL(resolved.url).pathname;
    if (path.length > 1) secrets.push(path);
  } catch {
    // not a URL: the whole string is already in the list
  }
  for (const secret of secrets) {
    if (secret && secret.length >= 4) scrubbed = scrubbed.split(secret).join(REDACTED);
  }
  return redactText(scrubbed);
}

/** Node's fetch says "fetch failed"; the cause says what happened (connection refused, no such host…). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before an answer came';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connecting timed out';
    default:
      return code ?? (cause instanceof Error ? cause.message : errorMessage(error));
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
