import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_STALE_AFTER_MS, lockDataDir } from './data-dir-lock.js';

describe('data directory lock', () => {
  it('refuses a second holder while the first is alive, and frees on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-lock-'));
    const lockPath = join(dir, 'gantry.lock');
    const first = lockDataDir(dir);
    // Pretend another live process (our parent) holds it.
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }),
    );
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(/Another Gantry \(pid \d+ on .+\) is using the embedded database/);
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
    );
    first.release();
    const second = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    second.release();
  });

  it('takes over a lock left by a process that died', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-lock-'));
    // pid 2^22+1 is above Linux's default pid_max, so no process has it.
    writeFileSync(
      join(dir, 'gantry.lock'),
      JSON.stringify({ pid: 4_194_305, host: hostname(), since: '2026-01-01' }),
    );
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, 'gantry.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('refuses a fresh lock from another machine, and takes it over once it goes stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-lock-'));
    const lockPath = join(dir, 'gantry.lock');
    // A container recreated after a crash: other hostname, the same small pid.
    writeFileSync(lockPath, JSON.stringify({ pid: 7, host: '3f2a9c1b7e44', since: '2026-01-01' }));
    expect(() => lockDataDir(dir)).toThrow(/pid 7 on 3f2a9c1b7e44/);
    const untouched = new Date(Date.now() - LOCK_STALE_AFTER_MS - 5_000);
    utimesSync(lockPath, untouched, untouched);
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
  });
});
