import { readFile } from 'node:fs/promises';

// A pid alone does not name a process: after a Gantry restart the pid of a
// replica may belong to something else. The kernel's record of when the
// process started (field 22 of /proc/<pid>/stat, clock ticks since boot)
// together with the boot id does. Without /proc (not Linux) identity cannot be
// proved, and nothing is adopted or signalled on a recorded pid alone.

export interface ProcessStat {
  /** One letter: R running, S sleeping, Z zombie, … */
  state: string;
  /** Clock ticks after boot at which the process started, as the kernel wrote it. */
  startTime: string;
}

export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (!state || !startTime) return undefined;
  return { state, startTime };
}

let cachedBootId: Promise<string | undefined> | undefined;

/** Changes at every boot: start times from an earlier boot mean nothing. */
export function bootId(): Promise<string | undefined> {
  cachedBootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  return cachedBootId;
}

export type ProcessIdentity = 'same' | 'gone' | 'other';

/**
 * Whether `pid` is still the process that started at `startTime`: `gone` when
 * no such pid runs (or only its zombie is left), `other` when the pid was
 * reused or identity cannot be read.
 */
export async function checkProcessIdentity(pid: number, startTime: string): Promise<ProcessIdentity> {
  const stat = await readProcessStat(pid);
  if (!stat) return isPidAlive(pid) ? 'other' : 'gone';
  if (stat.startTime !== startTime) return 'other';
  return stat.state === 'Z' || stat.state === 'X' ? 'gone' : 'same';
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the process group led by `pid`; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
