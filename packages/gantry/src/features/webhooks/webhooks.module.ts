import { Module, type DynamicModule } from '@nestjs/common';
import type { MetricsRegistry } from '../../platform/metrics/metrics.js';
import { WebhookIntake } from './webhook-intake.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** Inbound webhooks from GitHub, GitLab, Alertmanager and any CI; deliveries are counted on /metrics. */
@Module({})
export class WebhooksModule {
  static register(metrics: MetricsRegistry): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhooksController],
      providers: [
        { provide: WebhookMetrics, useValue: new WebhookMetrics(metrics) },
        WebhookIntake,
        WebhooksService,
      ],
    };
  }
}
