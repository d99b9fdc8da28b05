import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

// The file a gitops target edits comes from configuration and the directory
// layout comes from a repository that other people push to. Neither may make
// Gantry write outside its clone: no absolute paths, no `..`, nothing inside
// .git, and no symlink (of the file or of any directory on the way) that leads
// out of the work tree. A symlink that stays inside the tree is followed.

export type RepositoryPathProblem = 'invalid' | 'escapes' | 'missing' | 'not-a-file';

export class RepositoryPathError extends Error {
  constructor(
    message: string,
    readonly problem: RepositoryPathProblem,
  ) {
    super(message);
    this.name = 'RepositoryPathError';
  }
}

export interface RepositoryPath {
  /** The real location of the file (symlinks resolved), inside the work tree. */
  absolutePath: string;
  /** That location relative to the work tree, with `/` separators: what git tracks. */
  relativePath: string;
}

/** Checks a configured path without touching the disk; returns it normalised (`a/b.yaml`). */
export function checkRepositoryPath(path: string): string {
  if (path.trim() === '') throw new RepositoryPathError('the path is empty', 'invalid');
  if (path.includes('\0')) throw new RepositoryPathError('the path holds a NUL character', 'invalid');
  if (isAbsolute(path) || path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    throw new RepositoryPathError(
      `the path ${JSON.stringify(path)} is absolute; give it relative to the repository root`,
      'invalid',
    );
  }
  const segments = path.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new RepositoryPathError(`the path ${JSON.stringify(path)} has a ".." segment`, 'invalid');
  }
  if (segments.some((segment) => segment.toLowerCase() === '.git')) {
    throw new RepositoryPathError(`the path ${JSON.stringify(path)} points into .git`, 'invalid');
  }
  if (segments.length === 0)
    throw new RepositoryPathError(`the path ${JSON.stringify(path)} names no file`, 'invalid');
  return segments.join('/');
}

/** The real location of `path` inside `workTree`, after checking that it stays there and is a regular file. */
export function resolveRepositoryPath(workTree: string, path: string): Promise<RepositoryPath> {
  return resolveInside(workTree, path, 'file');
}

/** The real location of a directory inside `workTree` (a preview template), checked the same way. */
export async function resolveRepositoryDirectory(workTree: string, path: string): Promise<string> {
  return (await resolveInside(workTree, path, 'directory')).absolutePath;
}

async function resolveInside(
  workTree: string,
  path: string,
  kind: 'file' | 'directory',
): Promise<RepositoryPath> {
  const normalised = checkRepositoryPath(path);
  const root = await realpath(workTree);
  const candidate = join(root, ...normalised.split('/'));

  // Where the nearest existing ancestor really is tells whether a symlinked
  // directory leads out, even when the file itself does not exist.
  let existing = candidate;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (error) {
      if (!isMissing(error)) throw error;
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (error) {
    // A dangling symlink: where it points decides.
    if (!isMissing(error)) throw error;
    throw new RepositoryPathError(
      `${normalised} is (or goes through) a symlink to something that does not exist`,
      'missing',
    );
  }
  if (!isInside(root, real)) {
    const link = (await firstEscapingLink(root, normalised)) ?? normalised;
    throw new RepositoryPathError(
      `${normalised} leads outside the repository through a symlink (${link} points outside it)`,
      'escapes',
    );
  }
  if (existing !== candidate) {
    throw new RepositoryPathError(`${normalised} does not exist in the repository`, 'missing');
  }
  const info = await stat(real);
  if (kind === 'file' && !info.isFile()) {
    throw new RepositoryPathError(`${normalised} is not a file`, 'not-a-file');
  }
  if (kind === 'directory' && !info.isDirectory()) {
    throw new RepositoryPathError(`${normalised} is not a directory`, 'not-a-file');
  }
  return { absolutePath: real, relativePath: relative(root, real).split(sep).join('/') };
}

/** The first path prefix that is a symlink resolving outside `root`, for the message. */
async function firstEscapingLink(root: string, normalised: string): Promise<string | undefined> {
  const segments = normalised.split('/');
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    const path = join(root, ...segments.slice(0, i));
    try {
      if (!(await lstat(path)).isSymbolicLink()) continue;
      if (!isInside(root, await realpath(path))) return prefix;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
