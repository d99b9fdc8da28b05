import { timestamp } from 'drizzle-orm/pg-core';

/** Every instant Gantry stores is a `timestamptz`, read as a JavaScript Date. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
