import { z } from 'zod';
import { parseWith } from '../../platform/http/validation.js';
import { ValidationError } from '../../shared/errors.js';
import type { NewEvent } from '../events/event.js';
import { repositoryIdentity } from '../pipelines/repository-identity.js';
import type { PushedCommit, SourceRepository } from './inbound-events.js';

// What a verified delivery becomes: events for the outbox (under the
// provider's delivery id, which deduplicates them), or nothing, with the
// reason said back to the sender. Translators are pure functions of the
// headers and the parsed body; a body that does not fit throws a
// ValidationError naming every field that is wrong.

export type Translation =
  | { kind: 'events'; event: string; deliveryId: string; events: NewEvent[] }
  | { kind: 'ignored'; event: string; reason: string };

export const ZERO_SHA = '0'.repeat(40);

/** Parses a provider's payload; the message says which provider's payload was wrong. */
export function parsePayload<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  return parseWith(schema, body, what);
}

/** A delivery id header: 1 to 200 visible ASCII characters. */
export function deliveryIdFrom(value: string | string[] | undefined, header: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new ValidationError(
      `the ${header} header is missing or not 1 to 200 visible ASCII characters; it identifies the delivery`,
    );
  }
  return value;
}

/** A header's single value, or undefined. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The repository as inbound events name it; the web URL gives its identity. */
export function sourceRepository(
  fullName: string,
  webUrl: string,
  otherUrls: (string | null | undefined)[],
): SourceRepository {
  const identity = repositoryIdentity(webUrl);
  if (identity === undefined) {
    throw new ValidationError(`the repository's web URL "${webUrl.slice(0, 200)}" is not a repository URL`);
  }
  const urls = [webUrl, ...otherUrls.filter((url): url is string => typeof url === 'string' && url !== '')];
  return { fullName, urls: [...new Set(urls)], identity };
}

/** The first line of a commit message, at most 200 characters. */
export function commitTitle(message: string): string {
  const line = message.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 200 ? line.slice(0, 200) : line;
}

/** Paths a commit touched, each once, in the order added, modified, removed. */
export function touchedPaths(...lists: (readonly string[] | null | undefined)[]): string[] {
  return [...new Set(lists.flatMap((list) => list ?? []))];
}

/** A commit as GitHub and GitLab both list it in a push. */
export interface ListedCommit {
  id: string;
  timestamp: string;
  author: { name: string; email?: string | null | undefined };
  message: string;
  added?: readonly string[] | null | undefined;
  modified?: readonly string[] | null | undefined;
  removed?: readonly string[] | null | undefined;
}

/**
 * A push's commits, oldest first, each linked to the one before it in the
 * push and the first to the push's `before`, except when the provider left
 * commits out (`truncated`): then the first one's parent is not known.
 */
export function commitsOfPush(
  before: string,
  listed: readonly ListedCommit[],
  truncated: boolean,
): PushedCommit[] {
  let previous: string | undefined = before === ZERO_SHA || truncated ? undefined : before;
  return listed.map((commit) => {
    const pushed: PushedCommit = {
      sha: commit.id,
      time: commit.timestamp,
      authorName: commit.author.name,
      authorEmail: commit.author.email ?? '',
      title: commitTitle(commit.message),
      paths: touchedPaths(commit.added, commit.modified, commit.removed),
      ...(previous === undefined ? {} : { parentSha: previous }),
    };
    previous = commit.id;
    return pushed;
  });
}

const GITLAB_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/;
const GITLAB_OFFSET = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2}):?(\d{2})$/;

/**
 * An instant as providers write it (ISO 8601, or GitLab's `2016-08-12 15:23:28 UTC`
 * and `2016-08-12 15:23:28 +0200`), as ISO 8601; undefined when it is none of them.
 */
export function isoInstant(text: string): string | undefined {
  const utc = GITLAB_UTC.exec(text);
  const offset = GITLAB_OFFSET.exec(text);
  const normalized = utc
    ? `${utc[1]}T${utc[2]}Z`
    : offset
      ? `${offset[1]}T${offset[2]}${offset[3]}:${offset[4]}`
      : text;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(normalized))
    return undefined;
  return Number.isNaN(Date.parse(normalized)) ? undefined : normalized;
}

/** A zod string that must be an instant (see isoInstant) and becomes ISO 8601. */
export const instant = z.string().transform((text, context) => {
  const iso = isoInstant(text);
  if (iso === undefined) {
    context.addIssue({ code: 'custom', message: 'is not a date and time (ISO 8601)' });
    return z.NEVER;
  }
  return iso;
});

export const sha = z
  .string()
  .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/i, 'is not a commit sha (40 or 64 hex characters)');
