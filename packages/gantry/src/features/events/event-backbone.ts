import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import { backoffDelay } from '../../shared/backoff.js';
import { sleep, withTimeout } from '../../shared/sleep.js';
import { ConsumerRegistry } from './consumers/consumer-registry.js';
import { ConsumerRuntime } from './consumers/consumer-runtime.js';
import { countUnresolvedDeadLetters } from './dead-letters/dead-letters.repository.js';
import { DeadLetterService } from './dead-letters/dead-letters.service.js';
import { EventAppender } from './event-appender.js';
import type { BackboneInstrumentation } from './instrumentation.js';
import { outboxStats, type OutboxStats } from './outbox.repository.js';
import { OutboxRelay } from './relay.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Transport } from './transports/transport.js';

export interface EventBackboneOptions {
  database: DatabaseHandle;
  transport: Transport;
  logger: Logger;
  relay: { batchSize: number; pollIntervalMs: number; retentionMs: number; leaseMs?: number };
  consumers: RetryPolicy & { concurrency: number };
  instrumentation?: BackboneInstrumentation;
  /** Run no relay in this process (tests of several relays, or consumer-only replicas). */
  withoutRelay?: boolean;
}

export type BackbonePhase = 'created' | 'connecting' | 'running' | 'stopping' | 'stopped';

/**
 * The event backbone of one Gantry process: the outbox appender features
 * write through, the consumer registry they declare handlers in, the relay
 * and the consumer runtime. Features register consumers, then start() runs
 * it all: connect to the broker (retrying until it answers), subscribe every
 * group, then start the relay, so no event is published before its queues exist.
 */
export class EventBackbone {
  readonly events = new EventAppender();
  readonly consumers = new ConsumerRegistry();
  readonly deadLetters: DeadLetterService;
  private relay: OutboxRelay | undefined;
  private runtime: ConsumerRuntime | undefined;
  private phase: BackbonePhase = 'created';
  private startup: Promise<void> | undefined;
  private readonly stopSignal = new AbortController();

  constructor(private readonly options: EventBackboneOptions) {
    this.deadLetters = new DeadLetterService(options.database, this.events);
  }

  get currentPhase(): BackbonePhase {
    return this.phase;
  }

  get transport(): Transport {
    return this.options.transport;
  }

  get relayRunning(): boolean {
    return this.relay?.isRunning ?? false;
  }

  /**
   * Starts in the background and resolves at once; `ready()` resolves when
   * the broker is connected and relay and consumers run. A broker that is
   * down at start-up is retried with backoff, and readiness says so meanwhile.
   */
  start(): void {
    if (this.startup) return;
    this.phase = 'connecting';
    this.startup = this.connectAndRun();
  }

  /** Resolves once running; rejects if stopped before it got there. */
  async ready(): Promise<void> {
    this.start();
    await this.startup;
    if (this.phase !== 'running') throw new Error(`event backbone is ${this.phase}`);
  }

  private async connectAndRun(): Promise<void> {
    const { transport, logger } = this.options;
    for (let attempt = 1; !this.stopSignal.signal.aborted; attempt += 1) {
      try {
        await transport.connect();
        break;
      } catch (error) {
        const delay = backoffDelay(attempt - 1, 1_000, 30_000);
        logger.warn(
          { broker: transport.description, error: redactText(errorMessage(error)), retryInMs: delay },
          'cannot reach the broker yet; retrying',
        );
        await sleep(delay, this.stopSignal.signal);
      }
    }
    if (this.stopSignal.signal.aborted) return;
    const { consumers, relay } = this.options;
    this.runtime = new ConsumerRuntime({
      database: this.options.database,
      transport,
      events: this.events,
      groups: this.consumers.seal(),
      retry: consumers,
      concurrency: consumers.concurrency,
      logger,
      instrumentation: this.options.instrumentation,
    });
    await this.runtime.start();
    if (!this.options.withoutRelay) {
      this.relay = new OutboxRelay({
        database: this.options.database,
        transport,
        logger,
        batchSize: relay.batchSize,
        pollIntervalMs: relay.pollIntervalMs,
        retentionMs: relay.retentionMs,
        leaseMs: relay.leaseMs,
        instrumentation: this.options.instrumentation,
      });
      await this.relay.start();
    }
    this.phase = 'running';
    logger.info(
      { broker: transport.description, relay: !this.options.withoutRelay },
      'event backbone running',
    );
  }

  /**
   * Graceful stop: no new deliveries, the relay finishes its batch, handlers
   * in flight finish (bounded by timeoutMs), then the broker connection closes.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopping';
    this.stopSignal.abort();
    await this.startup?.catch(() => undefined);
    await Promise.all([
      this.runtime?.stop(timeoutMs),
      this.relay &&
        withTimeout(this.relay.stop(), timeoutMs, 'relay batch still in flight').catch(() => undefined),
    ]);
    await this.options.transport
      .close()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { error: redactText(errorMessage(error)) },
          'broker connection did not close cleanly',
        ),
      );
    this.phase = 'stopped';
  }

  outboxStats(): Promise<OutboxStats> {
    return outboxStats(this.options.database.db);
  }

  unresolvedDeadLetters(): Promise<number> {
    return countUnresolvedDeadLetters(this.options.database.db);
  }
}
