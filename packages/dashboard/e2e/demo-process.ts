import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The demo as a person starts it (`gantry demo --approve-in-dashboard`), as a
// child process: Gantry with the demo pipeline, steady traffic, and releases
// that wait for someone to approve them for prod in the dashboard.

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface DemoProcess {
  url: string;
  adminToken: string;
  /** Every line the demo printed so far. */
  output: string[];
  /** Resolves with the first line matching, now or later. */
  line: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  /** Resolves once `condition` (checked after each line) holds. */
  until: (condition: () => boolean, what: string, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startDemo(dataDir: string): Promise<DemoProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(REPOSITORY_ROOT, 'packages/gantry/dist/main.js'),
      'demo',
      '--approve-in-dashboard',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, GANTRY_PORT: String(port), GANTRY_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream, prefix: string) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) {
        output.push(prefix + text);
        if (process.env.GANTRY_E2E_VERBOSE) console.log(prefix + text);
      }
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout, '');
  collect(child.stderr, 'stderr: ');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const until = (condition: () => boolean, what: string, timeoutMs = 240_000) =>
    new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition()) finish();
      };
      const timer = setTimeout(
        () =>
          finish(new Error(`the demo did not get to ${what} in ${timeoutMs / 1000}s:\n${output.join('\n')}`)),
        timeoutMs,
      );
      waiters.add(check);
      void exited.then((code) => {
        if (waiters.has(check))
          finish(new Error(`the demo exited (${code}) before ${what}:\n${output.join('\n')}`));
      });
      check();
    });

  const line = async (pattern: RegExp, timeoutMs?: number) => {
    let match: RegExpMatchArray | null = null;
    await until(
      () => output.some((text) => (match = pattern.exec(text)) !== null),
      `print a line matching ${pattern}`,
      timeoutMs,
    );
    return match!;
  };

  const [, url, tokenFile] = await line(
    /dashboard: (http:\/\/\S+)\/ \(sign in with the token in (.+)\)$/,
    120_000,
  );
  return {
    url: url!,
    adminToken: readFileSync(tokenFile!, 'utf8').trim(),
    output,
    line,
    until,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
