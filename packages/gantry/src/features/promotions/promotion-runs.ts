import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';

export interface PromotionRunsOptions {
  /** One run of the work on a promotion; it claims the promotion's lease itself. */
  run(promotionId: string): Promise<void>;
  /** Promotions in the phase that nobody holds (never claimed, or their holder died). */
  unclaimed(): Promise<string[]>;
  logger: Logger;
  /** For log lines: "applying a promotion", "a rollout step". */
  what: string;
  sweepIntervalMs: number;
}

/**
 * At most one run per promotion in this process, started by a kick (right
 * after a transaction moved the promotion into the phase) or by a periodic
 * sweep for promotions nobody holds (a kick lost to a crash, a lease run out).
 * Shared by the apply runner and the rollout runner.
 */
export class PromotionRuns {
  private readonly running = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: PromotionRunsOptions) {}

  start(): void {
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    this.sweep();
  }

  /** No new runs; resolves when the runs in flight have finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.running.values()]);
  }

  kick(promotionId: string): void {
    if (this.stopping || this.running.has(promotionId)) return;
    const run = this.options
      .run(promotionId)
      .catch((error: unknown) => {
        this.options.logger.error(
          { promotionId, error: redactText(errorMessage(error)) },
          `${this.options.what} failed unexpectedly; it is retried when its lease runs out`,
        );
      })
      .finally(() => this.running.delete(promotionId));
    this.running.set(promotionId, run);
  }

  /** Waits for every run started so far (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private sweep(): void {
    if (this.stopping) return;
    this.options
      .unclaimed()
      .then((ids) => ids.forEach((id) => this.kick(id)))
      .catch((error: unknown) => {
        this.options.logger.warn(
          { error: redactText(errorMessage(error)) },
          `could not look for promotions to work on (${this.options.what})`,
        );
      });
  }
}
