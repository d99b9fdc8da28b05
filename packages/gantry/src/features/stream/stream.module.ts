import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { DATABASE, LOGGER } from '../../app/tokens.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { StreamHub } from './stream-hub.js';
import { StreamController } from './stream.controller.js';

/** GET /api/v1/stream. Closing the application ends every open stream before the HTTP server closes. */
@Module({
  controllers: [StreamController],
  providers: [
    {
      provide: StreamHub,
      useFactory: (database: DatabaseHandle, logger: Logger) => new StreamHub(database, logger),
      inject: [DATABASE, LOGGER],
    },
  ],
})
export class StreamModule implements OnModuleDestroy {
  constructor(@Inject(StreamHub) private readonly hub: StreamHub) {}

  onModuleDestroy(): void {
    this.hub.close();
  }
}
