import { join } from 'node:path';
import { hostname } from 'node:os';
import type { DatabaseHandle } from '../platform/database/database.js';
import type { Logger } from '../platform/logging/logger.js';
import type { EventBackbone } from '../features/events/event-backbone.js';
import { PipelinesService } from '../features/pipelines/pipelines.service.js';
import { ApplyRunner } from '../features/promotions/apply-runner.js';
import { registerPromotionConsumers } from '../features/promotions/promotion-consumers.js';
import { PromotionEngine } from '../features/promotions/promotion-engine.js';
import { PromotionsService } from '../features/promotions/promotions.service.js';
import { ReleasesService } from '../features/releases/releases.service.js';
import { GitopsDriver } from '../features/targets/gitops/gitops.driver.js';
import type { TargetDriver } from '../features/targets/target-driver.js';
import { uuidv7 } from '../shared/uuidv7.js';

export interface DeliveryOptions {
  database: DatabaseHandle;
  backbone: EventBackbone;
  logger: Logger;
  /** Where target drivers keep their working copies (config-repo clones). */
  workDir: string;
  /** Override the target drivers (tests). */
  drivers?: readonly TargetDriver[];
  applyLeaseMs?: number;
}

/**
 * Gantry's delivery core without HTTP: pipelines, releases, promotions, the
 * promotion engine's consumers and the apply runner. The server wraps it in
 * Nest controllers; tests and benchmarks use it directly.
 */
export class Delivery {
  readonly pipelines: PipelinesService;
  readonly releases: ReleasesService;
  readonly promotions: PromotionsService;
  readonly engine: PromotionEngine;
  readonly applyRunner: ApplyRunner;

  constructor(options: DeliveryOptions) {
    const { database, backbone, logger } = options;
    const drivers = options.drivers ?? [
      new GitopsDriver({ workRoot: join(options.workDir, 'gitops'), logger }),
    ];
    // The engine kicks the runner, and the runner reports back through the engine.
    const kicker = { kick: (id: string) => this.applyRunner.kick(id) };
    this.engine = new PromotionEngine(backbone.events, kicker, logger);
    const runner = new ApplyRunner({
      database,
      engine: this.engine,
      drivers,
      logger,
      owner: `${hostname()}/${process.pid}/${uuidv7().slice(-12)}`,
      leaseMs: options.applyLeaseMs,
    });
    this.applyRunner = runner;
    this.pipelines = new PipelinesService(database, backbone.events);
    this.releases = new ReleasesService(database, backbone.events);
    this.promotions = new PromotionsService(database, backbone.events, this.engine, runner);
    registerPromotionConsumers(backbone.consumers, this.promotions, logger);
  }

  start(): Promise<void> {
    return this.applyRunner.start();
  }

  stop(): Promise<void> {
    return this.applyRunner.stop();
  }
}
