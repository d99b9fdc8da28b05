import { spawn, type ChildProcess } from 'node:child_process';
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
  collect(child.stdout!, '');
  collect(child.stderr!, 'stderr: ');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const line = (pattern: RegExp, timeoutMs = 180_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        for (const text of output) {
          const match = pattern.exec(text);
          if (match) {
            cleanup();
            resolve(match);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the demo printed no line matching ${pattern} in ${timeoutMs / 1000}s:\n${output.join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then((code) => {
        if (waiters.has(check)) {
          cleanup();
          reject(new Error(`the demo exited (${code}) before printing ${pattern}:\n${output.join('\n')}`));
        }
      });
      check();
    });

  const [, url, tokenFile] = await line(/dashboard: (http:\/\/\S+)\/ \(sign in with the token in (.+)\)$/, 120_000);
  return {
    url: url!,
    adminToken: readFileSync(tokenFile!, 'utf8').trim(),
    output,
    line,
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
