import { SpanKind } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { traceHeaders, withSpan } from '../../platform/telemetry/tracing.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import { backoffDelay } from '../../shared/backoff.js';
import { sleep } from '../../shared/sleep.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import type { EventEnvelope } from './event.js';
import { noInstrumentation, type BackboneInstrumentation } from './instrumentation.js';
import {
  ensurePartitions,
  forgetAllRelays,
  forgetRelay,
  heartbeatRelay,
  leasePartitions,
  markSent,
  nextDueAt,
  OUTBOX_CHANNEL,
  pruneDeadRelays,
  pruneSentRows,
  selectDueRows,
} from './outbox.repository.js';
import { pruneProcessed } from './processed-events.repository.js';
import { fairShare } from './partitions.js';
import type { Transport } from './transports/transport.js';

export interface RelayOptions {
  database: DatabaseHandle;
  transport: Transport;
  logger: Logger;
  batchSize: number;
  pollIntervalMs: number;
  retentionMs: number;
  /** How long a partition lease lasts without renewal; another relay may take it after. */
  leaseMs?: number;
  instrumentation?: BackboneInstrumentation;
  /** Called after each published batch (tests, benchmarks). */
  onBatchPublished?: (envelopes: readonly EventEnvelope[]) => void;
}

const MAX_BACKOFF_MS = 30_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Moves outbox rows to the broker. Each relay leases a fair share of the
 * outbox partitions and publishes their due rows in seq order, a batch at a
 * time: read the batch (no transaction held), publish and wait for the
 * broker's confirms, then mark the rows sent. A crash between publish and
 * mark republishes the batch; consumers deduplicate. While the broker is
 * down it backs off and the backlog stays in the outbox.
 */
export class OutboxRelay {
  readonly id = `relay-${uuidv7()}`;
  private readonly leaseMs: number;
  private readonly instrumentation: BackboneInstrumentation;
  private partitions: number[] = [];
  private leaseRenewAt = 0;
  private wake = new AbortController();
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private failures = 0;
  private lastPruneAt = 0;
  private running = false;

  constructor(private readonly options: RelayOptions) {
    this.leaseMs = options.leaseMs ?? 15_000;
    this.instrumentation = options.instrumentation ?? noInstrumentation;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get ownedPartitions(): readonly number[] {
    return this.partitions;
  }

  async start(): Promise<void> {
    const { database } = this.options;
    await ensurePartitions(database.db);
    // PGlite belongs to this one process (the data-directory lock says so): any
    // relay or lease found there is left over from a process that died.
    if (database.kind === 'pglite') await forgetAllRelays(database.db);
    this.unlisten = await database.listen(OUTBOX_CHANNEL, () => this.wake.abort());
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand, then stops and gives its partitions back. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopSignal.abort();
    this.wake.abort();
    await this.loop;
    this.loop = undefined;
    await this.unlisten?.().catch(() => undefined);
    await forgetRelay(this.options.database.db, this.id).catch(() => undefined);
    this.running = false;
  }

  private async run(): Promise<void> {
    while (!this.stopSignal.signal.aborted) {
      // A notification that arrives while a batch is in flight must not be
      // lost, so the wake signal is renewed before the database is read.
      if (this.wake.signal.aborted) this.wake = new AbortController();
      try {
        await this.renewLeasesIfDue();
        const published = await this.publishOneBatch();
        this.failures = 0;
        await this.pruneIfDue();
        if (published < this.options.batchSize) await this.idle();
      } catch (error) {
        this.failures += 1;
        this.instrumentation.publishFailed(this.options.transport.kind);
        const delay = backoffDelay(this.failures - 1, 200, MAX_BACKOFF_MS);
        const logLevel = this.failures === 1 || this.failures % 10 === 0 ? 'warn' : 'debug';
        this.options.logger[logLevel](
          { error: redactText(errorMessage(error)), failures: this.failures, retryInMs: delay },
          'relay could not publish; the backlog stays in the outbox',
        );
        await sleep(delay, this.stopSignal.signal);
      }
    }
  }

  private async renewLeasesIfDue(): Promise<void> {
    if (Date.now() < this.leaseRenewAt) return;
    const { db } = this.options.database;
    // A relay that stopped heartbeating for a whole lease is gone: its leases
    // have expired too, so the survivors take its share at once.
    const live = await heartbeatRelay(db, this.id, this.leaseMs);
    const { partitions } = await leasePartitions(db, this.id, fairShare(live), this.leaseMs);
    if (partitions.join() !== this.partitions.join()) {
      this.options.logger.debug({ relay: this.id, partitions, liveRelays: live }, 'relay partitions changed');
    }
    this.partitions = partitions;
    // Renew well before expiry, so a slow batch never outlives its lease.
    this.leaseRenewAt = Date.now() + this.leaseMs / 3;
  }

  private async publishOneBatch(): Promise<number> {
    if (this.partitions.length === 0) return 0;
    const { database, transport, batchSize } = this.options;
    const batch = await selectDueRows(database.db, this.partitions, batchSize);
    if (batch.length === 0) return 0;
    const envelopes = await Promise.all(batch.map((envelope) => this.traced(envelope)));
    await transport.publish(envelopes);
    await markSent(
      database.db,
      batch.map((envelope) => envelope.outboxSeq),
    );
    this.instrumentation.relayed(transport.kind, batch.length);
    this.options.onBatchPublished?.(envelopes);
    return batch.length;
  }

  /** A PRODUCER span per event, child of the request that wrote it; consumers continue from it. */
  private traced(envelope: EventEnvelope): Promise<EventEnvelope> {
    return withSpan(
      `${envelope.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        parentHeaders: envelope.headers,
        attributes: {
          'messaging.system': this.options.transport.kind,
          'messaging.operation.type': 'publish',
          'messaging.message.id': envelope.id,
          'gantry.event.type': envelope.type,
          'gantry.outbox.seq': envelope.outboxSeq,
        },
      },
      () => Promise.resolve({ ...envelope, headers: { ...envelope.headers, ...traceHeaders() } }),
    );
  }

  /** Sleeps until notified, the next timer is due, or the poll interval passes. */
  private async idle(): Promise<void> {
    // Notified while the batch was in flight: there is work, so skip the timer query.
    if (this.wake.signal.aborted) return;
    let wait = this.options.pollIntervalMs;
    if (this.partitions.length > 0) {
      const next = await nextDueAt(this.options.database.db, this.partitions);
      if (next) wait = Math.max(0, Math.min(wait, next.getTime() - Date.now()));
    }
    wait = Math.min(wait, Math.max(0, this.leaseRenewAt - Date.now()));
    // stop() aborts the wake signal too, so one signal serves both.
    if (wait > 0) await sleep(wait, this.wake.signal);
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const { db } = this.options.database;
    const cutoff = new Date(Date.now() - this.options.retentionMs);
    let outboxRows = 0;
    let processed = 0;
    for (let pruned = -1; pruned !== 0 && !this.stopSignal.signal.aborted;) {
      pruned = await pruneSentRows(db, cutoff);
      outboxRows += pruned;
    }
    for (let pruned = -1; pruned !== 0 && !this.stopSignal.signal.aborted;) {
      pruned = await pruneProcessed(db, cutoff);
      processed += pruned;
    }
    await pruneDeadRelays(db, this.leaseMs * 4);
    if (outboxRows + processed > 0) {
      this.options.logger.info(
        { outboxRows, processed },
        'pruned sent outbox rows and processed-event records',
      );
    }
  }
}
