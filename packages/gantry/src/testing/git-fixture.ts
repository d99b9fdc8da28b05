import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IDENTITY = ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com'];

/** A bare config repository, as Argo CD or Flux would watch, seeded with files. */
export interface ConfigRepository {
  /** Path of the bare repository (what gantry.yaml names as the target repository). */
  bare: string;
  git(...args: string[]): Promise<string>;
  /** The file's text on the branch head. */
  show(path: string, branch?: string): Promise<string>;
  /** Commits on the branch, newest first: sha, subject, body. */
  log(branch?: string): Promise<Array<{ sha: string; subject: string; body: string }>>;
  /** `git interpret-trailers --parse` of a commit. */
  trailers(sha: string): Promise<Record<string, string>>;
}

export async function createConfigRepository(
  files: Record<string, string>,
  branch = 'main',
): Promise<ConfigRepository> {
  const root = await mkdtemp(join(tmpdir(), 'gantry-config-repo-'));
  const bare = join(root, 'deploy.git');
  const seed = join(root, 'seed');
  await run('git', ['init', '--bare', '--initial-branch', branch, bare]);
  await run('git', ['init', '--initial-branch', branch, seed]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(seed, path)), { recursive: true });
    await writeFile(join(seed, path), text);
  }
  await run('git', ['-C', seed, 'add', '-A']);
  await run('git', ['-C', seed, ...IDENTITY, 'commit', '-q', '-m', 'seed']);
  await run('git', ['-C', seed, 'push', '-q', bare, `HEAD:refs/heads/${branch}`]);
  const git = async (...args: string[]) => (await run('git', ['-C', bare, ...args])).stdout;
  return {
    bare,
    git,
    show: (path, ref = branch) => git('show', `${ref}:${path}`),
    async log(ref = branch) {
      const out = await git('log', '--format=%H%x1f%s%x1f%b%x1e', ref);
      return out
        .split('\x1e')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const [sha = '', subject = '', body = ''] = entry.split('\x1f');
          return { sha, subject, body };
        });
    },
    async trailers(sha) {
      const message = await git('log', '-1', '--format=%B', sha);
      const stdout = execFileSync('git', ['interpret-trailers', '--parse'], {
        input: message,
        encoding: 'utf8',
      });
      const result: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const at = line.indexOf(':');
        if (at > 0) result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      return result;
    },
  };
}
