import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GantryConfig } from '../config/config.js';
import { bootstrapAdminToken } from '../features/access/bootstrap-admin-token.js';
import { EventBackbone } from '../features/events/event-backbone.js';
import { createTransport } from '../features/events/transports/create-transport.js';
import type { Transport } from '../features/events/transports/transport.js';
import type { DatabaseHandle } from '../platform/database/database.js';
import { runMigrations } from '../platform/database/migrate.js';
import { dashboardDirectory, serveDashboard } from '../platform/http/dashboard-assets.js';
import { createHttpApp } from '../platform/http/http-app.js';
import { HttpConnections } from '../platform/http/http-connections.js';
import { createLogger, type LogDestination, type Logger } from '../platform/logging/logger.js';
import { BackboneMetrics } from '../features/events/backbone-metrics.js';
import { HttpMetrics, MetricsRegistry } from '../platform/metrics/metrics.js';
import { initTracing, type SpanExporter, type TracingHandle } from '../platform/telemetry/tracing.js';
import { errorMessage, StartupError } from '../shared/errors.js';
import { redactText } from '../shared/redact.js';
import { withTimeout } from '../shared/sleep.js';
import { uuidv7 } from '../shared/uuidv7.js';
import { AppModule } from './app.module.js';
import { Delivery } from './delivery.js';
import { openConfiguredDatabase, type OpenedDatabase } from './open-database.js';
import { NotificationMetrics } from '../features/notifications/notification-metrics.js';
import { EMPTY_NOTIFICATIONS, loadNotificationsFile } from '../features/notifications/notifications-file.js';
import { NotificationsService, publicUrlOf } from '../features/notifications/notifications.service.js';

export interface RunningServer {
  app: NestFastifyApplication;
  backbone: EventBackbone;
  /** Pipelines, releases, promotions and the apply runner. */
  delivery: Delivery;
  /** Outbound notifications (GANTRY_NOTIFICATIONS_FILE). */
  notifications: NotificationsService;
  database: DatabaseHandle;
  /** The address it listens on, e.g. http://127.0.0.1:7070. */
  url: string;
  /**
   * The file holding the admin token created on this start because the
   * database had no API token (<GANTRY_DATA_DIR>/admin-token); undefined when
   * tokens already existed.
   */
  adminTokenFile: string | undefined;
  /** Graceful shutdown; resolves when everything is closed. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Install SIGTERM/SIGINT handlers that stop gracefully and exit (the CLI does; tests do not). */
  handleSignals?: boolean;
  /** Let the caller register consumers (tests) before the backbone starts. */
  beforeStart?: (backbone: EventBackbone) => void;
  /** Use this database instead of opening the configured one (tests); it is closed on stop. */
  database?: OpenedDatabase;
  /** Use this transport instead of the configured broker (tests). */
  transport?: Transport;
  /** Also export spans here (tests read them from an in-memory exporter). */
  spanExporter?: SpanExporter;
  /** How long an apply claim lasts before another process may resume it (tests shorten it). */
  applyLeaseMs?: number;
  /** How long the relay's outbox partition leases last (tests shorten it). */
  relayLeaseMs?: number;
  /** Write the log here instead of stdout (tests read it). */
  logDestination?: LogDestination;
}

/**
 * The composition root of `gantry server`: configuration → logger, tracing →
 * database (migrated) → broker transport → event backbone → HTTP app. The
 * backbone connects in the background, so the API answers (and /readyz says
 * what is missing) even while the broker is still unreachable.
 */
export async function startServer(
  config: GantryConfig,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const { handleSignals = true } = options;
  const logger = createLogger(config.log, options.logDestination);
  const tracing = initTracing({
    serviceName: config.telemetry.serviceName,
    otlpEndpoint: config.telemetry.otlpEndpoint,
    exporter: options.spanExporter,
  });
  // Checked before anything opens: a broken notifications file stops the start.
  const notificationsSpec = config.notifications.file
    ? await loadNotificationsFile(config.notifications.file).catch(async (error: unknown) => {
        await options.database?.close();
        throw error;
      })
    : EMPTY_NOTIFICATIONS;
  const database = options.database ?? (await openDatabase(config, logger));
  try {
    await runMigrations(database.handle);
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.info({ database: database.handle.description }, 'database migrated');
  let adminTokenFile: string | undefined;
  try {
    adminTokenFile = await bootstrapAdminToken(database.handle, { dataDir: config.database.dataDir, logger });
  } catch (error) {
    await database.close();
    throw error;
  }

  const metrics = new MetricsRegistry();
  const backboneMetrics = new BackboneMetrics(metrics);
  const transport = options.transport ?? configuredTransport(config, logger);
  const backbone = new EventBackbone({
    database: database.handle,
    transport,
    logger,
    relay: { ...config.relay, leaseMs: options.relayLeaseMs },
    consumers: {
      concurrency: config.consumers.concurrency,
      maxAttempts: config.consumers.maxAttempts,
      baseDelayMs: config.consumers.retryBaseMs,
      maxDelayMs: config.consumers.retryMaxMs,
    },
    instrumentation: backboneMetrics,
  });
  backboneMetrics.setOutboxStatsSource(() => backbone.outboxStats());
  backboneMetrics.setDeadLetterCountSource(() => backbone.unresolvedDeadLetters());
  const delivery = new Delivery({
    database: database.handle,
    backbone,
    logger,
    workDir: join(config.database.dataDir, 'work'),
    logDir: join(config.database.dataDir, 'logs'),
    metricsRegistry: metrics.registry,
    applyLeaseMs: options.applyLeaseMs,
    previews: config.previews,
    incidents: {
      labels: { service: config.incidents.serviceLabel, stage: config.incidents.stageLabel },
      rollbackWindowMs: config.incidents.rollbackWindowMs,
    },
  });
  const notificationMetrics = new NotificationMetrics(metrics);
  const notifications = new NotificationsService({
    database: database.handle,
    spec: notificationsSpec,
    publicUrl: publicUrlOf(config),
    logger,
    owner: `${hostname()}/${process.pid}/${uuidv7().slice(-12)}`,
    retentionMs: config.relay.retentionMs,
    instrumentation: notificationMetrics,
  });
  notificationMetrics.setQueueSource(() => notifications.queueCounts());
  notifications.registerConsumers(backbone.consumers);

  let app: NestFastifyApplication;
  let connections: HttpConnections;
  try {
    app = await createHttpApp(
      AppModule.register({
        config,
        database: database.handle,
        backbone,
        delivery,
        logger,
        metrics,
        notifications,
      }),
      { logger, metrics: new HttpMetrics(metrics) },
    );
    connections = new HttpConnections(app.getHttpServer());
    serveDashboard(app.getHttpAdapter().getInstance(), dashboardDirectory(config.dashboard.dir), logger);
    await app.init(); // runs onModuleInit: features register their consumers here
    options.beforeStart?.(backbone);
    backbone.start();
    await delivery.start();
    await notifications.start();
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await notifications.stop().catch(() => undefined);
    await backbone.stop(config.shutdownTimeoutMs).catch(() => undefined);
    await database.close().catch(() => undefined);
    throw listenError(error, config);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
  logger.info(
    { url, database: database.handle.description, broker: transport.description },
    'Gantry is listening',
  );

  const stop = onceOnly(() =>
    shutdown({ app, connections, backbone, delivery, notifications, database, tracing, logger, config }),
  );
  if (handleSignals) installSignalHandlers(stop, logger);
  return { app, backbone, delivery, notifications, database: database.handle, url, adminTokenFile, stop };
}

async function shutdown(parts: {
  app: NestFastifyApplication;
  connections: HttpConnections;
  backbone: EventBackbone;
  delivery: Delivery;
  notifications: NotificationsService;
  database: OpenedDatabase;
  tracing: TracingHandle;
  logger: Logger;
  config: GantryConfig;
}): Promise<void> {
  const { app, connections, backbone, delivery, notifications, database, tracing, logger, config } = parts;
  logger.info(
    { timeoutMs: config.shutdownTimeoutMs },
    'shutting down: no new work, finishing what is in flight',
  );
  // Applies in flight finish (a git push is not cut in half), deliveries stop
  // and in-flight handlers finish, while the HTTP server still answers
  // /healthz; then HTTP closes; the database goes last. An apply cut off by
  // the timeout keeps its lease and is resumed by the next process.
  await withTimeout(delivery.stop(), config.shutdownTimeoutMs, 'applies still running').catch(() =>
    delivery.applyRunner.cancel(),
  );
  // Requests to channels in flight finish or are cut off; a cut-off one is sent again later.
  await withTimeout(notifications.stop(), config.shutdownTimeoutMs, 'notifications still sending').catch(() =>
    notifications.sender.cancel(),
  );
  await backbone.stop(config.shutdownTimeoutMs);
  // Requests in flight get their answers (event streams end); a request still
  // running when the timeout runs out is cut.
  connections.closeWhenIdle();
  const cutOff = setTimeout(() => connections.closeAll(), config.shutdownTimeoutMs);
  await app
    .close()
    .catch((error: unknown) => logger.warn({ error: errorMessage(error) }, 'HTTP server close failed'));
  clearTimeout(cutOff);
  await tracing.shutdown().catch(() => undefined);
  await database.close();
  logger.info('stopped');
}

function installSignalHandlers(stop: () => Promise<void>, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'received signal');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ error: redactText(errorMessage(error)) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function onceOnly(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

function listenError(error: unknown, config: GantryConfig): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `port ${config.http.port} on ${config.http.host} is already in use; stop whatever holds it or set GANTRY_PORT`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(`cannot listen on ${config.http.host}: no such address here; check GANTRY_HOST`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function openDatabase(config: GantryConfig, logger: Logger): Promise<OpenedDatabase> {
  const firstStart = !config.database.url && !existsSync(join(config.database.dataDir, 'PG_VERSION'));
  logger.info(
    { database: config.database.url ? 'PostgreSQL' : `PGlite in ${config.database.dataDir}` },
    firstStart
      ? 'creating the embedded database (the first start takes several seconds)'
      : 'opening the database',
  );
  return openConfiguredDatabase(config.database, (error) =>
    logger.warn({ error: redactText(error.message) }, 'database connection error; the pool reconnects'),
  );
}

function configuredTransport(config: GantryConfig, logger: Logger): Transport {
  const transport = createTransport(config.broker.url, {
    onStatusChange: (status, detail) =>
      status === 'connected'
        ? logger.info({ broker: transport.description }, 'broker connected')
        : logger.warn({ broker: transport.description, detail }, 'broker disconnected; reconnecting'),
    onMalformed: (message) =>
      logger.error({ message }, 'dropped a broker message that is not a Gantry event'),
    onError: (error) => logger.warn({ error: redactText(errorMessage(error)) }, 'broker error'),
  });
  return transport;
}
