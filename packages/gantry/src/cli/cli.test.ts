import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.js';
import { waitFor } from '../testing/wait-for.js';

// The real `gantry` command, as a newcomer runs it after `npm ci`.
const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function gantry(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [GANTRY_BIN, ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'gantry-cli-')),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GANTRY_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

describe('the gantry command', () => {
  it('lists every subcommand with examples', async () => {
    const run = gantry(['--help']);
    expect(await run.exit).toBe(0);
    for (const command of ['server', 'migrate', 'config', 'dead-letters', 'token', 'audit'])
      expect(run.stdout()).toContain(command);
    expect(run.stdout()).toContain('Examples:');
    const sub = gantry(['dead-letters', 'replay', '--help']);
    expect(await sub.exit).toBe(0);
    expect(sub.stdout()).toContain('gantry dead-letters replay --all --group notifications');
  });

  it.each([
    [{ GANTRY_PORT: 'seventy' }, 'GANTRY_PORT="seventy" is not a number; for example GANTRY_PORT=7070'],
    [
      { GANTRY_BROKER_URL: 'redis://cache:6379' },
      'GANTRY_BROKER_URL="redis://cache:6379" is not a URL starting with',
    ],
    [{ GANTRY_DATABASE_URL: 'postgres://gantry:hunter2@' }, 'GANTRY_DATABASE_URL'],
  ])('refuses to start with bad configuration %j: one line, no stack trace', async (env, expected) => {
    const run = gantry(['server'], env);
    expect(await run.exit).toBe(2);
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gantry: Invalid configuration: /);
    expect(lines[0]).toContain(expected);
    expect(run.stderr()).not.toContain('hunter2');
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('serves health, readiness and metrics, and stops gracefully on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'gantry-data-'));
    const run = gantry(['server'], { GANTRY_PORT: String(port), GANTRY_DATA_DIR: dataDir });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
        timeoutMs: 120_000,
        what: 'the server to become ready',
      });
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      for (const name of [
        'gantry_outbox_backlog',
        'gantry_outbox_oldest_unsent_age_seconds',
        'gantry_dead_letters',
      ]) {
        expect(metrics).toContain(`${name} 0`);
      }

      // A second Gantry on the same data directory must not corrupt it.
      const second = gantry(['server'], { GANTRY_PORT: String(await freePort()), GANTRY_DATA_DIR: dataDir });
      expect(await second.exit).toBe(2);
      expect(second.stderr()).toMatch(
        /^gantry: Another Gantry \(pid \d+ on .+\) is using the embedded database in /,
      );
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exit).toBe(0);
    const messages = run
      .stdout()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('shutting down: no new work, finishing what is in flight');
    expect(messages.at(-1)).toBe('stopped');
  });
});
