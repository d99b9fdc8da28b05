import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { sseFrame, STREAM_EVENT_TYPES, toStreamEvent } from './stream.dto.js';
import { latestOutboxSeq, streamRowsAfter, type StreamRow } from './stream.repository.js';

// The fan-out behind GET /api/v1/stream, one per Gantry process. While at
// least one client listens, it reads new outbox rows every pollIntervalMs and
// writes each to every client that wants its type. Each process reads the
// outbox for itself, so clients of every replica see every event, whichever
// replica wrote it.
//
// Why it looks back: seq is taken when a row is inserted, but transactions
// commit in their own order, so a row with a lower seq can become visible
// after a higher one was already read (appends lock per key, not globally).
// Each pass therefore re-reads the last lookbackMs of seqs and sends the rows
// it had not seen. A transaction that stays open longer than that is missed
// live; a client reloading after a reconnect still shows the truth.

/** One connected client. */
export interface StreamClient {
  /** Only these event types; empty means all. */
  types: ReadonlySet<string>;
  /** Writes text; false when the client is too far behind and should be dropped. */
  write: (text: string) => boolean;
  end: () => void;
}

export interface StreamHubOptions {
  pollIntervalMs?: number;
  lookbackMs?: number;
  heartbeatMs?: number;
  /** A resuming client missing more events than this is told to reload instead (event: reset). */
  replayLimit?: number;
}

interface Listener {
  client: StreamClient;
  /** Rows held back while the client's replay is being read. */
  pending: StreamRow[] | undefined;
  /** Seqs of the replay, so held-back rows are not sent twice. */
  replayed: Set<number>;
}

const READ_BATCH = 1000;

export class StreamHub {
  private readonly listeners = new Set<Listener>();
  private readonly pollIntervalMs: number;
  private readonly lookbackMs: number;
  private readonly heartbeatMs: number;
  private readonly replayLimit: number;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  /** Bumped on pause, so a pass still running from before does not schedule another. */
  private generation = 0;
  /** The highest seq read so far. */
  private highest = 0;
  /** `highest` as it was at each pass, to know where lookbackMs ago began. */
  private marks: { at: number; seq: number }[] = [];
  /** Seqs already sent in the lookback window. */
  private readonly seen = new Set<number>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
    options: StreamHubOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.lookbackMs = options.lookbackMs ?? 10_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.replayLimit = options.replayLimit ?? 1000;
  }

  /** Clients connected to this process (for /metrics and tests). */
  get clients(): number {
    return this.listeners.size;
  }

  /**
   * Adds a client. With `afterSeq` (its Last-Event-ID), it first gets what it
   * missed since, or a reset when that is more than replayLimit events.
   * Returns the function that removes it.
   */
  async join(client: StreamClient, afterSeq?: number): Promise<() => void> {
    if (this.closed) {
      client.end();
      return () => undefined;
    }
    const listener: Listener = {
      client,
      pending: afterSeq === undefined ? undefined : [],
      replayed: new Set(),
    };
    await this.start();
    this.listeners.add(listener);
    const leave = () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.pause();
    };
    if (afterSeq !== undefined) {
      try {
        await this.replay(listener, afterSeq);
      } catch (error) {
        leave();
        throw error;
      }
    }
    return leave;
  }

  /** Ends every client and stops reading (the server is shutting down). */
  close(): void {
    this.closed = true;
    this.pause();
    for (const listener of this.listeners) listener.client.end();
    this.listeners.clear();
  }

  private async replay(listener: Listener, afterSeq: number): Promise<void> {
    const types = listener.client.types.size > 0 ? [...listener.client.types] : STREAM_EVENT_TYPES;
    const rows = await streamRowsAfter(this.database.db, afterSeq, types, this.replayLimit + 1);
    if (rows.length > this.replayLimit) {
      const reason = `more than ${this.replayLimit} events since ${afterSeq}: reload`;
      listener.client.write(`event: reset\ndata: ${JSON.stringify({ reason })}\n\n`);
    } else {
      for (const row of rows) {
        listener.replayed.add(row.seq);
        if (!this.send(listener, row)) return;
      }
    }
    const held = listener.pending ?? [];
    listener.pending = undefined;
    for (const row of held) {
      if (!listener.replayed.has(row.seq) && !this.send(listener, row)) return;
    }
    listener.replayed.clear();
  }

  private start(): Promise<void> {
    this.starting ??= (async () => {
      this.highest = await latestOutboxSeq(this.database.db);
      this.marks = [{ at: Date.now(), seq: this.highest }];
      this.seen.clear();
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.heartbeatTimer.unref();
      this.schedule();
    })().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private pause(): void {
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    this.pollTimer = undefined;
    this.heartbeatTimer = undefined;
    this.starting = undefined;
    this.generation += 1;
  }

  private schedule(): void {
    const generation = this.generation;
    this.pollTimer = setTimeout(() => void this.poll(generation), this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private async poll(generation: number): Promise<void> {
    try {
      await this.readNew();
    } catch (error) {
      this.logger.warn({ error: errorMessage(error) }, 'event stream: reading the outbox failed; retrying');
    }
    if (generation === this.generation && this.listeners.size > 0) this.schedule();
  }

  /** One pass: rows after the lookback floor that were not sent yet, in seq order. */
  private async readNew(): Promise<void> {
    const now = Date.now();
    const floor = this.floorAt(now);
    let after = floor;
    for (;;) {
      const rows = await streamRowsAfter(this.database.db, after, STREAM_EVENT_TYPES, READ_BATCH);
      for (const row of rows) {
        if (this.seen.has(row.seq)) continue;
        this.seen.add(row.seq);
        if (row.seq > this.highest) this.highest = row.seq;
        this.deliver(row);
      }
      if (rows.length < READ_BATCH) break;
      after = rows.at(-1)!.seq;
    }
    this.marks.push({ at: now, seq: this.highest });
    // Keep the newest mark older than the lookback: it is the next floor.
    while (this.marks.length > 1 && this.marks[1]!.at <= now - this.lookbackMs) this.marks.shift();
    const nextFloor = this.marks[0]!.seq;
    for (const seq of this.seen) if (seq <= nextFloor) this.seen.delete(seq);
  }

  private floorAt(now: number): number {
    let floor = this.marks[0]?.seq ?? this.highest;
    for (const mark of this.marks) if (mark.at <= now - this.lookbackMs) floor = mark.seq;
    return floor;
  }

  private deliver(row: StreamRow): void {
    for (const listener of this.listeners) {
      if (listener.client.types.size > 0 && !listener.client.types.has(row.type)) continue;
      if (listener.pending) listener.pending.push(row);
      else this.send(listener, row);
    }
  }

  /** False when the client was dropped for being too slow. */
  private send(listener: Listener, row: StreamRow): boolean {
    if (listener.client.write(sseFrame(toStreamEvent(row)))) return true;
    this.drop(listener);
    return false;
  }

  private drop(listener: Listener): void {
    this.listeners.delete(listener);
    listener.client.end();
    if (this.listeners.size === 0) this.pause();
  }

  private heartbeat(): void {
    for (const listener of this.listeners) {
      if (!listener.client.write(': keep-alive\n\n')) this.drop(listener);
    }
  }
}
