import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import { createReleaseSchema, releaseDtoSchema } from '../releases/releases.dto.js';
import { webhookPayloadSchema, webhookReceiptSchema } from './webhooks.dto.js';

// The webhook routes take no API token; each checks its own secret, and
// answers 404 while that secret is not configured. See docs/integrations.md.

const receipt = {
  200: {
    description: 'Acknowledged: a duplicate, or nothing to do (the body says why)',
    schema: webhookReceiptSchema,
  },
  202: {
    description: 'Accepted: the events are stored; their work happens next',
    schema: webhookReceiptSchema,
  },
};

/** The routes of WebhooksController, for /api/openapi.json. */
export const webhookOperations = defineOperations([
  {
    method: 'POST',
    path: '/api/v1/webhooks/github',
    operationId: 'receiveGithubWebhook',
    summary: 'GitHub webhook: push, pull_request, workflow_run, ping',
    description:
      'Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the body with GANTRY_GITHUB_WEBHOOK_SECRET); X-GitHub-Event names the event and X-GitHub-Delivery deduplicates it. Other events are acknowledged and ignored.',
    tag: 'webhooks',
    requiredRole: 'public',
    requestBody: webhookPayloadSchema,
    responses: receipt,
    errors: [401, 404, 503],
  },
  {
    method: 'POST',
    path: '/api/v1/webhooks/gitlab',
    operationId: 'receiveGitlabWebhook',
    summary: 'GitLab webhook: Push Hook, Tag Push Hook, Merge Request Hook, Pipeline Hook',
    description:
      'Authenticated by X-Gitlab-Token (GANTRY_GITLAB_WEBHOOK_TOKEN); X-Gitlab-Event names the event and X-Gitlab-Event-UUID deduplicates it. Other events are acknowledged and ignored.',
    tag: 'webhooks',
    requiredRole: 'public',
    requestBody: webhookPayloadSchema,
    responses: receipt,
    errors: [401, 404, 503],
  },
  {
    method: 'POST',
    path: '/api/v1/webhooks/alertmanager',
    operationId: 'receiveAlertmanagerWebhook',
    summary: 'Alertmanager webhook (payload version 4): one alert.changed event per alert',
    description:
      'Authenticated by Authorization: Bearer <GANTRY_ALERTMANAGER_TOKEN>, or basic auth whose password is that token (any user name). A notification retried with the same alerts is acknowledged and ignored.',
    tag: 'webhooks',
    requiredRole: 'public',
    requestBody: webhookPayloadSchema,
    responses: receipt,
    errors: [401, 404, 503],
  },
  {
    method: 'POST',
    path: '/api/v1/webhooks/ci',
    operationId: 'receiveCiWebhook',
    summary: 'Register a release from any CI, signed with X-Gantry-Signature',
    description:
      'X-Gantry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with GANTRY_CI_WEBHOOK_SECRET>, refused when t is more than 5 minutes off. The body and the answer are those of POST /api/v1/releases; the audit log records the actor webhook:ci.',
    tag: 'webhooks',
    requiredRole: 'public',
    requestBody: createReleaseSchema,
    responses: { 201: releaseDtoSchema, 200: releaseDtoSchema },
    errors: [401, 404, 409, 503],
  },
]);
