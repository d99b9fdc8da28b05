import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { GantryConfig } from '../config/config.js';
import type { EventBackbone } from '../features/events/event-backbone.js';
import { AccessModule } from '../features/access/access.module.js';
import { EventsModule } from '../features/events/events.module.js';
import { HealthModule, READINESS_CHECKS, type ReadinessCheck } from '../features/health/health.controller.js';
import type { DatabaseHandle } from '../platform/database/database.js';
import { migrationStatus } from '../platform/database/migrate.js';
import type { Logger } from '../platform/logging/logger.js';
import type { MetricsRegistry } from '../platform/metrics/metrics.js';
import { OpenApiModule } from '../platform/openapi/openapi.module.js';
import { errorMessage } from '../shared/errors.js';
import { DeliveryModule } from '../features/promotions/delivery.module.js';
import { WebhooksModule } from '../features/webhooks/webhooks.module.js';
import { IncidentsModule } from '../features/incidents/incidents.controller.js';
import { NotificationsModule } from '../features/notifications/notifications.module.js';
import type { NotificationsService } from '../features/notifications/notifications.service.js';
import { DoraModule } from '../features/dora/dora.module.js';
import { StreamModule } from '../features/stream/stream.module.js';
import { apiOperations } from './api-operations.js';
import type { Delivery } from './delivery.js';
import { DATABASE, DELIVERY, EVENT_BACKBONE, GANTRY_CONFIG, LOGGER } from './tokens.js';

export interface AppContext {
  config: GantryConfig;
  database: DatabaseHandle;
  backbone: EventBackbone;
  delivery: Delivery;
  logger: Logger;
  metrics: MetricsRegistry;
  notifications: NotificationsService;
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
      { provide: DELIVERY, useValue: context.delivery },
      { provide: LOGGER, useValue: context.logger },
      { provide: READINESS_CHECKS, useValue: [databaseReadiness(context.database)] },
    ];
    return {
      module: CoreModule,
      providers,
      exports: [GANTRY_CONFIG, DATABASE, EVENT_BACKBONE, DELIVERY, LOGGER],
    };
  }
}

/** The root module: features are added to `imports` as they arrive. */
@Module({})
export class AppModule {
  static register(context: AppContext): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(context),
        HealthModule.forRoot(context.metrics),
        EventsModule,
        AccessModule,
        DeliveryModule,
        WebhooksModule.register(context.metrics),
        IncidentsModule,
        NotificationsModule.register(context.notifications),
        DoraModule,
        StreamModule,
        OpenApiModule.register(apiOperations),
      ],
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
