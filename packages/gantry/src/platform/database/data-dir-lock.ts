import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// PGlite does not lock its data directory, and two processes writing one
// directory corrupt it. Gantry takes this lock before opening PGlite.
//
// The holder touches the lock file every REFRESH_MS. A lock is stale when its
// holder is a dead process on this machine, or when nobody has touched it for
// STALE_AFTER_MS: that covers a holder on another machine or in a container
// that was killed and recreated (new hostname, pids reused), where the pid
// check alone would refuse to start forever.

export const LOCK_REFRESH_MS = 10_000;
export const LOCK_STALE_AFTER_MS = 30_000;

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockOwner,
  ) {
    super(
      `Another Gantry (pid ${holder.pid} on ${holder.host}) is using the embedded database in ${dataDir}. ` +
        'Stop it first, or give this one its own GANTRY_DATA_DIR (or use GANTRY_DATABASE_URL for a shared PostgreSQL).',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export function lockDataDir(dataDir: string, now: () => number = Date.now): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'gantry.lock');
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date(now()).toISOString() };

  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      // 'wx' fails if the file exists: creating it is the atomic test-and-set.
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return heldLock(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readOwner(path);
      if (holder && holdsLock(path, holder, owner, now())) throw new DataDirLockedError(dataDir, holder);
      // The holder died without releasing (kill -9, power loss, a recreated container): take over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}: the lock file kept reappearing; is another Gantry starting?`);
}

function holdsLock(path: string, holder: LockOwner, self: LockOwner, now: number): boolean {
  if (holder.pid === self.pid && holder.host === self.host) return false;
  const touchedAgo = now - statSync(path).mtimeMs;
  if (touchedAgo > LOCK_STALE_AFTER_MS) return false;
  // On this machine a dead pid settles it at once; elsewhere only the refresh can tell.
  return holder.host === self.host ? isAlive(holder.pid) : true;
}

function heldLock(path: string): DataDirLock {
  const refresh = setInterval(() => {
    try {
      const time = new Date();
      utimesSync(path, time, time);
    } catch {
      // The directory went away; the next start will simply take a new lock.
    }
  }, LOCK_REFRESH_MS);
  refresh.unref();
  return {
    path,
    release() {
      clearInterval(refresh);
      try {
        if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
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
