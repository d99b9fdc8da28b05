import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayRemote, GitError, gitEnvironment, GitRunner, parseRemote, TOKEN_USERNAME } from './git.js';

const TOKEN = 'ghp_Secr3tTokenValue';

describe('remote URLs', () => {
  it('moves credentials out of https URLs and redacts them for display', () => {
    const remote = parseRemote(`https://x-access-token:${TOKEN}@git.example/acme/deploy.git`);
    expect(remote).toEqual({
      url: 'https://git.example/acme/deploy.git',
      display: 'https://x-access-token:***@git.example/acme/deploy.git',
      kind: 'https',
      urlCredentials: { username: 'x-access-token', password: TOKEN },
    });
    const lone = parseRemote(`https://${TOKEN}@git.example/acme/deploy.git`);
    expect(lone.url).toBe('https://git.example/acme/deploy.git');
    expect(lone.display).not.toContain(TOKEN);
    expect(lone.urlCredentials).toEqual({ username: TOKEN_USERNAME, password: TOKEN });
    expect(displayRemote(`https://${TOKEN}@git.example/a.git`)).toBe('https://***@git.example/a.git');
  });

  it('knows ssh, file and local remotes', () => {
    expect(parseRemote('git@github.com:acme/deploy.git').kind).toBe('ssh');
    expect(parseRemote('ssh://git@github.com/acme/deploy.git').kind).toBe('ssh');
    expect(parseRemote('file:///srv/git/deploy.git').kind).toBe('file');
    expect(parseRemote('/srv/git/deploy.git').kind).toBe('file');
    expect(parseRemote('http://gitea.local/acme/deploy.git').kind).toBe('http');
  });

  it('refuses transports that run commands, options and relative paths', () => {
    for (const url of [
      'ext::sh -c touch% /tmp/pwned',
      '--upload-pack=touch /tmp/pwned',
      'fd::3',
      'deploy.git',
      '',
    ]) {
      expect(() => parseRemote(url), url).toThrow(GitError);
    }
  });
});

describe('git environment', () => {
  it('drops variables that would redirect or trace git, keeps TLS and proxy settings', () => {
    const env = gitEnvironment({
      PATH: '/usr/bin',
      GIT_DIR: '/elsewhere/.git',
      GIT_AUTHOR_NAME: 'Someone',
      GIT_TRACE_CURL: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_SSL_CAINFO: '/etc/ca.pem',
      GIT_SSH_COMMAND: 'ssh -i /keys/deploy',
      GIT_ASKPASS: '/usr/bin/ksshaskpass',
    });
    expect(env.PATH).toBe('/usr/bin');
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GIT_AUTHOR_NAME).toBeUndefined();
    expect(env.GIT_TRACE_CURL).toBeUndefined();
    expect(env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(env.GIT_SSL_CAINFO).toBe('/etc/ca.pem');
    expect(env.GIT_SSH_COMMAND).toBe('ssh -i /keys/deploy');
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(env.GIT_ASKPASS).toBe('true');
  });

  it('passes credentials as an extra header scoped to the remote, in the environment only', () => {
    const env = gitEnvironment(
      {},
      { credentials: { username: TOKEN_USERNAME, password: TOKEN }, urlPrefix: 'https://git.example/' },
    );
    expect(env.GIT_CONFIG_COUNT).toBe('1');
    expect(env.GIT_CONFIG_KEY_0).toBe('http.https://git.example/.extraHeader');
    expect(env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
    );
  });
});

describe('GitRunner', () => {
  let dir: string;
  const runner = new GitRunner({
    http: { credentials: { username: TOKEN_USERNAME, password: TOKEN }, urlPrefix: 'https://git.example/' },
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gantry-git-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('redacts the token, its header form and URL passwords', () => {
    const header = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    const text = `fatal: ${TOKEN} / Authorization: Basic ${header} / https://u:pw@host/x / ${header}`;
    const redacted = runner.redact(text);
    expect(redacted).not.toContain(TOKEN);
    expect(redacted).not.toContain(header);
    expect(redacted).not.toContain(':pw@');
  });

  it('runs git with Gantry as the identity and reports failures with exit code and stderr', async () => {
    await runner.run(['init', '--quiet', '-b', 'main', dir]);
    const { stdout } = await runner.run(['var', 'GIT_AUTHOR_IDENT'], { cwd: dir });
    expect(stdout).toMatch(/^Gantry <gantry@localhost> /);
    const error = await runner
      .run(['rev-parse', '--verify', 'no-such-ref'], { cwd: dir })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(
      /^git rev-parse failed \(exit 128\): fatal: Needed a single revision/,
    );
    const answer = await runner.run(['diff', '--quiet'], { cwd: dir, okExitCodes: [1] });
    expect(answer.exitCode).toBe(0);
  });

  it('stops a command at its timeout, and when the signal aborts', async () => {
    // A stand-in for git that never finishes.
    const hanging = join(dir, 'hanging-git');
    await writeFile(hanging, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });

    const slow = new GitRunner({ timeoutMs: 300, gitPath: hanging });
    const timedOut = (await slow.run(['fetch']).catch((e: unknown) => e)) as GitError;
    expect(timedOut).toBeInstanceOf(GitError);
    expect(timedOut.timedOut).toBe(true);
    expect(timedOut.message).toBe('git fetch did not finish within 300 ms');

    const controller = new AbortController();
    const pending = new GitRunner({ gitPath: hanging }).run(['push'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const aborted = (await pending.catch((e: unknown) => e)) as GitError;
    expect(aborted.aborted).toBe(true);
    expect(aborted.message).toBe('git push was cancelled');
  });
});
