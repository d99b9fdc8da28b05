import { Module } from '@nestjs/common';
import { PipelinesController } from '../pipelines/pipelines.controller.js';
import { ReleasesController } from '../releases/releases.controller.js';
import { LocalTargetController } from '../local-target/local-target.controller.js';
import { RolloutsController } from '../rollouts/rollouts.controller.js';
import { PreviewsController } from '../previews/previews.controller.js';
import { PromotionsController } from './promotions.controller.js';

/**
 * The HTTP face of the delivery core (pipelines, releases, promotions). The
 * core itself is built by the composition root and injected as DELIVERY.
 */
@Module({
  controllers: [
    PipelinesController,
    ReleasesController,
    PromotionsController,
    RolloutsController,
    LocalTargetController,
    PreviewsController,
  ],
})
export class DeliveryModule {}
