import type { GantryConfig } from '../config/config.js';
import { lockDataDir } from '../platform/database/data-dir-lock.js';
import { openPglite, openPostgres, type DatabaseHandle } from '../platform/database/database.js';

export interface OpenedDatabase {
  handle: DatabaseHandle;
  /** Closes the connection(s) and releases the data-directory lock. */
  close(): Promise<void>;
}

/**
 * PostgreSQL when GANTRY_DATABASE_URL is set, otherwise PGlite in
 * GANTRY_DATA_DIR behind a lock file (PGlite does not lock its directory, and
 * two processes on one directory corrupt it).
 */
export async function openConfiguredDatabase(
  config: GantryConfig['database'],
  onBackgroundError?: (error: Error) => void,
): Promise<OpenedDatabase> {
  if (config.url) {
    const handle = openPostgres({ url: config.url, poolSize: config.poolSize, onError: onBackgroundError });
    return { handle, close: () => handle.close() };
  }
  const lock = lockDataDir(config.dataDir);
  try {
    const handle = await openPglite(config.dataDir);
    return {
      handle,
      async close() {
        try {
          await handle.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
