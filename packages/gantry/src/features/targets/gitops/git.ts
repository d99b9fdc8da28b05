import { execFile } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { REDACTED, redactText, redactUrl } from '../../../shared/redact.js';

// Runs the git CLI: execFile with an argument array, never a shell. Nothing
// may wait for a person (no terminal prompt, no askpass, no credential manager
// dialog), every command has a timeout, and every text that leaves this module
// (error messages, stderr) is redacted.
//
// Credentials for https remotes travel in the environment of the git process,
// as an http.<url>.extraHeader set through GIT_CONFIG_COUNT/KEY/VALUE: never on
// the command line (which other users can read in the process list) and never
// in the clone's .git/config (which outlives the process).

export interface GitIdentity {
  name: string;
  email: string;
}

export const DEFAULT_GIT_IDENTITY: GitIdentity = { name: 'Gantry', email: 'gantry@localhost' };

/** Username of the Basic credentials built from a token (GitHub, GitLab and Gitea accept it). */
export const TOKEN_USERNAME = 'x-access-token';

export interface HttpCredentials {
  username: string;
  password: string;
}

export type RemoteKind = 'https' | 'http' | 'ssh' | 'file';

export interface Remote {
  /** What git is given: the URL without user information. */
  url: string;
  /** Safe to print: the URL as configured, password redacted. */
  display: string;
  kind: RemoteKind;
  /** Credentials that were written into the URL (`https://user:token@host/…`), moved out of it. */
  urlCredentials?: HttpCredentials;
}

/** Parses a clone URL; refuses transports that could run commands (`ext::`) or are unknown. */
export function parseRemote(repository: string): Remote {
  const trimmed = repository.trim();
  if (trimmed === '' || trimmed.startsWith('-') || /[\0\r\n]/.test(trimmed)) {
    throw new GitError(`"${redactText(trimmed)}" is not a repository URL`, { args: [] });
  }
  const display = displayRemote(trimmed);
  if (/^https?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new GitError(`${display} is not a valid URL`, { args: [] });
    }
    const kind: RemoteKind = parsed.protocol === 'https:' ? 'https' : 'http';
    let urlCredentials: HttpCredentials | undefined;
    if (parsed.password) {
      urlCredentials = {
        username: decodeURIComponent(parsed.username) || TOKEN_USERNAME,
        password: decodeURIComponent(parsed.password),
      };
    } else if (parsed.username) {
      // https://TOKEN@host/…: a lone user name on an http URL is a token.
      urlCredentials = { username: TOKEN_USERNAME, password: decodeURIComponent(parsed.username) };
    }
    parsed.username = '';
    parsed.password = '';
    return { url: parsed.toString(), display, kind, ...(urlCredentials && { urlCredentials }) };
  }
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(trimmed)) return { url: trimmed, display, kind: 'ssh' };
  if (/^file:\/\//i.test(trimmed)) return { url: trimmed, display, kind: 'file' };
  if (isAbsolute(trimmed)) return { url: trimmed, display, kind: 'file' };
  // scp-like syntax: [user@]host:path, where host has no slash before the colon.
  if (/^([A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^:]/.test(trimmed) && !trimmed.includes('::')) {
    return { url: trimmed, display, kind: 'ssh' };
  }
  throw new GitError(
    `${display} is not a repository URL Gantry clones (use https://, ssh://, git@host:path, file:// or an absolute path)`,
    { args: [] },
  );
}

/**
 * A repository URL safe to print: the password of an http(s) URL and a lone
 * user name (`https://TOKEN@host`, which is a token) are redacted.
 */
export function displayRemote(repository: string): string {
  if (/^https?:\/\//i.test(repository)) {
    try {
      const parsed = new URL(repository);
      if (parsed.username && !parsed.password) parsed.username = REDACTED;
      return redactUrl(parsed.toString());
    } catch {
      return redactText(repository);
    }
  }
  return redactText(repository);
}

export class GitError extends Error {
  /** The git arguments (never secret: credentials are not passed as arguments). */
  readonly args: readonly string[];
  readonly exitCode: number | null;
  /** Redacted standard error of the command. */
  readonly stderr: string;
  /** Redacted standard output of the command. */
  readonly stdout: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;

  constructor(
    message: string,
    details: {
      args: readonly string[];
      exitCode?: number | null;
      stderr?: string;
      stdout?: string;
      timedOut?: boolean;
      aborted?: boolean;
    },
  ) {
    super(message);
    this.name = 'GitError';
    this.args = details.args;
    this.exitCode = details.exitCode ?? null;
    this.stderr = details.stderr ?? '';
    this.stdout = details.stdout ?? '';
    this.timedOut = details.timedOut ?? false;
    this.aborted = details.aborted ?? false;
  }
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitRunnerOptions {
  identity?: GitIdentity;
  /** Per command (default two minutes). */
  timeoutMs?: number;
  /** Sent as a Basic Authorization header to URLs starting with `urlPrefix` (an https origin). */
  http?: { credentials: HttpCredentials; urlPrefix: string };
  /** The executable (default `git` on the PATH). */
  gitPath?: string;
}

export interface RunOptions {
  cwd?: string;
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (e.g. 1 for `git diff --quiet`). */
  okExitCodes?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

// Git environment variables a process may pass on (TLS, proxies, ssh, the git
// installation and its global/system config). Any other GIT_* variable of the
// Gantry process (GIT_DIR, GIT_AUTHOR_NAME, GIT_TRACE_CURL, GIT_CONFIG_*…)
// would redirect, relabel or trace what Gantry does, so it is dropped.
const INHERITED_GIT_VARIABLE = /^GIT_(SSH|SSL_|PROXY_|HTTP_|EXEC_PATH$|CONFIG_(GLOBAL|SYSTEM|NOSYSTEM)$)/;

export class GitRunner {
  private readonly identity: GitIdentity;
  private readonly timeoutMs: number;
  private readonly gitPath: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly secrets: string[];

  constructor(options: GitRunnerOptions = {}) {
    this.identity = options.identity ?? DEFAULT_GIT_IDENTITY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.gitPath = options.gitPath ?? 'git';
    this.env = gitEnvironment(process.env, options.http);
    this.secrets = secretForms(options.http?.credentials);
  }

  /** Runs `git <args>`; rejects with a redacted GitError on a failure, a timeout or an abort. */
  run(args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
    const fullArgs = [
      '-c',
      `user.name=${this.identity.name}`,
      '-c',
      `user.email=${this.identity.email}`,
      // Hooks are not Gantry's to run, and a global signing setup would wait for a passphrase.
      '-c',
      'core.hooksPath=/dev/null',
      '-c',
      'commit.gpgSign=false',
      ...args,
    ];
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.gitPath,
        fullArgs,
        {
          cwd: options.cwd,
          env: this.env,
          timeout: this.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: 'utf8',
          windowsHide: true,
          signal: options.signal,
        },
        (error, stdout, stderr) => {
          const out = this.redact(stdout);
          const err = this.redact(stderr);
          if (!error) {
            resolve({ stdout: out, stderr: err, exitCode: 0 });
            return;
          }
          const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          const exitCode = typeof failure.code === 'number' ? failure.code : null;
          if (exitCode !== null && options.okExitCodes?.includes(exitCode)) {
            resolve({ stdout: out, stderr: err, exitCode });
            return;
          }
          reject(this.failure(args, failure, exitCode, out, err, options.signal));
        },
      );
      child.stdin?.end();
    });
  }

  /** The text with credentials removed: URL passwords, the token and the header built from it. */
  redact(text: string): string {
    let result = redactText(text).replace(
      /(authorization:\s*(?:basic|bearer|token)\s+)\S+/gi,
      `$1${REDACTED}`,
    );
    for (const secret of this.secrets) result = result.split(secret).join(REDACTED);
    return result;
  }

  private failure(
    args: readonly string[],
    error: NodeJS.ErrnoException & { killed?: boolean },
    exitCode: number | null,
    stdout: string,
    stderr: string,
    signal?: AbortSignal,
  ): GitError {
    const command = `git ${args[0] ?? ''}`.trim();
    const details = { args, exitCode, stdout, stderr };
    if (signal?.aborted || error.name === 'AbortError') {
      return new GitError(`${command} was cancelled`, { ...details, aborted: true });
    }
    if (error.code === 'ENOENT' && exitCode === null) {
      return new GitError(
        `${command} could not start: git is not installed (or not on the PATH of the Gantry process), or the working directory is missing`,
        details,
      );
    }
    if (error.killed && exitCode === null) {
      const limit = this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${Math.round(this.timeoutMs / 1000)} s`;
      return new GitError(`${command} did not finish within ${limit}`, {
        ...details,
        timedOut: true,
      });
    }
    const reason = lastLines(stderr) || lastLines(stdout) || this.redact(error.message);
    return new GitError(
      `${command} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${reason}`,
      details,
    );
  }
}

/** The environment of every git process: inherited safely, never interactive, with credentials if any. */
export function gitEnvironment(
  base: NodeJS.ProcessEnv,
  http?: { credentials: HttpCredentials; urlPrefix: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (name.startsWith('GIT_') && !INHERITED_GIT_VARIABLE.test(name)) continue;
    if (name === 'SSH_ASKPASS' || name === 'SSH_ASKPASS_REQUIRE') continue;
    env[name] = value;
  }
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true', // answers any prompt with nothing instead of waiting
    SSH_ASKPASS: 'true',
    GCM_INTERACTIVE: 'never',
    // Only transports that cannot run commands on this machine.
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file',
    // Messages in English, so that the driver can tell a lost push race from other failures.
    LC_ALL: 'C',
    LANGUAGE: 'C',
  });
  if (http) {
    const token = Buffer.from(`${http.credentials.username}:${http.credentials.password}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${http.urlPrefix}.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${token}`;
  }
  return env;
}

/** Every form in which a credential could show up in git's output. */
function secretForms(credentials?: HttpCredentials): string[] {
  if (!credentials || credentials.password === '') return [];
  const { username, password } = credentials;
  const forms = [
    password,
    encodeURIComponent(password),
    `${username}:${password}`,
    Buffer.from(`${username}:${password}`).toString('base64'),
  ];
  // Very short values would mangle ordinary output and protect nothing.
  return [...new Set(forms)].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

function lastLines(text: string, count = 6): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !/^(hint|remote):\s*$/.test(line))
    .slice(-count)
    .join('\n');
}
