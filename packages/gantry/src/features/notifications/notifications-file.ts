// The notifications file (GANTRY_NOTIFICATIONS_FILE): which channels Gantry
// posts to and which events go where. It is server configuration rather than
// part of a service's gantry.yaml because channel URLs are secrets: the file
// names them by reference (env:NAME, file:/path) and never holds them.
//
//   channels:
//     - name: deploys
//       type: slack
//       url: env:SLACK_DEPLOYS_WEBHOOK_URL
//     - name: audit
//       type: webhook
//       url: file:/run/secrets/audit-webhook-url
//       secret: env:AUDIT_WEBHOOK_SECRET
//   subscriptions:
//     - channel: deploys
//       events: [promotion.succeeded, promotion.failed, promotion.rolled-back]
//       stages: [prod]
//
// Every problem is reported at once with file:line:col, the way gantry.yaml's
// are; secret references are resolved at start-up too, so a variable that is
// not set stops Gantry at start rather than failing every delivery later.

import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { StartupError } from '../../shared/errors.js';
import { resolveSecretReference } from '../../shared/secret-reference.js';
import { closestMatch, didYouMean } from '../pipelines/did-you-mean.js';
import { formatPipelineIssue, locate, syntaxMessage } from '../pipelines/pipeline-document.js';
import {
  displayPath,
  duration,
  flattenIssues,
  label,
  pipelineIssueMessage,
  problemCheck,
  secretReferenceProblem,
  strict,
  type DurationSpec,
} from '../pipelines/pipeline-spec.js';
import { NOTIFICATION_TYPES, NOTIFICATION_WILDCARDS, type NotificationType } from './notification-events.js';

export const DEFAULT_CHANNEL_TIMEOUT = '10s';
export const DEFAULT_CHANNEL_CONCURRENCY = 4;
export const DEFAULT_RETRY = { attempts: 10, backoff: '5s', maxBackoff: '10m' } as const;

export type ChannelType = 'slack' | 'webhook';

export interface ChannelRetry {
  /** Attempts before a delivery is dead. */
  attempts: number;
  /** Bound of the delay after the first failure; doubles per attempt, with full jitter. */
  backoff: DurationSpec;
  maxBackoff: DurationSpec;
}

interface ChannelBase {
  name: string;
  /** A secret reference (env:NAME or file:/path); the URL itself is a secret. */
  url: string;
  timeout: DurationSpec;
  /** Requests to this channel in flight at once, per Gantry replica. */
  concurrency: number;
  retry: ChannelRetry;
}

export interface SlackChannel extends ChannelBase {
  type: 'slack';
}

export interface WebhookChannel extends ChannelBase {
  type: 'webhook';
  /** Secret reference of the HMAC key that signs each request (X-Gantry-Signature). */
  secret: string;
}

export type ChannelSpec = SlackChannel | WebhookChannel;

export interface SubscriptionSpec {
  channel: string;
  /** Notification names, or `*`, `promotion.*`, `incident.*`. */
  events: string[];
  /** Undefined: every service. */
  services?: string[];
  /** Undefined: every stage. */
  stages?: string[];
}

export interface NotificationsSpec {
  channels: ChannelSpec[];
  subscriptions: SubscriptionSpec[];
}

export const EMPTY_NOTIFICATIONS: NotificationsSpec = { channels: [], subscriptions: [] };

// ---------------------------------------------------------------------------
// Schema.

const secretReference = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : secretReferenceProblem('')) })
  .superRefine((text, ctx) => {
    const message = secretReferenceProblem(text);
    // Never quoted: a URL pasted here is the secret itself.
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: '' });
  });

const retry = strict({
  attempts: z.number().int().min(1).max(100).default(DEFAULT_RETRY.attempts),
  backoff: duration('Delay bound after the first failure.', { positive: true }).prefault(
    DEFAULT_RETRY.backoff,
  ),
  maxBackoff: duration('Longest delay between attempts.', { positive: true }).prefault(
    DEFAULT_RETRY.maxBackoff,
  ),
}).superRefine(
  problemCheck((value: { backoff: DurationSpec; maxBackoff: DurationSpec }) =>
    value.maxBackoff.ms < value.backoff.ms
      ? `maxBackoff (${value.maxBackoff.text}) is shorter than backoff (${value.backoff.text})`
      : undefined,
  ),
);

const channelCommon = {
  name: label('The channel name subscriptions refer to.'),
  url: secretReference,
  timeout: duration('How long one request may take.', { positive: true }).prefault(DEFAULT_CHANNEL_TIMEOUT),
  concurrency: z.number().int().min(1).max(64).default(DEFAULT_CHANNEL_CONCURRENCY),
  retry: retry.prefault({}),
};

const channel = z.discriminatedUnion('type', [
  strict({ ...channelCommon, type: z.literal('slack') }),
  strict({ ...channelCommon, type: z.literal('webhook'), secret: secretReference }),
]);

const KNOWN_EVENTS: readonly string[] = [...NOTIFICATION_TYPES, ...NOTIFICATION_WILDCARDS];

const eventName = z
  .string()
  .superRefine(
    problemCheck((name: string) =>
      KNOWN_EVENTS.includes(name)
        ? undefined
        : `"${name}" is not a notification${didYouMean(name, KNOWN_EVENTS) || `; use one of ${KNOWN_EVENTS.join(', ')}`}`,
    ),
  );

const nameOrAll = z.union([z.literal('*'), label('A service or stage name.')]);
const filter = z
  .union([z.literal('*'), z.array(nameOrAll).min(1)])
  .optional()
  .transform((value) => (value === undefined || value === '*' || value.includes('*') ? undefined : value));

const subscription = strict({
  channel: z.string().min(1),
  events: z.array(eventName).min(1),
  services: filter,
  stages: filter,
});

const notificationsSchema = strict({
  channels: z.array(channel).min(1),
  subscriptions: z.array(subscription).default([]),
});

// ---------------------------------------------------------------------------
// Reading the file.

export interface NotificationsFileIssue {
  file: string;
  line: number;
  column: number;
  /** `channels[1].url`; '' for the document. */
  path: string;
  message: string;
}

/** `notifications.yaml:4:12 channels[0].url: …` */
export function formatNotificationsIssue(issue: NotificationsFileIssue): string {
  return formatPipelineIssue({ ...issue, service: '' });
}

/** The file cannot be used; `issues` lists every problem. */
export class NotificationsFileError extends StartupError {
  constructor(
    readonly file: string,
    readonly issues: NotificationsFileIssue[],
  ) {
    super(
      `GANTRY_NOTIFICATIONS_FILE ${file} has ${issues.length === 1 ? 'a problem' : `${issues.length} problems`}:\n${issues.map((issue) => `  ${formatNotificationsIssue(issue)}`).join('\n')}`,
    );
    this.name = 'NotificationsFileError';
  }
}

export interface ParsedNotifications {
  spec: NotificationsSpec;
  /** file:line:col of a path in the file, for problems found later (secrets). */
  position(path: readonly (string | number)[]): { line: number; column: number };
}

/**
 * The channels and subscriptions a notifications file declares, validated and
 * with defaults filled in. Throws a NotificationsFileError listing every
 * problem (syntax, schema, duplicate channels, subscriptions to undeclared
 * channels). `fileName` is only used in messages.
 */
export function parseNotificationsFile(text: string, fileName: string): ParsedNotifications {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, merge: true, prettyErrors: true });
  const issues: NotificationsFileIssue[] = [];
  const at = (offset: number, path: string, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    issues.push({ file: fileName, line, column: col, path, message });
  };
  const fail = (): never => {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new NotificationsFileError(fileName, issues);
  };
  if (document.errors.length > 0) {
    for (const error of document.errors) at(error.pos[0], '', syntaxMessage(error));
    return fail();
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    at(0, '', error instanceof Error ? error.message : String(error));
    return fail();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    at(0, '', 'expected a mapping with channels and subscriptions');
    return fail();
  }
  const result = notificationsSchema.safeParse(value, { error: pipelineIssueMessage, reportInput: true });
  if (!result.success) {
    for (const issue of flattenIssues(result.error.issues, [])) {
      at(locate(document, issue.path, issue.atKey), displayPath(issue.path), issue.message);
    }
    return fail();
  }
  const spec = result.data as NotificationsSpec;
  const declared = new Map<string, number>();
  spec.channels.forEach((declaredChannel, index) => {
    const earlier = declared.get(declaredChannel.name);
    if (earlier !== undefined) {
      at(
        locate(document, ['channels', index, 'name'], false),
        `channels[${index}].name`,
        `channel "${declaredChannel.name}" is already declared (channels[${earlier}])`,
      );
    } else {
      declared.set(declaredChannel.name, index);
    }
  });
  spec.subscriptions.forEach((sub, index) => {
    if (declared.has(sub.channel)) return;
    const names = [...declared.keys()];
    const match = closestMatch(sub.channel, names);
    at(
      locate(document, ['subscriptions', index, 'channel'], false),
      `subscriptions[${index}].channel`,
      `no channel "${sub.channel}" is declared${match ? `; did you mean "${match}"?` : `; the file declares ${names.join(', ')}`}`,
    );
  });
  if (issues.length > 0) fail();
  return {
    spec,
    position(path) {
      const { line, col } = lineCounter.linePos(locate(document, path, false));
      return { line, column: col };
    },
  };
}

/** A channel with its secrets resolved: held in memory only, never logged or stored. */
export interface ResolvedChannel {
  url: string;
  /** The signing secret of a webhook channel. */
  secret?: string;
}

/**
 * Reads the channel's URL (and signing secret) from their references. Called
 * for every request, so a rotated secret file is picked up without a restart.
 */
export async function resolveChannel(spec: ChannelSpec): Promise<ResolvedChannel> {
  const url = await resolveSecretReference(spec.url, `channel ${spec.name} url`);
  const problem = urlProblem(url);
  if (problem) throw new ChannelUrlError(`channel ${spec.name} url ${spec.url}: ${problem}`);
  if (spec.type === 'slack') return { url };
  return { url, secret: await resolveSecretReference(spec.secret, `channel ${spec.name} secret`) };
}

export class ChannelUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelUrlError';
  }
}

/** Why a resolved URL cannot be posted to. Never quotes it: the URL is the secret. */
function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'the secret it names is not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `the secret it names is a ${parsed.protocol} URL; Gantry posts to http:// or https:// only`;
  }
  return undefined;
}

/**
 * Reads and checks GANTRY_NOTIFICATIONS_FILE: the YAML, then every secret
 * reference (each must resolve now; the URLs must be http(s)). Throws a
 * NotificationsFileError naming each problem at its place in the file.
 */
export async function loadNotificationsFile(path: string): Promise<NotificationsSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      `GANTRY_NOTIFICATIONS_FILE ${path}: ${code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? 'unknown error'})`}`,
    );
  }
  const parsed = parseNotificationsFile(text, path);
  const issues: NotificationsFileIssue[] = [];
  for (const [index, spec] of parsed.spec.channels.entries()) {
    const references: Array<{ key: 'url' | 'secret'; ref: string }> = [{ key: 'url', ref: spec.url }];
    if (spec.type === 'webhook') references.push({ key: 'secret', ref: spec.secret });
    for (const { key, ref } of references) {
      const problem = await resolveSecretReference(ref, 'the reference').then(
        (value) => (key === 'url' ? urlProblem(value) : undefined),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      if (problem === undefined) continue;
      const { line, column } = parsed.position(['channels', index, key]);
      issues.push({ file: path, line, column, path: `channels[${index}].${key}`, message: problem });
    }
  }
  if (issues.length > 0) throw new NotificationsFileError(path, issues);
  return parsed.spec;
}

/** Whether a subscription's event list takes notification `type`. */
export function subscribesTo(sub: SubscriptionSpec, type: NotificationType): boolean {
  return sub.events.some(
    (event) =>
      event === type || event === '*' || (event.endsWith('.*') && type.startsWith(event.slice(0, -1))),
  );
}

/**
 * Whether a notification about (service, stage) passes a subscription's
 * filters. A notification without a service (an incident no service was
 * named for) passes only a subscription that does not filter by service.
 */
export function matchesFilters(sub: SubscriptionSpec, service: string | null, stage: string | null): boolean {
  if (sub.services && (service === null || !sub.services.includes(service))) return false;
  if (sub.stages && (stage === null || !sub.stages.includes(stage))) return false;
  return true;
}
