import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSecretReference, resolveSecretReference, SecretReferenceError } from './secret-reference.js';

describe('secret references', () => {
  let dir: string;
  const env = 'GANTRY_TEST_SECRET_REFERENCE';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gantry-secret-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    delete process.env[env];
  });

  it('recognises env: and file: references only', () => {
    expect(isSecretReference('env:GIT_TOKEN')).toBe(true);
    expect(isSecretReference('file:/run/secrets/git')).toBe(true);
    expect(isSecretReference('ghp_abcdef')).toBe(false);
    expect(isSecretReference('env:')).toBe(false);
    expect(isSecretReference(42)).toBe(false);
    expect(isSecretReference(undefined)).toBe(false);
  });

  it('reads an environment variable', async () => {
    process.env[env] = 's3cret-value';
    await expect(resolveSecretReference(`env:${env}`, 'credentials')).resolves.toBe('s3cret-value');
  });

  it('says which variable is missing or empty, never a value', async () => {
    await expect(resolveSecretReference(`env:${env}`, 'credentials')).rejects.toThrow(
      `credentials env:${env}: the environment variable ${env} is not set`,
    );
    process.env[env] = '';
    await expect(resolveSecretReference(`env:${env}`, 'credentials')).rejects.toThrow('is empty');
    await expect(resolveSecretReference('env:1BAD-NAME', 'credentials')).rejects.toThrow(
      'is not an environment variable name',
    );
  });

  it('reads a file without its trailing newline, and only that', async () => {
    const path = join(dir, 'token');
    await writeFile(path, '  tok en \n');
    await expect(resolveSecretReference(`file:${path}`, 'credentials')).resolves.toBe('  tok en ');
    await writeFile(path, 'crlf\r\n');
    await expect(resolveSecretReference(`file:${path}`, 'credentials')).resolves.toBe('crlf');
    await writeFile(path, 'two\n\n');
    await expect(resolveSecretReference(`file:${path}`, 'credentials')).resolves.toBe('two\n');
  });

  it('explains file problems', async () => {
    const missing = join(dir, 'missing');
    await expect(resolveSecretReference(`file:${missing}`, 'credentials')).rejects.toThrow(
      `credentials file:${missing}: the file does not exist`,
    );
    await expect(resolveSecretReference('file:relative/token', 'credentials')).rejects.toThrow(
      'the path must be absolute',
    );
    await expect(resolveSecretReference(`file:${dir}`, 'credentials')).rejects.toThrow('is a directory');
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    await expect(resolveSecretReference(`file:${empty}`, 'credentials')).rejects.toThrow('the file is empty');
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      await writeFile(locked, 'x');
      await chmod(locked, 0o000);
      await expect(resolveSecretReference(`file:${locked}`, 'credentials')).rejects.toThrow(
        'permission denied',
      );
    }
  });

  it('never repeats a plain value given where a reference belongs', async () => {
    const error = await resolveSecretReference('ghp_plaintexttoken', 'credentials').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretReferenceError);
    expect((error as Error).message).not.toContain('ghp_plaintexttoken');
    expect((error as Error).message).toContain('env:NAME');
  });
});
