import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../testing/wait-for.js';
import { boundLogFile, LogFiles, readLastLines, replicaLogPath, TRUNCATION_MARKER } from './log-files.js';
import { followLogs, readLogTail, type ReplicaLogLine } from './log-reader.js';
import { ReplicaSet } from './replica-set.js';

// Prints numbered lines as fast as it can; says goodbye on SIGTERM.
const CHATTY = `
import { createServer } from 'node:http';
let n = 0;
const pad = 'x'.repeat(100);
const timer = setInterval(() => {
  for (let i = 0; i < 200; i++) console.log('line ' + ++n + ' ' + pad);
}, 2);
const server = createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log('bye after line ' + n);
  server.close(() => process.exit(0));
});
`;

let dir: string;
const sets: ReplicaSet[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gantry-logs-'));
});

afterEach(async () => {
  await Promise.all(sets.splice(0).map((set) => set.stop()));
  await rm(dir, { recursive: true, force: true });
});

function numbered(from: number, to: number): string {
  let text = '';
  for (let n = from; n <= to; n++) text += `line ${n}\n`;
  return text;
}

describe('boundLogFile', () => {
  it('keeps the tail from a line start, and a writer with O_APPEND goes on at the new end', async () => {
    const path = join(dir, 'replica-0.log');
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, numbered(1, 5_000));
      const before = (await stat(path)).size;

      expect(await boundLogFile(path, 20_000, 5_000)).toBe(true);
      writeSync(fd, 'after the cut\n');

      const text = await readFile(path, 'utf8');
      expect(text).not.toContain('\0');
      const lines = text.split('\n');
      const marker = TRUNCATION_MARKER.exec(text);
      expect(marker).not.toBeNull();
      const dropped = Number(marker![2]);
      expect(lines[1]).toMatch(/^line \d+$/);
      // Exactly the bytes after the dropped ones, then the new write.
      expect(text.slice(marker![0].length)).toBe(numbered(1, 5_000).slice(dropped) + 'after the cut\n');
      expect(before - dropped).toBeLessThanOrEqual(5_000);
      expect(lines.at(-3)).toBe('line 5000');
    } finally {
      closeSync(fd);
    }
  });

  it('leaves a file under the limit alone', async () => {
    const path = join(dir, 'replica-0.log');
    await writeFile(path, numbered(1, 10));
    expect(await boundLogFile(path, 1_000, 100)).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(numbered(1, 10));
  });
});

describe('LogFiles', () => {
  it('bounds every replica log in the directory on demand', async () => {
    await writeFile(join(dir, 'replica-0.log'), numbered(1, 3_000));
    await writeFile(join(dir, 'replica-1.log'), numbered(1, 10));
    await writeFile(join(dir, 'other.log'), numbered(1, 3_000));
    await new LogFiles(dir, { maxBytes: 4_096, keepBytes: 1_024 }).check();

    expect((await stat(join(dir, 'replica-0.log'))).size).toBeLessThanOrEqual(4_096);
    expect(await readFile(join(dir, 'replica-1.log'), 'utf8')).toBe(numbered(1, 10));
    expect(await readFile(join(dir, 'other.log'), 'utf8')).toBe(numbered(1, 3_000));
  });

  it('keeps the log of a chatty replica under its limit, tail kept and every line whole', async () => {
    const script = join(dir, 'chatty.mjs');
    await writeFile(script, CHATTY);
    const logDir = join(dir, 'logs');
    const maxBytes = 64 * 1024;
    const set = new ReplicaSet(
      {
        service: 'chatty',
        stage: 'dev',
        version: '1',
        role: 'stable',
        command: process.execPath,
        args: [script],
        env: {},
        replicas: 1,
        drainTimeoutMs: 10_000,
        logDir,
      },
      { logLimits: { maxBytes, keepBytes: 16 * 1024, checkIntervalMs: 20 } },
    );
    sets.push(set);
    await set.start();
    const path = replicaLogPath(logDir, 0);

    // Far more than the limit has been written: the line numbers say so.
    await waitFor(
      async () => {
        const [last] = await readLastLines(path, 1);
        return Number(/^line (\d+) /.exec(last ?? '')?.[1] ?? 0) > 5 * (maxBytes / 100);
      },
      { what: 'the replica to write far more than the limit' },
    );
    await set.stop();

    const text = await readFile(path, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxBytes);
    expect(text).not.toContain('\0');
    const lines = text.trimEnd().split('\n');
    expect(`${lines[0]}\n`).toMatch(TRUNCATION_MARKER);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^bye after line \d+$/);
    const lastNumber = Number(last.split(' ').at(-1));
    expect(lines.at(-2)).toBe(`line ${lastNumber} ${'x'.repeat(100)}`);
    // Every line whole and in order (a few may be lost at a cut, never mangled).
    let previous = 0;
    for (const line of lines.slice(1, -1)) {
      if (line.startsWith('--- gantry:')) continue;
      const match = /^line (\d+) x{100}$/.exec(line);
      expect(match, line).not.toBeNull();
      const number = Number(match![1]);
      expect(number).toBeGreaterThan(previous);
      previous = number;
    }
  });
});

describe('readLogTail', () => {
  it('gives the last lines of each replica, or of one', async () => {
    await writeFile(join(dir, 'replica-0.log'), numbered(1, 100));
    await writeFile(join(dir, 'replica-1.log'), 'only line');
    await writeFile(join(dir, 'unrelated.txt'), 'nothing');

    expect(await readLogTail(dir, { lines: 3 })).toEqual([
      { replica: 0, lines: ['line 98', 'line 99', 'line 100'] },
      { replica: 1, lines: ['only line'] },
    ]);
    expect(await readLogTail(dir, { lines: 2, replica: 0 })).toEqual([
      { replica: 0, lines: ['line 99', 'line 100'] },
    ]);
    expect(await readLogTail(join(dir, 'missing'), { lines: 5 })).toEqual([]);
  });

  it('reads a large log from its end, keeping characters split across chunks whole', async () => {
    const line = `${'é'.repeat(5_000)}\n`;
    await writeFile(join(dir, 'replica-0.log'), numbered(1, 50_000) + line.repeat(20));
    const [tail] = await readLogTail(dir, { lines: 21 });
    expect(tail!.lines).toEqual(['line 50000', ...Array.from({ length: 20 }, () => line.trimEnd())]);
  });
});

describe('followLogs', () => {
  it('follows new lines of every replica, through a cut-down log, each line once', async () => {
    await mkdir(dir, { recursive: true });
    const zero = join(dir, 'replica-0.log');
    await writeFile(zero, 'old line\n');
    const controller = new AbortController();
    const seen: ReplicaLogLine[] = [];
    const following = (async () => {
      for await (const entry of followLogs(dir, controller.signal, { intervalMs: 20 })) seen.push(entry);
    })();
    const lines = (replica: number) =>
      seen.filter((entry) => entry.replica === replica).map((entry) => entry.line);

    try {
      // The follower starts at the end of the file once it runs: write until it sees a line.
      await waitFor(
        () => {
          appendFileSync(zero, 'ping\n');
          return seen.length > 0;
        },
        { intervalMs: 50, what: 'the follower to start' },
      );
      expect(seen.some((entry) => entry.line === 'old line')).toBe(false);
      // Lines come in order: once this one is seen, every ping before it was too.
      appendFileSync(zero, 'in step\n');
      await waitFor(() => seen.some((entry) => entry.line === 'in step'), {
        what: 'the follower to catch up',
      });
      seen.splice(0);
      appendFileSync(zero, 'first\nsecond');
      appendFileSync(zero, ' half\n');
      appendFileSync(join(dir, 'replica-1.log'), 'from replica one\n');
      await waitFor(() => lines(0).length === 2 && lines(1).length === 1, { what: 'the first lines' });
      expect(lines(0)).toEqual(['first', 'second half']);
      expect(lines(1)).toEqual(['from replica one']);

      appendFileSync(zero, numbered(1, 2_000));
      await waitFor(() => lines(0).length === 2_002, { what: 'the numbered lines' });
      expect(await boundLogFile(zero, 4_096, 1_024)).toBe(true);
      appendFileSync(zero, 'after the cut\n');
      await waitFor(() => lines(0).at(-1) === 'after the cut', { what: 'the line after the cut' });
      expect(lines(0)).toEqual([
        'first',
        'second half',
        ...numbered(1, 2_000).trimEnd().split('\n'),
        'after the cut',
      ]);
    } finally {
      controller.abort();
      await following;
    }
  });
});
