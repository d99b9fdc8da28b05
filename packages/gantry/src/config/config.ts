import { isAbsolute } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';
import { redactUrl } from '../shared/redact.js';
import { DORA_2023_BANDS, parseBandsOverride, type DoraBands } from '../features/dora/dora-bands.js';

// Every environment variable Gantry reads is declared here once, with its
// default, an example and a description. The same table validates start-up,
// prints `gantry config`, and is checked against the README by a test.

interface Setting<T> {
  readonly description: string;
  /** Shown in docs and error messages; undefined means "unset". */
  readonly default?: string;
  readonly example: string;
  readonly schema: z.ZodType<T>;
  readonly secret?: boolean;
}

function setting<T>(definition: Setting<T>): Setting<T> {
  return definition;
}

const port = z.coerce
  .number({ error: 'is not a number' })
  .int('is not a whole number')
  .min(1, 'is not a port number (1-65535)')
  .max(65535, 'is not a port number (1-65535)');

const positiveInt = z.coerce
  .number({ error: 'is not a number' })
  .int('is not a whole number')
  .min(1, 'must be at least 1');

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

function urlWithProtocols(protocols: string[]) {
  return z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    { message: `is not a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
}

/**
 * A webhook secret: the secret itself, or a reference to it (`file:/absolute/path`,
 * `env:NAME`) resolved when a delivery arrives, so a rotated file is picked up.
 * Unset: the endpoint answers 404.
 */
const webhookSecret = z
  .string()
  .refine((text) => !text.startsWith('file:') || isAbsolute(text.slice('file:'.length)), {
    message: 'is a file: reference with a relative path; write file:/absolute/path',
  })
  .optional();

export const SETTINGS = {
  GANTRY_HOST: setting({
    description: 'Address the HTTP API listens on (the Docker image sets 0.0.0.0).',
    default: '127.0.0.1',
    example: '0.0.0.0',
    schema: z.string().min(1, 'is empty'),
  }),
  GANTRY_PORT: setting({
    description: 'Port of the HTTP API, dashboard and /metrics.',
    default: '7070',
    example: '7070',
    schema: port,
  }),
  GANTRY_DATABASE_URL: setting({
    description: 'PostgreSQL connection URL. Unset: embedded PGlite in GANTRY_DATA_DIR.',
    example: 'postgres://gantry:secret@db:5432/gantry',
    schema: urlWithProtocols(['postgres:', 'postgresql:']).optional(),
    secret: true,
  }),
  GANTRY_DATABASE_POOL_SIZE: setting({
    description: 'Connections in the PostgreSQL pool (ignored with PGlite, which is one connection).',
    default: '10',
    example: '20',
    schema: positiveInt,
  }),
  GANTRY_DATA_DIR: setting({
    description: 'Directory of the embedded PGlite database (used when GANTRY_DATABASE_URL is unset).',
    default: './.gantry/data',
    example: '/var/lib/gantry',
    schema: z.string().min(1, 'is empty'),
  }),
  GANTRY_BROKER_URL: setting({
    description: 'Message broker. Unset: in-process. amqp:// selects RabbitMQ, nats:// NATS JetStream.',
    example: 'amqp://guest:guest@rabbitmq:5672',
    schema: urlWithProtocols(['amqp:', 'amqps:', 'nats:', 'tls:']).optional(),
    secret: true,
  }),
  GANTRY_LOG_LEVEL: setting({
    description: 'Lowest log level written: trace, debug, info, warn, error, fatal or silent.',
    default: 'info',
    example: 'debug',
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'is not one of trace, debug, info, warn, error, fatal, silent',
    }),
  }),
  GANTRY_LOG_FORMAT: setting({
    description: 'auto (readable on a terminal, JSON otherwise), json or pretty.',
    default: 'auto',
    example: 'json',
    schema: z.enum(['auto', 'json', 'pretty'], { error: 'is not one of auto, json, pretty' }),
  }),
  GANTRY_RELAY_BATCH_SIZE: setting({
    description: 'Outbox rows the relay publishes per batch.',
    default: '500',
    example: '1000',
    schema: positiveInt.max(10_000, 'must be at most 10000'),
  }),
  GANTRY_RELAY_POLL_INTERVAL: setting({
    description: 'How often the relay looks for due events when no notification woke it.',
    default: '1s',
    example: '500ms',
    schema: duration,
  }),
  GANTRY_OUTBOX_RETENTION: setting({
    description: 'How long sent outbox rows and processed-event records are kept before pruning.',
    default: '7d',
    example: '30d',
    schema: duration,
  }),
  GANTRY_CONSUMER_CONCURRENCY: setting({
    description: 'Events each consumer group handles at once per replica (also the broker prefetch).',
    default: '32',
    example: '64',
    schema: positiveInt.max(1_000, 'must be at most 1000'),
  }),
  GANTRY_CONSUMER_MAX_ATTEMPTS: setting({
    description: 'Attempts before a failing event goes to the dead-letter table.',
    default: '8',
    example: '5',
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
  GANTRY_CONSUMER_RETRY_BASE: setting({
    description: 'Delay before the first retry; doubles per attempt, with full jitter.',
    default: '1s',
    example: '500ms',
    schema: duration,
  }),
  GANTRY_CONSUMER_RETRY_MAX: setting({
    description: 'Longest delay between two attempts.',
    default: '5m',
    example: '1m',
    schema: duration,
  }),
  GANTRY_SHUTDOWN_TIMEOUT: setting({
    description: 'How long SIGTERM waits for in-flight handlers before closing anyway.',
    default: '10s',
    example: '30s',
    schema: duration,
  }),
  GANTRY_PREVIEW_PORTS: setting({
    description: "Ports local preview stages (a pull request's pr-<number>) are given from: first-last.",
    default: '9100-9199',
    example: '20000-20999',
    schema: z.string().transform((text, ctx) => {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
      const from = Number(match?.[1]);
      const to = Number(match?.[2]);
      if (!match || from < 1 || to > 65535 || from > to) {
        ctx.addIssue({ code: 'custom', message: 'is not a port range first-last within 1-65535' });
        return z.NEVER;
      }
      return { from, to };
    }),
  }),
  GANTRY_PREVIEW_TTL: setting({
    description:
      "Previews whose pull request saw no activity for this long are torn down (a stage's ttl wins).",
    default: '7d',
    example: '72h',
    schema: duration,
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting({
    description: 'OTLP/HTTP endpoint for traces. Unset: traces are not exported.',
    example: 'http://otel-collector:4318',
    schema: urlWithProtocols(['http:', 'https:']).optional(),
  }),
  OTEL_SERVICE_NAME: setting({
    description: 'service.name attribute of exported traces.',
    default: 'gantry',
    example: 'gantry-eu-west',
    schema: z.string().min(1, 'is empty'),
  }),
  GANTRY_GITHUB_WEBHOOK_SECRET: setting({
    description:
      'Secret of the GitHub webhook (POST /api/v1/webhooks/github), or file:/path to it. Unset: the endpoint answers 404.',
    example: 'file:/run/secrets/github-webhook',
    schema: webhookSecret,
    secret: true,
  }),
  GANTRY_GITLAB_WEBHOOK_TOKEN: setting({
    description:
      'Secret token of the GitLab webhook (POST /api/v1/webhooks/gitlab), or file:/path to it. Unset: the endpoint answers 404.',
    example: 'file:/run/secrets/gitlab-webhook',
    schema: webhookSecret,
    secret: true,
  }),
  GANTRY_ALERTMANAGER_TOKEN: setting({
    description:
      'Bearer token (or basic-auth password) Alertmanager sends to POST /api/v1/webhooks/alertmanager, or file:/path to it. Unset: 404.',
    example: 'file:/run/secrets/alertmanager-token',
    schema: webhookSecret,
    secret: true,
  }),
  GANTRY_CI_WEBHOOK_SECRET: setting({
    description:
      'Secret CI signs POST /api/v1/webhooks/ci with (X-Gantry-Signature), or file:/path to it. Unset: the endpoint answers 404.',
    example: 'file:/run/secrets/ci-webhook',
    schema: webhookSecret,
    secret: true,
  }),
  GANTRY_ALERT_SERVICE_LABEL: setting({
    description: 'Alert label that names the service an Alertmanager alert is about.',
    default: 'service',
    example: 'app',
    schema: z.string().min(1, 'is empty'),
  }),
  GANTRY_ALERT_STAGE_LABEL: setting({
    description: 'Alert label that names the stage; an alert without it opens a service-level incident.',
    default: 'stage',
    example: 'env',
    schema: z.string().min(1, 'is empty'),
  }),
  GANTRY_ROLLBACK_WINDOW: setting({
    description:
      'How long after a promotion succeeded an incident still rolls it back, on stages with rollbackOnIncident: true.',
    default: '30m',
    example: '1h',
    schema: duration,
  }),
  GANTRY_NOTIFICATIONS_FILE: setting({
    description:
      'YAML file of notification channels (Slack, generic webhooks) and subscriptions; see docs/notifications.md. Unset: no notifications.',
    example: '/etc/gantry/notifications.yaml',
    schema: z.string().min(1, 'is empty').optional(),
  }),
  GANTRY_PUBLIC_URL: setting({
    description:
      'The address people reach Gantry at, for links in notifications. Unset: http://GANTRY_HOST:GANTRY_PORT.',
    example: 'https://gantry.example.com',
    schema: urlWithProtocols(['http:', 'https:']).optional(),
  }),
  GANTRY_DASHBOARD_DIR: setting({
    description:
      'Directory of the built dashboard served at /. Unset: the dashboard package built with Gantry (npm run build); off: serve no dashboard.',
    example: '/opt/gantry/dashboard',
    schema: z.string().min(1, 'is empty').optional(),
  }),
  GANTRY_DORA_BANDS: setting({
    description:
      'DORA performance bands to use instead of the 2023 report: inline JSON, or the path of a JSON file (see docs/dora.md).',
    example: '{"leadTime":{"elite":"2d"}}',
    schema: z
      .string()
      .optional()
      .transform((text, ctx): DoraBands => {
        if (text === undefined) return DORA_2023_BANDS;
        try {
          const json = text.trim().startsWith('{') ? text : readFileSync(text, 'utf8');
          return parseBandsOverride(json);
        } catch (error) {
          const problem = (error as NodeJS.ErrnoException).code
            ? `cannot be read (${(error as Error).message})`
            : (error as Error).message;
          ctx.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
      }),
  }),
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type SettingValue<K extends SettingName> = z.output<Settings[K]['schema']>;

export interface GantryConfig {
  http: { host: string; port: number };
  /** The built dashboard to serve at /: undefined for the bundled one, 'off' for none. */
  dashboard: { dir: string | undefined };
  database: { url: string | undefined; poolSize: number; dataDir: string };
  broker: { url: string | undefined };
  log: { level: SettingValue<'GANTRY_LOG_LEVEL'>; format: SettingValue<'GANTRY_LOG_FORMAT'> };
  relay: { batchSize: number; pollIntervalMs: number; retentionMs: number };
  consumers: { concurrency: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  shutdownTimeoutMs: number;
  previews: { ports: { from: number; to: number }; ttlMs: number };
  telemetry: { otlpEndpoint: string | undefined; serviceName: string };
  /** Each webhook's secret as configured (the secret or a file:/env: reference); undefined: the endpoint is off. */
  webhooks: {
    githubSecret: string | undefined;
    gitlabToken: string | undefined;
    alertmanagerToken: string | undefined;
    ciSecret: string | undefined;
  };
  incidents: { serviceLabel: string; stageLabel: string; rollbackWindowMs: number };
  notifications: { file: string | undefined };
  publicUrl: string | undefined;
  dora: { bands: DoraBands };
}

/** Thrown for a bad environment variable; its message is the one line to print. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function read<K extends SettingName>(env: NodeJS.ProcessEnv, name: K): SettingValue<K> {
  const definition: Setting<unknown> = SETTINGS[name];
  const raw = env[name] === '' ? undefined : env[name];
  const result = definition.schema.safeParse(raw ?? definition.default);
  if (!result.success) {
    const problem = result.error.issues[0]?.message ?? 'is not valid';
    const shown = definition.secret && raw ? redactUrl(raw) : raw;
    throw new ConfigError(
      `Invalid configuration: ${name}=${JSON.stringify(shown)} ${problem}; for example ${name}=${definition.example}`,
    );
  }
  return result.data as SettingValue<K>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GantryConfig {
  const config: GantryConfig = {
    http: { host: read(env, 'GANTRY_HOST'), port: read(env, 'GANTRY_PORT') },
    database: {
      url: read(env, 'GANTRY_DATABASE_URL'),
      poolSize: read(env, 'GANTRY_DATABASE_POOL_SIZE'),
      dataDir: read(env, 'GANTRY_DATA_DIR'),
    },
    broker: { url: read(env, 'GANTRY_BROKER_URL') },
    log: { level: read(env, 'GANTRY_LOG_LEVEL'), format: read(env, 'GANTRY_LOG_FORMAT') },
    relay: {
      batchSize: read(env, 'GANTRY_RELAY_BATCH_SIZE'),
      pollIntervalMs: read(env, 'GANTRY_RELAY_POLL_INTERVAL'),
      retentionMs: read(env, 'GANTRY_OUTBOX_RETENTION'),
    },
    consumers: {
      concurrency: read(env, 'GANTRY_CONSUMER_CONCURRENCY'),
      maxAttempts: read(env, 'GANTRY_CONSUMER_MAX_ATTEMPTS'),
      retryBaseMs: read(env, 'GANTRY_CONSUMER_RETRY_BASE'),
      retryMaxMs: read(env, 'GANTRY_CONSUMER_RETRY_MAX'),
    },
    shutdownTimeoutMs: read(env, 'GANTRY_SHUTDOWN_TIMEOUT'),
    previews: { ports: read(env, 'GANTRY_PREVIEW_PORTS'), ttlMs: read(env, 'GANTRY_PREVIEW_TTL') },
    telemetry: {
      otlpEndpoint: read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      serviceName: read(env, 'OTEL_SERVICE_NAME'),
    },
    webhooks: {
      githubSecret: read(env, 'GANTRY_GITHUB_WEBHOOK_SECRET'),
      gitlabToken: read(env, 'GANTRY_GITLAB_WEBHOOK_TOKEN'),
      alertmanagerToken: read(env, 'GANTRY_ALERTMANAGER_TOKEN'),
      ciSecret: read(env, 'GANTRY_CI_WEBHOOK_SECRET'),
    },
    incidents: {
      serviceLabel: read(env, 'GANTRY_ALERT_SERVICE_LABEL'),
      stageLabel: read(env, 'GANTRY_ALERT_STAGE_LABEL'),
      rollbackWindowMs: read(env, 'GANTRY_ROLLBACK_WINDOW'),
    },
    notifications: { file: read(env, 'GANTRY_NOTIFICATIONS_FILE') },
    publicUrl: read(env, 'GANTRY_PUBLIC_URL'),
    dashboard: { dir: read(env, 'GANTRY_DASHBOARD_DIR') },
    dora: { bands: read(env, 'GANTRY_DORA_BANDS') },
  };
  if (config.consumers.retryMaxMs < config.consumers.retryBaseMs) {
    throw new ConfigError(
      `Invalid configuration: GANTRY_CONSUMER_RETRY_MAX (${env.GANTRY_CONSUMER_RETRY_MAX}) is shorter than GANTRY_CONSUMER_RETRY_BASE (${env.GANTRY_CONSUMER_RETRY_BASE ?? SETTINGS.GANTRY_CONSUMER_RETRY_BASE.default}); for example GANTRY_CONSUMER_RETRY_MAX=5m`,
    );
  }
  return config;
}
