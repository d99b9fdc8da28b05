import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GantryConfig, SettingName } from '../../config/config.js';
import { isSecretReference, resolveSecretReference } from '../../shared/secret-reference.js';
import { SIGNATURE_HEADER, secretsEqual, verifySignedPayload } from '../../shared/signed-payload.js';

// How each webhook proves it comes from who it says. Every comparison is
// constant-time, and no message quotes a header value or a secret: a
// refusal says which header was missing or wrong and which setting holds the
// secret to compare with.

export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'alertmanager', 'ci'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export function isWebhookProvider(value: unknown): value is WebhookProvider {
  return typeof value === 'string' && (WEBHOOK_PROVIDERS as readonly string[]).includes(value);
}

/** The setting that holds each provider's secret. */
export const WEBHOOK_SECRET_SETTINGS = {
  github: 'GANTRY_GITHUB_WEBHOOK_SECRET',
  gitlab: 'GANTRY_GITLAB_WEBHOOK_TOKEN',
  alertmanager: 'GANTRY_ALERTMANAGER_TOKEN',
  ci: 'GANTRY_CI_WEBHOOK_SECRET',
} as const satisfies Record<WebhookProvider, SettingName>;

/** The configured value (the secret or a reference to it) of a provider; undefined when the endpoint is off. */
export function configuredSecret(config: GantryConfig, provider: WebhookProvider): string | undefined {
  const value = {
    github: config.webhooks.githubSecret,
    gitlab: config.webhooks.gitlabToken,
    alertmanager: config.webhooks.alertmanagerToken,
    ci: config.webhooks.ciSecret,
  }[provider];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The secret itself: a reference is read now (so a rotated file is picked
 * up); anything else is the secret. Throws SecretReferenceError, whose message
 * names the reference, never its content.
 */
export async function resolveWebhookSecret(provider: WebhookProvider, configured: string): Promise<string> {
  if (!isSecretReference(configured)) return configured;
  return resolveSecretReference(configured, WEBHOOK_SECRET_SETTINGS[provider]);
}

export type Headers = Record<string, string | string[] | undefined>;

/** Why a delivery was not accepted as authentic: the message to send, and a WWW-Authenticate challenge if any. */
export interface AuthFailure {
  message: string;
  challenge?: string;
}

/** Checks the delivery's credentials against `secret`; undefined when they are right. */
export function checkWebhookAuth(
  provider: WebhookProvider,
  headers: Headers,
  rawBody: Buffer,
  secret: string,
  nowSeconds?: number,
): AuthFailure | undefined {
  switch (provider) {
    case 'github':
      return checkGithubSignature(single(headers['x-hub-signature-256']), rawBody, secret);
    case 'gitlab':
      return checkGitlabToken(single(headers['x-gitlab-token']), secret);
    case 'alertmanager':
      return checkAuthorization(single(headers.authorization), secret);
    case 'ci': {
      const check = verifySignedPayload(
        single(headers[SIGNATURE_HEADER]),
        secret,
        rawBody,
        nowSeconds === undefined ? {} : { atSeconds: nowSeconds },
      );
      return check.ok
        ? undefined
        : {
            message: `${check.message}; sign the body with GANTRY_CI_WEBHOOK_SECRET (see docs/integrations.md)`,
          };
    }
  }
}

/** A header sent twice is not trusted: only a single value counts. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const GITHUB_SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function checkGithubSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
): AuthFailure | undefined {
  if (header === undefined || header.trim() === '') {
    return {
      message:
        'the X-Hub-Signature-256 header is missing; give the GitHub webhook a secret, the same as GANTRY_GITHUB_WEBHOOK_SECRET',
    };
  }
  const match = GITHUB_SIGNATURE.exec(header.trim());
  if (!match)
    return { message: 'the X-Hub-Signature-256 header is not of the form sha256=<64 hex characters>' };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected)) {
    return {
      message:
        'the X-Hub-Signature-256 signature does not match the body; the GitHub webhook secret differs from GANTRY_GITHUB_WEBHOOK_SECRET',
    };
  }
  return undefined;
}

/** `X-Gitlab-Token: <the webhook's secret token>`. */
export function checkGitlabToken(header: string | undefined, token: string): AuthFailure | undefined {
  if (header === undefined || header === '') {
    return {
      message:
        'the X-Gitlab-Token header is missing; set the GitLab webhook secret token, the same as GANTRY_GITLAB_WEBHOOK_TOKEN',
    };
  }
  if (!secretsEqual(header, token)) {
    return { message: 'the X-Gitlab-Token header does not match GANTRY_GITLAB_WEBHOOK_TOKEN' };
  }
  return undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;
const ALERTMANAGER_CHALLENGE = 'Bearer realm="gantry-alertmanager"';

/**
 * What Alertmanager's `http_config` sends: `Authorization: Bearer <token>`
 * (authorization.credentials), or `Basic base64(user:password)` (basic_auth)
 * where the password is the token and the user name is free.
 */
export function checkAuthorization(header: string | undefined, token: string): AuthFailure | undefined {
  if (header === undefined || header.trim() === '') {
    return {
      message:
        'the Authorization header is missing; give the Alertmanager receiver http_config.authorization.credentials (or basic_auth.password) equal to GANTRY_ALERTMANAGER_TOKEN',
      challenge: ALERTMANAGER_CHALLENGE,
    };
  }
  let given: string | undefined;
  const bearer = BEARER.exec(header);
  const basic = BASIC.exec(header);
  if (bearer) given = bearer[1];
  else if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) given = decoded.slice(colon + 1);
  }
  if (given === undefined) {
    return {
      message: 'the Authorization header is neither Bearer <token> nor Basic <base64 of user:password>',
      challenge: ALERTMANAGER_CHALLENGE,
    };
  }
  if (!secretsEqual(given, token)) {
    return {
      message: 'the Authorization credentials do not match GANTRY_ALERTMANAGER_TOKEN',
      challenge: `${ALERTMANAGER_CHALLENGE}, error="invalid_token"`,
    };
  }
  return undefined;
}
