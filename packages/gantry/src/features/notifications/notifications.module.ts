import { Module, type DynamicModule } from '@nestjs/common';
import { NOTIFICATIONS, NotificationsController } from './notifications.controller.js';
import type { NotificationsService } from './notifications.service.js';

/** The notifications API; the service itself is built by the composition root. */
@Module({})
export class NotificationsModule {
  static register(notifications: NotificationsService): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [NotificationsController],
      providers: [{ provide: NOTIFICATIONS, useValue: notifications }],
    };
  }
}
