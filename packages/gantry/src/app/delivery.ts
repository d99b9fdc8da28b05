import { join } from 'node:path';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
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
import { AnalysisExecutor } from '../features/analysis/analysis-executor.js';
import { analysisProviders } from '../features/analysis/providers/analysis-providers.js';
import { LocalDriver } from '../features/local-target/local.driver.js';
import { LocalStages, type PortRange } from '../features/local-target/local-stage-runtime.js';
import { registerPreviewConsumers } from '../features/previews/preview-events.js';
import { PreviewTeardown } from '../features/previews/preview-teardown.js';
import { PreviewsService } from '../features/previews/previews.service.js';
import { TrafficMetrics } from '../features/local-target/proxy/traffic-metrics.js';
import { registerRolloutConsumers } from '../features/rollouts/rollout-events.js';
import { RolloutRunner } from '../features/rollouts/rollout-runner.js';
import { RolloutsService } from '../features/rollouts/rollouts.service.js';
import { registerIncidentConsumers } from '../features/incidents/incident-consumers.js';
import { IncidentsService, type IncidentSettings } from '../features/incidents/incidents.service.js';
import { registerCommitConsumers } from '../features/commits/commit-recorder.js';
import { CommitsService } from '../features/commits/commits.service.js';
import { registerDoraConsumers } from '../features/dora/dora-projections.js';
import { DoraService } from '../features/dora/dora.service.js';

export interface DeliveryOptions {
  database: DatabaseHandle;
  backbone: EventBackbone;
  logger: Logger;
  /** Where target drivers keep their working copies (config-repo clones). */
  workDir: string;
  /** Replica logs of local stages go under <logDir>/<service>/<stage>/<version>. */
  logDir?: string;
  /** Where the stage proxies' metrics are registered (the server's /metrics). */
  metricsRegistry?: Registry;
  /** Address local stages' proxies listen on (default 127.0.0.1). */
  proxyHost?: string;
  /** Override the gitops driver (tests); the local driver is always there. */
  drivers?: readonly TargetDriver[];
  applyLeaseMs?: number;
  /** Ports of local preview stages and how long a quiet preview lives (GANTRY_PREVIEW_PORTS, GANTRY_PREVIEW_TTL). */
  previews?: { ports: PortRange; ttlMs: number };
  /** Alert label names and the default rollback window (GANTRY_ALERT_*_LABEL, GANTRY_ROLLBACK_WINDOW). */
  incidents?: IncidentSettings;
}

const DEFAULT_PREVIEWS = { ports: { from: 9100, to: 9199 }, ttlMs: 7 * 24 * 3_600_000 };

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
  readonly rolloutRunner: RolloutRunner;
  readonly rollouts: RolloutsService;
  readonly localStages: LocalStages;
  readonly trafficMetrics: TrafficMetrics;
  readonly previews: PreviewsService;
  readonly previewTeardown: PreviewTeardown;
  readonly incidents: IncidentsService;
  readonly commits: CommitsService;
  readonly dora: DoraService;

  constructor(options: DeliveryOptions) {
    const { database, backbone, logger } = options;
    const owner = `${hostname()}/${process.pid}/${uuidv7().slice(-12)}`;
    const previewSettings = options.previews ?? DEFAULT_PREVIEWS;
    this.trafficMetrics = new TrafficMetrics(options.metricsRegistry ?? new Registry());
    this.localStages = new LocalStages({
      database,
      logger,
      metrics: this.trafficMetrics,
      logDir: options.logDir ?? join(options.workDir, '..', 'logs'),
      ...(options.proxyHost ? { proxyHost: options.proxyHost } : {}),
      previewPorts: previewSettings.ports,
    });
    const drivers = [
      ...(options.drivers ?? [new GitopsDriver({ workRoot: join(options.workDir, 'gitops'), logger })]),
      new LocalDriver(this.localStages),
    ];
    // The engine kicks the runner, and the runner reports back through the engine.
    const kicker = { kick: (id: string) => this.applyRunner.kick(id) };
    this.engine = new PromotionEngine(backbone.events, kicker, logger);
    this.rolloutRunner = new RolloutRunner({
      database,
      engine: this.engine,
      events: backbone.events,
      stages: this.localStages,
      analysis: new AnalysisExecutor(database, analysisProviders(this.trafficMetrics)),
      logger,
      owner,
    });
    const runner = new ApplyRunner({
      database,
      engine: this.engine,
      drivers,
      logger,
      owner,
      leaseMs: options.applyLeaseMs,
      verifier: this.rolloutRunner,
    });
    this.applyRunner = runner;
    this.pipelines = new PipelinesService(database, backbone.events);
    this.releases = new ReleasesService(database, backbone.events);
    this.promotions = new PromotionsService(
      database,
      backbone.events,
      this.engine,
      runner,
      this.rolloutRunner,
    );
    this.rollouts = new RolloutsService(database, this.promotions, this.rolloutRunner);
    this.previewTeardown = new PreviewTeardown({
      database,
      events: backbone.events,
      promotions: this.promotions,
      drivers,
      removeLocalStage: (service, stage) => this.localStages.removeStage(service, stage),
      logger,
      defaultTtlMs: previewSettings.ttlMs,
    });
    this.previews = new PreviewsService({
      database,
      events: backbone.events,
      promotions: this.promotions,
      logger,
      portOf: (service, stage) => this.localStages.portOf(service, stage),
      proxyHost: options.proxyHost ?? '127.0.0.1',
      onClosing: () => this.previewTeardown.kick(),
    });
    registerPromotionConsumers(backbone.consumers, this.promotions, logger);
    registerRolloutConsumers(backbone.consumers, this.rolloutRunner);
    registerPreviewConsumers(backbone.consumers, this.previews);
    this.incidents = new IncidentsService(
      database,
      backbone.events,
      this.promotions,
      this.rollouts,
      logger,
      options.incidents,
    );
    registerIncidentConsumers(backbone.consumers, this.incidents);
    this.commits = new CommitsService(database);
    this.dora = new DoraService(database);
    registerCommitConsumers(backbone.consumers, logger);
    registerDoraConsumers(backbone.consumers);
  }

  /** Brings local stages back as they were (adopting their replicas), then resumes applies and rollouts. */
  async start(): Promise<void> {
    await this.localStages.restore();
    await this.applyRunner.start();
    this.rolloutRunner.start();
    this.previewTeardown.start();
  }

  /** Applies and rollout steps in flight finish; then local stages' proxies close and their replicas drain. */
  async stop(): Promise<void> {
    await Promise.all([this.applyRunner.stop(), this.rolloutRunner.stop(), this.previewTeardown.stop()]);
    await this.localStages.stop();
  }
}
