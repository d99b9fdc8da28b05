import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { sleep } from '../../../shared/sleep.js';
import { listReplicaLogs, parseTruncationMarker, readLastLines, type TruncationMarker } from './log-files.js';

// Reading replica logs for `gantry logs`: the files are the only record (the
// replicas write them directly), so these read them as they are on disk.

export interface ReplicaLogTail {
  replica: number;
  lines: string[];
}

/** The last `lines` lines of each replica's log (or of one replica's), by replica index. */
export async function readLogTail(
  logDir: string,
  options: { lines: number; replica?: number },
): Promise<ReplicaLogTail[]> {
  const files = (await listReplicaLogs(logDir)).filter(
    (file) => options.replica === undefined || file.replica === options.replica,
  );
  return Promise.all(
    files.map(async (file) => ({
      replica: file.replica,
      lines: await readLastLines(file.path, options.lines),
    })),
  );
}

export interface ReplicaLogLine {
  replica: number;
  line: string;
}

export interface FollowOptions {
  /** How often file sizes are looked at (default 250 ms). */
  intervalMs?: number;
  /** Only this replica's log. */
  replica?: number;
}

const HEAD_BYTES = 256;
const READ_CHUNK = 256 * 1024;
// A cut that stays pending this many looks was interrupted (Gantry stopped mid-cut): go on anyway.
const PENDING_LOOKS = 20;

interface FollowedFile {
  replica: number;
  path: string;
  offset: number;
  /** The truncation marker last seen at the start of the file ('' for none). */
  cut: string;
  pendingLooks: number;
  decoder: StringDecoder;
  partial: string;
}

/**
 * Lines appended to the replica logs from now on, until `signal` aborts. Files
 * that appear later (a replica added) are followed from their start. A log
 * cut down to its tail is picked up where the reader was, using the
 * truncation marker; a line is never repeated.
 */
export async function* followLogs(
  logDir: string,
  signal: AbortSignal,
  options: FollowOptions = {},
): AsyncGenerator<ReplicaLogLine> {
  const intervalMs = options.intervalMs ?? 250;
  const files = new Map<number, FollowedFile>();
  const wanted = (replica: number) => options.replica === undefined || options.replica === replica;

  for (const file of await listReplicaLogs(logDir)) {
    if (!wanted(file.replica)) continue;
    files.set(file.replica, await followed(file.replica, file.path, (await fileSize(file.path)) ?? 0));
  }

  while (!signal.aborted) {
    for (const file of await listReplicaLogs(logDir)) {
      if (wanted(file.replica) && !files.has(file.replica)) {
        files.set(file.replica, await followed(file.replica, file.path, 0));
      }
    }
    for (const file of files.values()) {
      for (const line of await readNewLines(file)) {
        if (signal.aborted) return;
        yield { replica: file.replica, line };
      }
    }
    await sleep(intervalMs, signal);
  }
}

async function followed(replica: number, path: string, offset: number): Promise<FollowedFile> {
  return {
    replica,
    path,
    offset,
    cut: parseTruncationMarker(await readHead(path))?.id ?? '',
    pendingLooks: 0,
    decoder: new StringDecoder('utf8'),
    partial: '',
  };
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function readHead(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

async function readNewLines(file: FollowedFile): Promise<string[]> {
  const marker = parseTruncationMarker(await readHead(file.path));
  if (marker && !marker.complete && file.pendingLooks++ < PENDING_LOOKS) return [];
  file.pendingLooks = 0;
  // The size is read after the marker: a complete marker means the cut is done.
  const size = await fileSize(file.path);
  if (size === undefined) return [];
  const cut = marker?.id ?? '';
  if (cut === file.cut && size < file.offset) {
    // Shorter, yet the same marker: a cut may have finished in between. Look again next time.
    if ((parseTruncationMarker(await readHead(file.path))?.id ?? '') !== cut) return [];
  }
  if (cut !== file.cut || size < file.offset) {
    file.cut = cut;
    const resume = offsetAfterTruncation(marker, file.offset, size);
    file.offset = resume.offset;
    if (!resume.continuous) {
      file.decoder = new StringDecoder('utf8');
      file.partial = '';
    }
  }
  if (size <= file.offset) return [];

  const handle = await open(file.path, 'r');
  let text = file.partial;
  try {
    while (file.offset < size) {
      const length = Math.min(READ_CHUNK, size - file.offset);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, file.offset);
      if (bytesRead === 0) break;
      file.offset += bytesRead;
      text += file.decoder.write(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  const lines = text.split('\n');
  file.partial = lines.pop() ?? '';
  return lines;
}

/**
 * Where a reader that had read up to `offset` continues in a log that was cut
 * down: the marker says how many bytes were dropped from the front, so the
 * bytes it had already read are skipped (`continuous`: it goes on exactly
 * where it was). A reader that was further behind goes on at the first line
 * kept; without a marker (emptied or replaced by someone else) it starts over.
 */
function offsetAfterTruncation(
  marker: TruncationMarker | undefined,
  offset: number,
  size: number,
): { offset: number; continuous: boolean } {
  if (!marker) return { offset: 0, continuous: false };
  if (offset < marker.dropped) return { offset: marker.length, continuous: false };
  const resumeAt = marker.length + offset - marker.dropped;
  return resumeAt <= size
    ? { offset: resumeAt, continuous: true }
    : { offset: marker.length, continuous: false };
}
