import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { GantryError } from './errors.js';

// Secrets are referenced, never written in configuration: `env:NAME` reads an
// environment variable of the Gantry process, `file:/absolute/path` reads a
// file (a mounted Kubernetes secret, a Docker secret). A reference is resolved
// when the secret is needed, so a rotated file is picked up without a restart.
//
// Error messages name the reference (which is safe to show) and never the
// value, nor any part of a string that was meant to be a reference: a token
// pasted where a reference belongs must not end up in an error.

/** A secret reference could not be resolved; the message says why and how to fix it. */
export class SecretReferenceError extends GantryError {
  readonly status = 400;
  readonly code = 'secret_reference_unresolved';
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A file larger than this is not a secret but a mistake (a wrong path); refuse it. */
const MAX_FILE_BYTES = 64 * 1024;

/** Whether `value` has the shape of a secret reference (`env:…` or `file:…`). */
export function isSecretReference(value: unknown): value is string {
  return typeof value === 'string' && /^(env|file):./.test(value);
}

/**
 * The secret a reference points to. `what` names the setting for the message,
 * e.g. `credentials` gives "credentials env:GIT_TOKEN: the environment variable
 * GIT_TOKEN is not set". A file's content loses one trailing newline (what
 * `echo` and most editors add); nothing else is trimmed.
 */
export async function resolveSecretReference(ref: string, what: string): Promise<string> {
  if (!isSecretReference(ref)) {
    // Deliberately not quoting `ref`: it may be the secret itself.
    throw new SecretReferenceError(
      `${what}: not a secret reference; write env:NAME (an environment variable) or file:/absolute/path (a file) instead of the secret itself`,
    );
  }
  if (ref.startsWith('env:')) return resolveEnv(ref, what);
  return resolveFile(ref, what);
}

function resolveEnv(ref: string, what: string): string {
  const name = ref.slice('env:'.length);
  if (!ENV_NAME.test(name)) {
    throw new SecretReferenceError(
      `${what} ${ref}: "${name}" is not an environment variable name (letters, digits and _, not starting with a digit)`,
    );
  }
  const value = process.env[name];
  if (value === undefined) {
    throw new SecretReferenceError(`${what} ${ref}: the environment variable ${name} is not set`);
  }
  if (value === '') {
    throw new SecretReferenceError(`${what} ${ref}: the environment variable ${name} is empty`);
  }
  return value;
}

async function resolveFile(ref: string, what: string): Promise<string> {
  const path = ref.slice('file:'.length);
  if (!isAbsolute(path)) {
    throw new SecretReferenceError(
      `${what} ${ref}: the path must be absolute (file:/run/secrets/name), since Gantry's working directory is not part of its configuration`,
    );
  }
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new SecretReferenceError(`${what} ${ref}: ${describeReadError(error)}`);
  }
  if (content.length > MAX_FILE_BYTES) {
    throw new SecretReferenceError(
      `${what} ${ref}: the file holds ${content.length} bytes, more than a secret (at most ${MAX_FILE_BYTES}); is the path right?`,
    );
  }
  const value = content.toString('utf8').replace(/\r?\n$/, '');
  if (value === '') throw new SecretReferenceError(`${what} ${ref}: the file is empty`);
  return value;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'the file does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'the Gantry process may not read the file (permission denied)';
    case 'EISDIR':
      return 'the path is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return `the file cannot be read (${code ?? 'unknown error'})`;
  }
}
