import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../platform/logging/logger.js';
import { errorMessage } from '../../../shared/errors.js';

// Replicas write their stdout and stderr straight into their log file (an
// O_APPEND descriptor they inherit), so logs keep flowing while Gantry itself
// restarts. Gantry bounds the files from the outside: when one grows past the
// limit, its tail is copied to the front, behind a marker line that says how
// many bytes were dropped (readers following the file use it to keep their
// place), and the file is truncated after it. The replica's appends then land
// at the new end, because O_APPEND writes always go to the current end.

export const MiB = 1024 * 1024;

export interface LogLimits {
  /** A log longer than this is cut down (default 5 MiB). */
  maxBytes: number;
  /** How much of its end is kept (default 1 MiB). */
  keepBytes: number;
  /** How often sizes are checked (default 10 s). */
  checkIntervalMs: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  maxBytes: 5 * MiB,
  keepBytes: 1 * MiB,
  checkIntervalMs: 10_000,
};

const LOG_FILE = /^replica-(\d+)\.log$/;

/** `<logDir>/replica-<index>.log`: one file per replica, kept across its restarts. */
export function replicaLogPath(logDir: string, index: number): string {
  return join(logDir, `replica-${index}.log`);
}

/** The replica log files in `logDir`, by index; none when the directory does not exist. */
export async function listReplicaLogs(logDir: string): Promise<{ replica: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const match = LOG_FILE.exec(name);
      return match ? [{ replica: Number(match[1]), path: join(logDir, name) }] : [];
    })
    .sort((a, b) => a.replica - b.replica);
}

/** The first line of a cut-down log; readers use `dropped` to find their place again. */
export const TRUNCATION_MARKER = /^--- gantry: log truncated at (\S+); dropped the first (\d+) bytes +---\n/;
// Stands in its place while the tail is being copied, so readers wait instead of reading half-copied bytes.
const PENDING_MARKER = /^--- gantry: log being truncated at (\S+); dropping the first (\d+) bytes +---\n/;

export interface TruncationMarker {
  /** Names one cut: the same for its pending and final marker. */
  id: string;
  dropped: number;
  /** Length of the marker line in bytes, newline included. */
  length: number;
  /** False while the cut is still being made. */
  complete: boolean;
}

/** The truncation marker at the start of a log, if any. */
export function parseTruncationMarker(head: string): TruncationMarker | undefined {
  for (const [pattern, complete] of [
    [TRUNCATION_MARKER, true],
    [PENDING_MARKER, false],
  ] as const) {
    const match = pattern.exec(head);
    if (match?.[1] && match[2]) {
      return {
        id: `${match[1]}/${match[2]}`,
        dropped: Number(match[2]),
        length: Buffer.byteLength(match[0]),
        complete,
      };
    }
  }
  return undefined;
}

/** The pending and final marker of one cut, padded to the same length so one overwrites the other. */
function truncationMarkers(dropped: number): { pending: Buffer; final: Buffer } {
  const at = new Date().toISOString();
  const pending = `--- gantry: log being truncated at ${at}; dropping the first ${dropped} bytes`;
  const final = `--- gantry: log truncated at ${at}; dropped the first ${dropped} bytes`;
  const width = Math.max(pending.length, final.length);
  return {
    pending: Buffer.from(`${pending.padEnd(width)} ---\n`),
    final: Buffer.from(`${final.padEnd(width)} ---\n`),
  };
}

const CHUNK = 64 * 1024;

/**
 * Cuts `path` down to about its last `keepBytes` (from the next line start)
 * when it is longer than `maxBytes`. True when it was cut. Bytes a writer
 * appends in the instant between the last copy and the truncation are lost;
 * everything else ends up in order.
 */
export async function boundLogFile(path: string, maxBytes: number, keepBytes: number): Promise<boolean> {
  if (keepBytes >= maxBytes) {
    throw new Error(`keepBytes (${keepBytes}) must be less than maxBytes (${maxBytes})`);
  }
  const handle = await open(path, 'r+');
  try {
    let size = (await handle.stat()).size;
    if (size <= maxBytes) return false;
    let start = size - keepBytes;
    const probe = Buffer.alloc(Math.min(CHUNK, keepBytes));
    const { bytesRead } = await handle.read(probe, 0, probe.length, start);
    const newline = probe.subarray(0, bytesRead).indexOf(0x0a);
    // A line longer than the probe is cut through; every other tail starts at a line.
    if (newline !== -1) start += newline + 1;
    const marker = truncationMarkers(start);
    await handle.write(marker.pending, 0, marker.pending.length, 0);
    // The destination is always before the source, so copying forward in chunks is safe.
    const buffer = Buffer.alloc(CHUNK);
    let readAt = start;
    let writeAt = marker.pending.length;
    for (;;) {
      while (readAt < size) {
        const { bytesRead: read } = await handle.read(buffer, 0, Math.min(CHUNK, size - readAt), readAt);
        if (read === 0) break;
        await handle.write(buffer, 0, read, writeAt);
        readAt += read;
        writeAt += read;
      }
      // The replica kept writing while we copied: copy that too before cutting.
      const now = (await handle.stat()).size;
      if (now <= size) break;
      size = now;
    }
    await handle.truncate(writeAt);
    await handle.write(marker.final, 0, marker.final.length, 0);
    return true;
  } finally {
    await handle.close();
  }
}

/**
 * Keeps every replica log in one directory under its limit: checked every
 * `checkIntervalMs`, and whenever `check()` is called.
 */
export class LogFiles {
  private readonly limits: LogLimits;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly logDir: string,
    limits: Partial<LogLimits> = {},
    private readonly logger?: Logger,
  ) {
    this.limits = { ...DEFAULT_LOG_LIMITS, ...limits };
    if (this.limits.keepBytes >= this.limits.maxBytes) {
      throw new Error(
        `log keepBytes (${this.limits.keepBytes}) must be less than maxBytes (${this.limits.maxBytes})`,
      );
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.limits.checkIntervalMs);
    // Bounding logs is no reason to keep Gantry running.
    this.timer.unref();
  }

  /** No more periodic checks; resolves once a check in progress is done. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Cuts down every log over the limit; a check already running is joined, not repeated. */
  check(): Promise<void> {
    this.running ??= this.checkAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkAll(): Promise<void> {
    for (const { path } of await listReplicaLogs(this.logDir).catch(() => [])) {
      try {
        const { size } = await stat(path);
        if (size <= this.limits.maxBytes) continue;
        if (await boundLogFile(path, this.limits.maxBytes, this.limits.keepBytes)) {
          this.logger?.debug({ path, size, kept: this.limits.keepBytes }, 'cut down a replica log');
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.logger?.warn({ path, error: errorMessage(error) }, 'could not cut down a replica log');
      }
    }
  }
}

/**
 * The last `count` lines of `path` written at or after byte `from` (for the
 * output of one process run), read from the end so a big log costs little.
 */
export async function readLastLines(path: string, count: number, from = 0): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    // A log cut down since `from` was noted: everything left is newer.
    const floor = from <= size ? from : 0;
    let position = size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    while (position > floor && newlines <= count) {
      const length = Math.min(CHUNK, position - floor);
      position -= length;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      const chunk = buffer.subarray(0, bytesRead);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
      chunks.unshift(chunk);
    }
    // Decoded once, so a character split across chunks stays whole. When reading
    // stopped mid-line, that first partial line is beyond the last `count`.
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}
