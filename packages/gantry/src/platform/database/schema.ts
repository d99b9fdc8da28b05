// Every feature's Drizzle tables, gathered for the typed database handle.
// drizzle-kit reads the *.tables.ts files directly (see drizzle.config.ts).
import * as accessTables from '../../features/access/access.tables.js';
import * as eventTables from '../../features/events/events.tables.js';
import * as pipelineTables from '../../features/pipelines/pipelines.tables.js';
import * as promotionTables from '../../features/promotions/promotions.tables.js';
import * as releaseTables from '../../features/releases/releases.tables.js';
import * as notificationTables from '../../features/notifications/notifications.tables.js';

export const schema = {
  ...eventTables,
  ...pipelineTables,
  ...releaseTables,
  ...promotionTables,
  ...accessTables,
  ...notificationTables,
};
export type Schema = typeof schema;
