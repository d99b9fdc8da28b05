import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogsDto } from '../features/local-target/logs.dto.js';
import { configureUsageErrors, type CliContext } from './command-support.js';
import { formatLogs, logsCommand } from './logs.command.js';
import { runCli } from '../testing/cli-run.js';

// `gantry logs` as a person runs it: parsed by commander, run by runCommand
// (which sets the exit code), talking to a fake API through fetch.

interface Sent {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
}

/** A fake API that answers every request with `respond`'s Response. */
function fakeApi(respond: (request: Sent) => Response) {
  const requests: Sent[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request: Sent = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: (init?.headers ?? {}) as Record<string, string>,
      signal: init?.signal ?? undefined,
    };
    requests.push(request);
    return Promise.resolve(respond(request));
  };
  return { fetch, requests };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Output so far, readable while the command still runs (to see what a follow printed before it ended). */
let output = '';

function gantry(args: string[], context: CliContext = {}): Promise<Run> {
  output = '';
  return runCli([configureUsageErrors(logsCommand(context))], args, {
    onStdout: (text) => (output += text),
  });
}

function logs(overrides: Partial<LogsDto> = {}): LogsDto {
  return {
    service: 'checkout',
    stage: 'prod',
    version: '2026.11.4',
    replicas: [
      { replica: 0, lines: ['listening on 4123', 'GET /healthz 200'] },
      { replica: 1, lines: ['listening on 4124'] },
    ],
    ...overrides,
  };
}

const encoder = new TextEncoder();

/**
 * A text body handed out one chunk per read, recording what the command had
 * printed when each chunk was asked for: with nothing read ahead, that shows
 * whether a chunk was printed before the next one arrived.
 */
function textStream(chunks: readonly string[]) {
  const printedBeforeRead: string[] = [];
  let next = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        printedBeforeRead.push(output);
        if (next < chunks.length) controller.enqueue(encoder.encode(chunks[next++]));
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, printedBeforeRead };
}

beforeEach(() => {
  vi.stubEnv('GANTRY_URL', 'http://gantry.test:7070');
  vi.stubEnv('GANTRY_TOKEN', 'gt_test_token');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('formatLogs', () => {
  it('marks each line with its replica', () => {
    expect(formatLogs(logs())).toBe('[0] listening on 4123\n[0] GET /healthz 200\n[1] listening on 4124');
  });

  it('says so when there are no lines', () => {
    expect(formatLogs(logs({ replicas: [{ replica: 0, lines: [] }] }))).toBe(
      'no log lines of checkout 2026.11.4 in prod yet',
    );
  });
});

describe('gantry logs', () => {
  it('prints the last lines of every replica, each marked with its replica', async () => {
    const api = fakeApi(() => json(logs()));
    const run = await gantry(['logs', 'checkout', '--stage', 'prod'], { fetch: api.fetch });
    expect(run).toEqual({
      code: 0,
      stdout: '[0] listening on 4123\n[0] GET /healthz 200\n[1] listening on 4124\n',
      stderr: '',
    });
    expect(api.requests).toMatchObject([
      { path: '/api/v1/services/checkout/stages/prod/logs', query: { lines: '100' } },
    ]);
  });

  it('asks for one release, one replica and fewer lines', async () => {
    const api = fakeApi(() => json(logs({ replicas: [{ replica: 1, lines: ['listening on 4124'] }] })));
    const run = await gantry(
      ['logs', 'checkout', '--stage', 'prod', '--version', '2026.11.4', '--replica', '1', '-n', '20'],
      { fetch: api.fetch },
    );
    expect(run.stdout).toBe('[1] listening on 4124\n');
    expect(api.requests[0]!.query).toEqual({ version: '2026.11.4', replica: '1', lines: '20' });
  });

  it('--json prints what the API answered', async () => {
    const api = fakeApi(() => json(logs()));
    const run = await gantry(['logs', 'checkout', '--stage', 'prod', '--json'], { fetch: api.fetch });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(logs());
  });

  it('says so when the replicas wrote nothing yet', async () => {
    const api = fakeApi(() => json(logs({ replicas: [{ replica: 0, lines: [] }] })));
    const run = await gantry(['logs', 'checkout', '--stage', 'prod'], { fetch: api.fetch });
    expect(run).toEqual({ code: 0, stdout: 'no log lines of checkout 2026.11.4 in prod yet\n', stderr: '' });
  });

  it('prints a refusal as the error and exits 1', async () => {
    const api = fakeApi(() =>
      json(
        {
          title: 'Not Found',
          status: 404,
          detail: 'stage prod of checkout is not a local stage',
          code: 'not_found',
        },
        404,
      ),
    );
    const run = await gantry(['logs', 'checkout', '--stage', 'prod'], { fetch: api.fetch });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'gantry: stage prod of checkout is not a local stage\n',
    });
  });

  it('--follow prints each chunk as it arrives and ends with the stream', async () => {
    const stream = textStream(['[0] listening on 4123\n', '[1] listening on 4124\n[0] GET / 200\n']);
    const api = fakeApi(
      () => new Response(stream.body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
    );
    const run = await gantry(['logs', 'checkout', '--stage', 'prod', '--follow', '-n', '5'], {
      fetch: api.fetch,
      signal: new AbortController().signal,
    });
    expect(run).toEqual({
      code: 0,
      stdout: '[0] listening on 4123\n[1] listening on 4124\n[0] GET / 200\n',
      stderr: '',
    });
    expect(stream.printedBeforeRead).toEqual([
      '',
      '[0] listening on 4123\n',
      '[0] listening on 4123\n[1] listening on 4124\n[0] GET / 200\n',
    ]);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      path: '/api/v1/services/checkout/stages/prod/logs',
      query: { lines: '5', follow: 'true' },
      headers: { accept: 'text/plain' },
    });
  });

  it('--follow stops quietly when it is interrupted', async () => {
    const interrupt = new AbortController();
    const api = fakeApi((request) => {
      let reads = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            // Like fetch, the body fails once the request's signal aborts.
            request.signal?.addEventListener('abort', () => controller.error(request.signal!.reason));
          },
          pull(controller) {
            // The command asks for more once it has the first line: interrupt then, as Ctrl-C would.
            if (++reads === 1) controller.enqueue(encoder.encode('[0] listening on 4123\n'));
            else {
              interrupt.abort();
              // A command deaf to the interrupt ends here instead of waiting forever.
              if (!request.signal?.aborted) controller.close();
            }
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    });
    const run = await gantry(['logs', 'checkout', '--stage', 'prod', '-f'], {
      fetch: api.fetch,
      signal: interrupt.signal,
    });
    expect(run).toEqual({ code: 0, stdout: '[0] listening on 4123\n', stderr: '' });
    expect(api.requests[0]!.signal).toBe(interrupt.signal);
  });

  it('--follow with an unknown release is an error, exit 1', async () => {
    const api = fakeApi(() =>
      json(
        { title: 'Not Found', status: 404, detail: 'checkout has no release 2026.99.1', code: 'not_found' },
        404,
      ),
    );
    const run = await gantry(['logs', 'checkout', '--stage', 'prod', '--version', '2026.99.1', '-f'], {
      fetch: api.fetch,
      signal: new AbortController().signal,
    });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'gantry: checkout has no release 2026.99.1\n' });
  });

  it('--json does not go with --follow', async () => {
    const api = fakeApi(() => json(logs()));
    const run = await gantry(['logs', 'checkout', '--stage', 'prod', '-f', '--json'], { fetch: api.fetch });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'gantry: --json cannot be used with --follow\n' });
    expect(api.requests).toEqual([]);
  });

  it.each([
    [['--lines', '0'], 'expected a whole number from 1 to 10000'],
    [['-n', '10001'], 'expected a whole number from 1 to 10000'],
    [['-n', 'all'], 'expected a whole number from 1 to 10000'],
    [['--lines', '2.5'], 'expected a whole number from 1 to 10000'],
    [['--replica', 'one'], 'expected a replica index: 0, 1, …'],
    [['--replica=-1'], 'expected a replica index: 0, 1, …'],
    [['--replica', '1.5'], 'expected a replica index: 0, 1, …'],
    [[], "required option '--stage <stage>' not specified"],
  ])('%j is a usage error: exit 2, nothing sent', async (options, message) => {
    const api = fakeApi(() => json(logs()));
    const stage = options.length > 0 ? ['--stage', 'prod'] : [];
    const run = await gantry(['logs', 'checkout', ...stage, ...options], { fetch: api.fetch });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('(run with --help for usage)');
    expect(api.requests).toEqual([]);
  });

  it('--help lists the examples', async () => {
    const run = await gantry(['logs', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('$ gantry logs checkout --stage prod\n');
    expect(run.stdout).toContain('$ gantry logs checkout --stage prod --version 2026.11.4 --follow');
    expect(run.stdout).toContain('$ gantry logs checkout --stage prod --replica 1 -n 20');
  });
});
