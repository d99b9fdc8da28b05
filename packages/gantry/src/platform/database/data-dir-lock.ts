import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// PGlite does not lock its data directory, and two processes writing one
// directory corrupt it. Gantry takes this lock before opening PGlite.

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `Another Gantry (pid ${holderPid}) is using the embedded database in ${dataDir}. ` +
        'Stop it first, or give this one its own GANTRY_DATA_DIR (or use GANTRY_DATABASE_URL for a shared PostgreSQL).',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'gantry.lock');
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };

  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      // 'wx' fails if the file exists: creating it is the atomic test-and-set.
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return {
        path,
        release() {
          try {
            const current = readOwner(path);
            if (current?.pid === process.pid) rmSync(path, { force: true });
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readOwner(path);
      if (holder && holder.host === owner.host && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new DataDirLockedError(dataDir, holder.pid);
      }
      if (holder && holder.host !== owner.host) {
        // Another machine (a shared volume): we cannot see its processes, so never steal.
        throw new DataDirLockedError(dataDir, holder.pid);
      }
      // The holder died without releasing (kill -9, power loss): take over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}: the lock file kept reappearing; is another Gantry starting?`);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return parsed as LockOwner;
  } catch {
    // Unreadable or half-written: treat as stale.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
