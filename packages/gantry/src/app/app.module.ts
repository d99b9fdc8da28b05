import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { GantryConfig } from '../config/config.js';
import type { EventBackbone } from '../features/events/event-backbone.js';
import { EventsModule } from '../features/events/events.module.js';
import { HealthModule, READINESS_CHECKS, type ReadinessCheck } from '../features/health/health.controller.js';
import type { DatabaseHandle } from '../platform/database/database.js';
import { migrationStatus } from '../platform/database/migrate.js';
import type { Logger } from '../platform/logging/logger.js';
import type { MetricsRegistry } from '../platform/metrics/metrics.js';
import { errorMessage } from '../shared/errors.js';
import { DATABASE, EVENT_BACKBONE, GANTRY_CONFIG, LOGGER } from './tokens.js';

export interface AppContext {
  config: GantryConfig;
  database: DatabaseHandle;
  backbone: EventBackbone;
  logger: Logger;
  metrics: MetricsRegistry;
}

/** Makes the process-wide objects injectable everywhere. */
@Global()
@Module({})
class CoreModule {
  static register(context: AppContext): DynamicModule {
    const providers = [
      { provide: GANTRY_CONFIG, useValue: context.config },
      { provide: DATABASE, useValue: context.database },
      { provide: EVENT_BACKBONE, useValue: context.backbone },
      { provide: LOGGER, useValue: context.logger },
      { provide: READINESS_CHECKS, useValue: [databaseReadiness(context.database)] },
    ];
    return {
      module: CoreModule,
      providers,
      exports: [GANTRY_CONFIG, DATABASE, EVENT_BACKBONE, LOGGER],
    };
  }
}

/** The root module: features are added to `imports` as they arrive. */
@Module({})
export class AppModule {
  static register(context: AppContext): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.register(context), HealthModule.forRoot(context.metrics), EventsModule],
    };
  }
}

function databaseReadiness(database: DatabaseHandle): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      try {
        const { applied, expected } = await migrationStatus(database);
        if (applied < expected) {
          return { ok: false, detail: `${applied} of ${expected} migrations applied; run gantry migrate` };
        }
        return { ok: true, detail: database.description };
      } catch (error) {
        return { ok: false, detail: errorMessage(error) };
      }
    },
  };
}
