import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../testing/cli-run.js';
import { configCommand } from './server.command.js';

// `gantry config` shows what is in effect, and never a secret.

afterEach(() => {
  vi.unstubAllEnvs();
});

async function shown(): Promise<Record<string, string>> {
  const run = await runCli([configCommand()], ['config', '--json']);
  expect(run.code).toBe(0);
  const rows = JSON.parse(run.stdout) as { name: string; value: string }[];
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

describe('gantry config', () => {
  it('hides a secret given as is, shows a reference, and redacts a URL’s password', async () => {
    vi.stubEnv('GANTRY_GITHUB_WEBHOOK_SECRET', 'plain-webhook-secret-value');
    vi.stubEnv('GANTRY_GITLAB_WEBHOOK_TOKEN', 'file:/run/secrets/gitlab-webhook');
    vi.stubEnv('GANTRY_ALERTMANAGER_TOKEN', 'env:AM_TOKEN');
    vi.stubEnv('GANTRY_DATABASE_URL', 'postgres://gantry:db-password@db:5432/gantry');
    const values = await shown();
    expect(values.GANTRY_GITHUB_WEBHOOK_SECRET).toBe('***');
    expect(values.GANTRY_GITLAB_WEBHOOK_TOKEN).toBe('file:/run/secrets/gitlab-webhook');
    expect(values.GANTRY_ALERTMANAGER_TOKEN).toBe('env:AM_TOKEN');
    expect(values.GANTRY_DATABASE_URL).toBe('postgres://gantry:***@db:5432/gantry');
    expect(JSON.stringify(values)).not.toContain('plain-webhook-secret-value');
    expect(JSON.stringify(values)).not.toContain('db-password');
  });

  it('refuses a file: reference with a relative path, naming the setting', async () => {
    vi.stubEnv('GANTRY_CI_WEBHOOK_SECRET', 'file:secrets/ci');
    const run = await runCli([configCommand()], ['config']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('GANTRY_CI_WEBHOOK_SECRET');
    expect(run.stderr).toContain('file:/absolute/path');
  });
});
