import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../shared/errors.js';
import { ApiClient, ApiError } from './api-client.js';
import type { ApiOptions } from './api-options.js';
import { UsageError } from './run-command.js';

// What the delivery commands (validate, apply, release, promote, why, status…)
// share: how they reach the API, how they send a change so that a retry is
// safe, how files are read and how text is laid out.

/** Exit code for a command line commander cannot make sense of (missing required option, bad value). */
export const USAGE_EXIT_CODE = 2;

/** What the commands need from the world; tests pass fakes, the real CLI passes nothing. */
export interface CliContext {
  fetch?: typeof fetch;
  /** The whole of standard input (for `-f -`). */
  readStdin?: () => Promise<string>;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Whether standard output is a terminal (`status --watch` redraws in place then). */
  isTTY?: boolean;
  /** Stops `status --watch`; by default Ctrl-C does. */
  signal?: AbortSignal;
}

/** An API client that also remembers the HTTP status of the last response (200 vs 201 matters). */
export interface Api {
  client: ApiClient;
  lastStatus(): number | undefined;
}

export function connect(options: Pick<ApiOptions, 'url' | 'token'>, context: CliContext = {}): Api {
  const fetcher = context.fetch ?? fetch;
  let status: number | undefined;
  const recording: typeof fetch = async (input, init) => {
    const response = await fetcher(input, init);
    status = response.status;
    return response;
  };
  return {
    client: new ApiClient({
      baseUrl: options.url,
      token: options.token,
      fetch: recording,
    }),
    lastStatus: () => status,
  };
}

/** Waits before the second and third attempt of a change the API could not take. */
export const RETRY_DELAYS_MS = [500, 1_500] as const;

/**
 * Sends a change with an `Idempotency-Key`, and sends it again with the same
 * key when the connection failed or a proxy answered 502–504: the server
 * answers a repeated key with the response it stored, so the change happens
 * once even when the first answer was lost on the way back.
 */
export async function sendChange<T>(
  api: Api,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  context: CliContext = {},
  idempotencyKey?: string,
): Promise<T> {
  const key = idempotencyKey ?? randomUUID();
  const sleep = context.sleep ?? ((ms: number) => delay(ms));
  for (let attempt = 0; ; attempt++) {
    try {
      const options = { headers: { 'Idempotency-Key': key } };
      return method === 'PUT'
        ? await api.client.put<T>(path, body, options)
        : await api.client.post<T>(path, body, options);
    } catch (error) {
      const wait = RETRY_DELAYS_MS[attempt];
      if (wait === undefined || !isTransient(error)) throw error;
      await sleep(wait);
    }
  }
}

function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || [502, 503, 504].includes(error.status));
}

/**
 * How a command line that does not parse ends: commander exits with 1, Gantry
 * keeps 1 for refusals and uses 2 for usage, like the other tools a CI script
 * calls, and points at --help. Applies to the command and everything under
 * it; call it after the subcommands are added.
 */
export function configureUsageErrors<C extends Command>(command: C): C {
  command
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE));
  for (const sub of command.commands) configureUsageErrors(sub);
  return command;
}

/** Reads a file named on the command line; a file that cannot be read is a usage error naming it. */
export async function readInputFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${fileProblem(error)} (looked for ${resolve(path)})`);
  }
}

export function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
      return 'permission denied';
    default:
      return errorMessage(error);
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function write(lines: string | readonly string[]): void {
  const text = typeof lines === 'string' ? lines : lines.join('\n');
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Rows as aligned plain-text lines with upper-case headings (the layout `printTable` prints). */
export function formatTable(rows: readonly Record<string, string>[], columns: readonly string[]): string[] {
  if (rows.length === 0) return [];
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.toUpperCase())),
    ...rows.map((row) => line(columns.map((column) => row[column] ?? ''))),
  ];
}

/** `2026-11-20T10:02:03Z`: an ISO time without milliseconds. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function truncate(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

export function encodePath(...segments: string[]): string {
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}
