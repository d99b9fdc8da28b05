import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepositoryPath, resolveRepositoryPath, type RepositoryPathProblem } from './repository-path.js';

describe('repository paths', () => {
  let base: string;
  let tree: string;
  let outside: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'gantry-repo-path-'));
    tree = join(base, 'tree');
    outside = join(base, 'outside');
    await mkdir(join(tree, 'apps', 'api'), { recursive: true });
    await mkdir(join(tree, '.git'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(tree, 'apps', 'api', 'kustomization.yaml'), 'images: []\n');
    await writeFile(join(tree, '..notes.yaml'), 'a: 1\n');
    await writeFile(join(outside, 'values.yaml'), 'image:\n  tag: x\n');
    // Leaves the tree: a file link, a directory link (absolute and relative), a dangling link.
    await symlink(join(outside, 'values.yaml'), join(tree, 'escape.yaml'));
    await symlink(outside, join(tree, 'linked-dir'));
    await symlink('../../outside', join(tree, 'apps', 'relative-dir'));
    await symlink(join(outside, 'gone.yaml'), join(tree, 'dangling.yaml'));
    // Stays inside: followed.
    await symlink('apps/api/kustomization.yaml', join(tree, 'current.yaml'));
    await symlink('apps', join(tree, 'overlays'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function problem(path: string): Promise<RepositoryPathProblem | 'resolved'> {
    try {
      await resolveRepositoryPath(tree, path);
      return 'resolved';
    } catch (error) {
      return (error as { problem: RepositoryPathProblem }).problem;
    }
  }

  it('resolves a plain relative path', async () => {
    const resolved = await resolveRepositoryPath(tree, './apps//api/kustomization.yaml');
    expect(resolved.relativePath).toBe('apps/api/kustomization.yaml');
    expect(resolved.absolutePath.endsWith(join('apps', 'api', 'kustomization.yaml'))).toBe(true);
    expect((await resolveRepositoryPath(tree, '..notes.yaml')).relativePath).toBe('..notes.yaml');
  });

  it('follows symlinks that stay inside the tree to the real file', async () => {
    expect((await resolveRepositoryPath(tree, 'current.yaml')).relativePath).toBe(
      'apps/api/kustomization.yaml',
    );
    expect((await resolveRepositoryPath(tree, 'overlays/api/kustomization.yaml')).relativePath).toBe(
      'apps/api/kustomization.yaml',
    );
  });

  it('refuses absolute paths, .. segments and .git', async () => {
    expect(await problem('/etc/passwd')).toBe('invalid');
    expect(await problem(join(tree, 'apps/api/kustomization.yaml'))).toBe('invalid');
    expect(await problem('apps/../../outside/values.yaml')).toBe('invalid');
    expect(await problem('apps\\..\\..\\outside\\values.yaml')).toBe('invalid');
    expect(await problem('..')).toBe('invalid');
    expect(await problem('.git/config')).toBe('invalid');
    expect(await problem('C:/windows/system.ini')).toBe('invalid');
    expect(await problem('')).toBe('invalid');
    expect(await problem('./')).toBe('invalid');
    expect(() => checkRepositoryPath('apps/../x')).toThrow('has a ".." segment');
  });

  it('refuses symlinks that leave the tree, for files and for directories', async () => {
    expect(await problem('escape.yaml')).toBe('escapes');
    expect(await problem('linked-dir/values.yaml')).toBe('escapes');
    expect(await problem('apps/relative-dir/values.yaml')).toBe('escapes');
    // Also when the file behind the link does not exist (yet).
    expect(await problem('linked-dir/not-there.yaml')).toBe('escapes');
    await expect(resolveRepositoryPath(tree, 'linked-dir/values.yaml')).rejects.toThrow(
      'linked-dir/values.yaml leads outside the repository through a symlink (linked-dir points outside it)',
    );
  });

  it('tells a missing file and a directory apart', async () => {
    expect(await problem('apps/api/values.yaml')).toBe('missing');
    expect(await problem('nope/deeper/values.yaml')).toBe('missing');
    expect(await problem('dangling.yaml')).toBe('missing');
    expect(await problem('apps/api')).toBe('not-a-file');
  });
});
