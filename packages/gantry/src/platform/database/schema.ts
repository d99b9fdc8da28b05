// Every feature's Drizzle tables, gathered for the typed database handle.
// drizzle-kit reads the *.tables.ts files directly (see drizzle.config.ts).
import * as eventTables from '../../features/events/events.tables.js';

export const schema = { ...eventTables };
export type Schema = typeof schema;
