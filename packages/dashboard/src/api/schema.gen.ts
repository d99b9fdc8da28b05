// Generated from packages/gantry/schema/openapi.json by npm run schema:api. Do not edit.

export type paths = {
  '/api/v1/dead-letters': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List dead letters, newest first
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listDeadLetters'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/dead-letters/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Show one dead letter with its payload and last error
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getDeadLetter'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/dead-letters/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Replay every dead letter matching a filter
     * @description Needs an API token with role admin.
     */
    post: operations['replayDeadLetters'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/dead-letters/{id}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Hand one dead letter back to its consumer group
     * @description Needs an API token with role admin.
     */
    post: operations['replayDeadLetter'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/session': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The calling token's name, role and stages
     * @description A sign-in check: 200 with the role when the token is valid, 401 when it is not.
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['getSession'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List API tokens, revoked ones included (never their secrets)
     * @description Needs an API token with role admin.
     */
    get: operations['listTokens'];
    put?: never;
    /**
     * Create an API token
     * @description The answer holds the token itself, which Gantry does not keep (only its SHA-256): store it now. Names are unique, revoked tokens included. Idempotency-Key is ignored here, as the answer cannot be stored.
     *
     *     Needs an API token with role admin.
     */
    post: operations['createToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/tokens/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke an API token by id or name
     * @description Takes effect on the next request. Revoking a revoked token changes nothing; the last active admin token cannot be revoked (409).
     *
     *     Needs an API token with role admin.
     */
    post: operations['revokeToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Read the audit log, newest first
     * @description Who did what to what, and why. Page with limit and the nextCursor of the previous page. Needs the approver role: the log shows every stage.
     *
     *     Needs an API token with role approver or stronger.
     */
    get: operations['listAuditEntries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/pipelines': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Apply a gantry.yaml
     * @description Makes each service declared in the file current. Idempotent: the same declaration again is `unchanged`; a changed one becomes the next revision, and promotions in flight keep the revision they started with. Errors name file, line, column and path. With dryRun=true nothing is stored.
     *
     *     Needs an API token with role admin.
     */
    put: operations['applyPipelines'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/services': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List declared services with their current pipeline revision
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listServices'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/releases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List releases with their evidence, newest first
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listReleases'];
    put?: never;
    /**
     * Register a release (what CI built)
     * @description Immutable: the same service and digest again returns the existing release with 200; a version already used for another digest is refused with 409. Without a version the next CalVer YYYY.MM.N is given. Evidence files are parsed before anything is stored.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['createRelease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/releases/{service}/{version}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A release with its evidence
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getRelease'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/releases/{service}/{version}/evidence': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Attach evidence: JUnit, coverage, Trivy or SARIF, a signature, a migration check
     * @description Needs an API token with role deployer or stronger.
     */
    post: operations['attachEvidence'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/releases/{service}/{version}/why': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Why a release can or cannot enter a stage: every gate, approval and freeze with its reason
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['explainRelease'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List promotions, newest first
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listPromotions'];
    put?: never;
    /**
     * Promote a release into a stage
     * @description Starts a promotion (202). Refused with 409 and the explanations when a gate is blocked or a freeze window holds the stage (override with override=true and a reason, approver role), or when the stage already has an active promotion.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['requestPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A promotion with every transition and decision
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getPromotion'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Approve a promotion waiting for approval
     * @description Needs an API token with role approver or stronger.
     */
    post: operations['approvePromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reject a promotion waiting for approval
     * @description Needs an API token with role approver or stronger.
     */
    post: operations['rejectPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/abort': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Stop a promotion that has not finished
     * @description Needs an API token with role deployer or stronger.
     */
    post: operations['abortPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/rollbacks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Promote the release that ran in a stage before (or a given one), marked as a rollback
     * @description Needs an API token with role deployer or stronger.
     */
    post: operations['rollback'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The service × stage matrix: current release, since when, active promotion
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Continue a paused rollout
     * @description Ends a pause step (timed or not) or accepts an inconclusive analysis, and the rollout goes on with its next step. 409 when the rollout is not paused.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['resumePromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/promote-full': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Skip the remaining rollout steps
     * @description The new version takes every request now and the old one drains.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['promoteFull'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/promotions/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Promote the same release into the same stage again
     * @description Starts a new promotion (202) of the release of a promotion that failed, rolled back, was rejected or aborted.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['retryPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/services/{service}/stages/{stage}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Replica logs of a local stage
     * @description The last lines of each replica of a version (default: the version being rolled out, else the stable one). With follow=true, a text/plain stream of `[replica] line` lines that stays open until the client goes.
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['getReplicaLogs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/previews': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Pull requests' previews
     * @description Open previews (active, or closing while their stage is torn down), most recently active first, with the URL they answer on. all=true adds closed ones.
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['listPreviews'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/github': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * GitHub webhook: push, pull_request, workflow_run, ping
     * @description Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the body with GANTRY_GITHUB_WEBHOOK_SECRET); X-GitHub-Event names the event and X-GitHub-Delivery deduplicates it. Other events are acknowledged and ignored.
     *
     *     Needs no API token.
     */
    post: operations['receiveGithubWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/gitlab': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * GitLab webhook: Push Hook, Tag Push Hook, Merge Request Hook, Pipeline Hook
     * @description Authenticated by X-Gitlab-Token (GANTRY_GITLAB_WEBHOOK_TOKEN); X-Gitlab-Event names the event and X-Gitlab-Event-UUID deduplicates it. Other events are acknowledged and ignored.
     *
     *     Needs no API token.
     */
    post: operations['receiveGitlabWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/alertmanager': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Alertmanager webhook (payload version 4): one alert.changed event per alert
     * @description Authenticated by Authorization: Bearer <GANTRY_ALERTMANAGER_TOKEN>, or basic auth whose password is that token (any user name). A notification retried with the same alerts is acknowledged and ignored.
     *
     *     Needs no API token.
     */
    post: operations['receiveAlertmanagerWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/ci': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Register a release from any CI, signed with X-Gantry-Signature
     * @description X-Gantry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with GANTRY_CI_WEBHOOK_SECRET>, refused when t is more than 5 minutes off. The body and the answer are those of POST /api/v1/releases; the audit log records the actor webhook:ci.
     *
     *     Needs no API token.
     */
    post: operations['receiveCiWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/incidents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List incidents, newest first
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listIncidents'];
    put?: never;
    /**
     * Open an incident by hand (from a source other than Alertmanager)
     * @description Linked to the given promotion, or, when a stage is given, to the latest promotion into it. An incident opened by hand never rolls back by itself; use POST /api/v1/rollbacks.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['openIncident'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/incidents/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One incident, with what Gantry did about its promotion
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getIncident'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/incidents/{id}/resolve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resolve an open incident
     * @description Needs an API token with role deployer or stronger.
     */
    post: operations['resolveIncident'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/incidents/{id}/link': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Link an incident to the promotion that caused it
     * @description Replaces an earlier link; the promotion must be of the service and stage the incident is about.
     *
     *     Needs an API token with role deployer or stronger.
     */
    post: operations['linkIncident'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/channels': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The configured channels and their subscriptions (secret references, never secrets)
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listNotificationChannels'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/channels/{name}/test': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Post a test message to a channel now and report its answer
     * @description Not queued and not retried: the answer (ok, HTTP status, error) is in the response.
     *
     *     Needs an API token with role admin.
     */
    post: operations['testNotificationChannel'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List notification deliveries, newest first
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['listNotificationDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/deliveries/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One delivery with its content, attempts and last error
     * @description Needs an API token with role viewer or stronger.
     */
    get: operations['getNotificationDelivery'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/deliveries/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send every dead delivery matching a filter again
     * @description Needs an API token with role admin.
     */
    post: operations['replayNotificationDeliveries'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/notifications/deliveries/{id}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a dead delivery again, with a fresh attempt count
     * @description Needs an API token with role admin.
     */
    post: operations['replayNotificationDelivery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/releases/{service}/{version}/changes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A release's changes: the commits since the previous production release
     * @description Found by following the parent links of recorded pushes from the release commit back to the previous production release. When they do not reach it, historyKnown is false and the changes are the release commit alone.
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['getReleaseChanges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/dora': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The four DORA metrics of the fleet, a team or a service, with bands and a weekly series
     * @description Deployment frequency, lead time for changes, change failure rate and failed-deployment recovery time over a window, computed from production promotions, recorded commits and incidents (definitions: docs/dora.md).
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['getDoraMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Promotion, rollout, release and incident events as they happen (server-sent events)
     * @description A text/event-stream that stays open. Each event has `id` (the outbox seq), `event` (the type) and one `data` line of JSON. Send the last id back as the Last-Event-ID header when reconnecting to get what was missed; a client that missed too much gets `event: reset` and should reload what it shows. A comment line (`: keep-alive`) comes every 15 s. Example: curl -N -H "Authorization: Bearer $GANTRY_TOKEN" http://127.0.0.1:7070/api/v1/stream
     *
     *     Needs an API token with role viewer or stronger.
     */
    get: operations['streamEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
};
export type webhooks = Record<string, never>;
export type components = {
  schemas: {
    /** @description RFC 9457 problem details. */
    Problem: {
      /**
       * Format: uri
       * @description https://gantry.dev/problems/<code>
       */
      type: string;
      title: string;
      status: number;
      /** @description What went wrong and what to do about it. */
      detail: string;
      /** @description Stable snake_case code. */
      code: string;
      /** @description Quote it when asking about a failed request. */
      requestId?: string;
      /** @description Every problem with the input (validation_failed). */
      issues?: {
        path: string;
        message: string;
      }[];
      /** @description Why a request was refused, one reason each (e.g. the gates a promotion failed). */
      explanations?: {
        kind: string;
        name: string;
        state: string;
        reason: string;
      }[];
    } & {
      [key: string]: unknown;
    };
  };
  responses: {
    /** @description The request is malformed or invalid; `issues` lists each problem. */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description No API token, or an unknown or revoked one. */
    Unauthorized: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The token's role or stages do not allow this; the detail says what is needed. */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The thing named in the path does not exist. */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The request conflicts with the current state, or its Idempotency-Key is in use. */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The request body is larger than the limit. */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The Idempotency-Key was used before for a different request. */
    UnprocessableContent: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Unexpected error; the detail names the request id to look for in the log. */
    InternalError: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description A dependency is unavailable; retry later. */
    Unavailable: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: {
    /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
    IdempotencyKey: string;
  };
  requestBodies: never;
  headers: {
    /** @description true when this is the stored answer to an earlier request with the same Idempotency-Key. */
    IdempotentReplayed: 'true';
  };
  pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
  listDeadLetters: {
    parameters: {
      query?: {
        status?: 'dead' | 'replaying' | 'resolved';
        group?: string;
        type?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              consumerGroup: string;
              /** Format: uuid */
              eventId: string;
              type: string;
              key: string;
              /** @enum {string} */
              status: 'dead' | 'replaying' | 'resolved';
              attempts: number;
              lastError: string;
              /** Format: date-time */
              occurredAt: string;
              /** Format: date-time */
              firstFailedAt: string;
              /** Format: date-time */
              deadAt: string;
              replayCount: number;
              lastReplayedAt: string | null;
              resolvedAt: string | null;
              schemaVersion: number;
              payload: unknown;
              headers: {
                [key: string]: string;
              };
            }[];
            /** @description Pass as cursor for the next page; absent on the last. */
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  getDeadLetter: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            consumerGroup: string;
            /** Format: uuid */
            eventId: string;
            type: string;
            key: string;
            /** @enum {string} */
            status: 'dead' | 'replaying' | 'resolved';
            attempts: number;
            lastError: string;
            /** Format: date-time */
            occurredAt: string;
            /** Format: date-time */
            firstFailedAt: string;
            /** Format: date-time */
            deadAt: string;
            replayCount: number;
            lastReplayedAt: string | null;
            resolvedAt: string | null;
            schemaVersion: number;
            payload: unknown;
            headers: {
              [key: string]: string;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  replayDeadLetters: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          group?: string;
          type?: string;
        };
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              deadLetter: {
                /** Format: uuid */
                id: string;
                consumerGroup: string;
                /** Format: uuid */
                eventId: string;
                type: string;
                key: string;
                /** @enum {string} */
                status: 'dead' | 'replaying' | 'resolved';
                attempts: number;
                lastError: string;
                /** Format: date-time */
                occurredAt: string;
                /** Format: date-time */
                firstFailedAt: string;
                /** Format: date-time */
                deadAt: string;
                replayCount: number;
                lastReplayedAt: string | null;
                resolvedAt: string | null;
                schemaVersion: number;
                payload: unknown;
                headers: {
                  [key: string]: string;
                };
              };
              /** @description False when the event had already been handled; nothing was queued. */
              queued: boolean;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  replayDeadLetter: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            deadLetter: {
              /** Format: uuid */
              id: string;
              consumerGroup: string;
              /** Format: uuid */
              eventId: string;
              type: string;
              key: string;
              /** @enum {string} */
              status: 'dead' | 'replaying' | 'resolved';
              attempts: number;
              lastError: string;
              /** Format: date-time */
              occurredAt: string;
              /** Format: date-time */
              firstFailedAt: string;
              /** Format: date-time */
              deadAt: string;
              replayCount: number;
              lastReplayedAt: string | null;
              resolvedAt: string | null;
              schemaVersion: number;
              payload: unknown;
              headers: {
                [key: string]: string;
              };
            };
            /** @description False when the event had already been handled; nothing was queued. */
            queued: boolean;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description The token's name */
            name: string;
            /** @enum {string} */
            role: 'viewer' | 'deployer' | 'approver' | 'admin';
            /** @description The stages the token may act on; null means every stage */
            stages: string[] | null;
          };
        };
      };
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  listTokens: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              name: string;
              /** @enum {string} */
              role: 'viewer' | 'deployer' | 'approver' | 'admin';
              stages: string[] | null;
              /** @description The first characters of the token after gty_, to tell tokens apart. */
              prefix: string;
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              /** @description Updated at most once a minute. */
              lastUsedAt: string | null;
              revokedAt: string | null;
            }[];
          };
        };
      };
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  createToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** @enum {string} */
          role: 'viewer' | 'deployer' | 'approver' | 'admin';
          /** @description The stages the token may act on; absent or null: every stage. */
          stages?: string[] | null;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            token: {
              /** Format: uuid */
              id: string;
              name: string;
              /** @enum {string} */
              role: 'viewer' | 'deployer' | 'approver' | 'admin';
              stages: string[] | null;
              /** @description The first characters of the token after gty_, to tell tokens apart. */
              prefix: string;
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              /** @description Updated at most once a minute. */
              lastUsedAt: string | null;
              revokedAt: string | null;
            };
            /** @description The API token itself. Shown only in this answer: store it now. */
            secret: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
    };
  };
  revokeToken: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        /** @description The token id, or its name. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            role: 'viewer' | 'deployer' | 'approver' | 'admin';
            stages: string[] | null;
            /** @description The first characters of the token after gty_, to tell tokens apart. */
            prefix: string;
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** @description Updated at most once a minute. */
            lastUsedAt: string | null;
            revokedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  listAuditEntries: {
    parameters: {
      query?: {
        actor?: string;
        /** @description Exact match, or a prefix when it ends with * (e.g. promotion.*). */
        action?: string;
        /** @description Exact match, or a prefix when it ends with * (e.g. promotion.*). */
        target?: string;
        /** @description An ISO 8601 time, or a duration back from now such as 24h or 7d. */
        since?: string;
        /** @description An ISO 8601 time, or a duration back from now such as 24h or 7d. */
        until?: string;
        limit?: number;
        /** @description nextCursor of the previous page. */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: number;
              /** Format: date-time */
              at: string;
              /** @description Token name, or system:… for Gantry itself. */
              actor: string;
              action: string;
              target: string;
              reason: string | null;
              requestId: string | null;
              details: {
                [key: string]: unknown;
              } | null;
            }[];
            /** @description Pass as cursor for the next page; absent on the last. */
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  applyPipelines: {
    parameters: {
      query?: {
        /** @description Validate only; store nothing */
        dryRun?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description Named in error messages
           * @default gantry.yaml
           */
          fileName?: string;
          /** @description The gantry.yaml text */
          content: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            dryRun: boolean;
            items: {
              service: string;
              revision: number | null;
              /** @enum {string} */
              outcome: 'created' | 'updated' | 'unchanged' | 'valid';
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
    };
  };
  listServices: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              name: string;
              team: string;
              image: string;
              sourceRepo: string | null;
              revision: number;
              updatedAt: string;
            }[];
          };
        };
      };
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  listReleases: {
    parameters: {
      query?: {
        service?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              service: string;
              version: string;
              image: string;
              digest: string;
              commit: string;
              commitTime: string | null;
              createdBy: string;
              createdAt: string;
              evidence?: {
                kind: string;
                source: string;
                attachedBy: string;
                attachedAt: string;
                summary: {
                  [key: string]: unknown;
                };
              }[];
            }[];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  createRelease: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          service: string;
          /** @description Image repository, e.g. ghcr.io/acme/checkout */
          image: string;
          /** @description sha256: followed by 64 hex characters */
          digest: string;
          commit: string;
          /** Format: date-time */
          commitTime?: string;
          /** @description Omit to get the next CalVer YYYY.MM.N */
          version?: string;
          evidence?: {
            /** @description JUnit XML test report */
            junit?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Istanbul coverage-summary.json or Cobertura XML */
            coverage?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Trivy JSON report */
            trivy?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description SARIF 2.1.0 scan results */
            sarif?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Base64 signature over the digest string, as cosign sign-blob writes it */
            signature?: string;
            /** @enum {string} */
            migrationCheck?: 'passed' | 'failed';
          };
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      /** @description Created */
      201: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getRelease: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        service: string;
        version: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  attachEvidence: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        service: string;
        version: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description JUnit XML test report */
          junit?: {
            /** @description The file name, quoted back in gate explanations */
            fileName: string;
            /** @description The file as CI wrote it (XML or JSON text) */
            content: string;
          };
          /** @description Istanbul coverage-summary.json or Cobertura XML */
          coverage?: {
            /** @description The file name, quoted back in gate explanations */
            fileName: string;
            /** @description The file as CI wrote it (XML or JSON text) */
            content: string;
          };
          /** @description Trivy JSON report */
          trivy?: {
            /** @description The file name, quoted back in gate explanations */
            fileName: string;
            /** @description The file as CI wrote it (XML or JSON text) */
            content: string;
          };
          /** @description SARIF 2.1.0 scan results */
          sarif?: {
            /** @description The file name, quoted back in gate explanations */
            fileName: string;
            /** @description The file as CI wrote it (XML or JSON text) */
            content: string;
          };
          /** @description Base64 signature over the digest string, as cosign sign-blob writes it */
          signature?: string;
          /** @enum {string} */
          migrationCheck?: 'passed' | 'failed';
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  explainRelease: {
    parameters: {
      query: {
        stage: string;
      };
      header?: never;
      path: {
        service: string;
        version: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            service: string;
            version: string;
            stage: string;
            promotionId: string | null;
            phase: string | null;
            /** @enum {string} */
            verdict: 'pass' | 'pending' | 'blocked';
            items: {
              /** @enum {string} */
              kind: 'gate' | 'approval' | 'freeze';
              name: string;
              /** @enum {string} */
              state: 'passed' | 'pending' | 'blocked';
              reason: string;
              stage?: string;
            }[];
            autoHold: {
              version: string;
              actor: string;
              at: string;
            } | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  listPromotions: {
    parameters: {
      query?: {
        service?: string;
        /** @description Only the promotions of this team's services. */
        team?: string;
        stage?: string;
        /** @description A phase, or several separated by commas (Failed,RolledBack). */
        phase?: string;
        /** @description true: only promotions into production stages; false: only the others. */
        production?: 'true' | 'false';
        /** @description true: only production deployments as DORA counts them (into a production stage, applied, not a rollback). */
        deployment?: 'true' | 'false';
        /** @description Finished at or after this time (ISO 8601 or 7d). */
        finishedSince?: string;
        /** @description Finished before this time (ISO 8601 or 7d). */
        finishedUntil?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              service: string;
              stage: string;
              version: string;
              releaseId: string;
              /** @enum {string} */
              phase:
                | 'Pending'
                | 'WaitingForGates'
                | 'WaitingForApproval'
                | 'Applying'
                | 'Verifying'
                | 'Succeeded'
                | 'Failed'
                | 'Rejected'
                | 'Aborted'
                | 'RolledBack';
              /** @enum {string} */
              trigger: 'manual' | 'auto' | 'rollback';
              requestedBy: string;
              reason: string | null;
              message: string | null;
              appliedRevision: string | null;
              pipelineRevision: number;
              freezeOverride: {
                actor: string;
                reason: string;
              } | null;
              createdAt: string;
              updatedAt: string;
              finishedAt: string | null;
              transitions?: {
                from: string | null;
                to: string;
                actor: string;
                reason: string;
                at: string;
              }[];
              decisions?: {
                actor: string;
                /** @enum {string} */
                decision: 'approved' | 'rejected';
                comment: string | null;
                at: string;
              }[];
              rollout?: {
                /** @enum {string} */
                strategy: 'rolling' | 'canary' | 'blueGreen';
                status: string;
                step: number;
                steps: string[];
                weight: number;
                pausedUntil: string | null;
                message: string | null;
                history: {
                  at: string;
                  step: number;
                  weight: number;
                  status: string;
                }[];
                analysis: {
                  id: string;
                  label: string;
                  phase: string;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string | null;
                  args: {
                    [key: string]: string;
                  };
                  metrics: {
                    name: string;
                    successCondition: string | null;
                    failureCondition: string | null;
                    failureLimit: number;
                  }[];
                  measurements: {
                    metric: string;
                    phase: string;
                    value: unknown;
                    message: string | null;
                    startedAt: string;
                    finishedAt: string;
                  }[];
                }[];
              };
            }[];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  requestPromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          service: string;
          version: string;
          stage: string;
          reason?: string;
          /** @description Go through an active freeze window (approver tokens; needs a reason) */
          override?: boolean;
        };
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getPromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  approvePromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          comment?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  rejectPromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  abortPromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  rollback: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          service: string;
          stage: string;
          /** @description Omit for the release that ran there before the current one */
          version?: string;
          reason?: string;
        };
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getStatus: {
    parameters: {
      query?: {
        service?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              service: string;
              team: string;
              stages: {
                stage: string;
                currentVersion: string | null;
                since: string | null;
                activePromotion: {
                  id: string;
                  version: string;
                  phase: string;
                  message: string | null;
                } | null;
                autoHold: {
                  version: string;
                  actor: string;
                  at: string;
                } | null;
                /** @description The freeze window holding the stage now */
                freeze: {
                  reason: string | null;
                  since: string;
                  until: string;
                } | null;
              }[];
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  resumePromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  promoteFull: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  retryPromotion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            stage: string;
            version: string;
            releaseId: string;
            /** @enum {string} */
            phase:
              | 'Pending'
              | 'WaitingForGates'
              | 'WaitingForApproval'
              | 'Applying'
              | 'Verifying'
              | 'Succeeded'
              | 'Failed'
              | 'Rejected'
              | 'Aborted'
              | 'RolledBack';
            /** @enum {string} */
            trigger: 'manual' | 'auto' | 'rollback';
            requestedBy: string;
            reason: string | null;
            message: string | null;
            appliedRevision: string | null;
            pipelineRevision: number;
            freezeOverride: {
              actor: string;
              reason: string;
            } | null;
            createdAt: string;
            updatedAt: string;
            finishedAt: string | null;
            transitions?: {
              from: string | null;
              to: string;
              actor: string;
              reason: string;
              at: string;
            }[];
            decisions?: {
              actor: string;
              /** @enum {string} */
              decision: 'approved' | 'rejected';
              comment: string | null;
              at: string;
            }[];
            rollout?: {
              /** @enum {string} */
              strategy: 'rolling' | 'canary' | 'blueGreen';
              status: string;
              step: number;
              steps: string[];
              weight: number;
              pausedUntil: string | null;
              message: string | null;
              history: {
                at: string;
                step: number;
                weight: number;
                status: string;
              }[];
              analysis: {
                id: string;
                label: string;
                phase: string;
                message: string | null;
                startedAt: string;
                finishedAt: string | null;
                args: {
                  [key: string]: string;
                };
                metrics: {
                  name: string;
                  successCondition: string | null;
                  failureCondition: string | null;
                  failureLimit: number;
                }[];
                measurements: {
                  metric: string;
                  phase: string;
                  value: unknown;
                  message: string | null;
                  startedAt: string;
                  finishedAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getReplicaLogs: {
    parameters: {
      query?: {
        version?: string;
        replica?: number;
        lines?: number;
        follow?: 'true' | 'false';
      };
      header?: never;
      path: {
        service: string;
        stage: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            service: string;
            stage: string;
            version: string;
            replicas: {
              replica: number;
              lines: string[];
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  listPreviews: {
    parameters: {
      query?: {
        service?: string;
        /** @description Also list closed previews */
        all?: 'true' | 'false';
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              service: string;
              /** @description pr-<number> */
              stage: string;
              /** @description The pull request number */
              number: number;
              /** @enum {string} */
              status: 'active' | 'closing' | 'closed';
              /** @description Where the preview answers; null while nothing runs there */
              url: string | null;
              title: string;
              author: string;
              pullRequestUrl: string;
              headSha: string;
              headRef: string;
              /** @description merged, closed or expired */
              closeReason: string | null;
              /** @description Why the last teardown attempt failed */
              lastError: string | null;
              openedAt: string;
              lastActivityAt: string;
              closedAt: string | null;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  receiveGithubWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          [key: string]: unknown;
        };
      };
    };
    responses: {
      /** @description Acknowledged: a duplicate, or nothing to do (the body says why) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      /** @description Accepted: the events are stored; their work happens next */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
      503: components['responses']['Unavailable'];
    };
  };
  receiveGitlabWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          [key: string]: unknown;
        };
      };
    };
    responses: {
      /** @description Acknowledged: a duplicate, or nothing to do (the body says why) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      /** @description Accepted: the events are stored; their work happens next */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
      503: components['responses']['Unavailable'];
    };
  };
  receiveAlertmanagerWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          [key: string]: unknown;
        };
      };
    };
    responses: {
      /** @description Acknowledged: a duplicate, or nothing to do (the body says why) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      /** @description Accepted: the events are stored; their work happens next */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description accepted: events written (202); duplicate: delivered before, nothing written; ignored: nothing to do
             * @enum {string}
             */
            outcome: 'accepted' | 'duplicate' | 'ignored';
            /** @enum {string} */
            provider: 'github' | 'gitlab' | 'alertmanager' | 'ci';
            /** @description The provider event, e.g. push, pull_request.opened, Pipeline Hook.success, firing */
            event: string;
            /** @description The id that deduplicates the delivery */
            deliveryId?: string;
            /** @description Types of the events written to the outbox */
            events?: string[];
            message: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
      503: components['responses']['Unavailable'];
    };
  };
  receiveCiWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          service: string;
          /** @description Image repository, e.g. ghcr.io/acme/checkout */
          image: string;
          /** @description sha256: followed by 64 hex characters */
          digest: string;
          commit: string;
          /** Format: date-time */
          commitTime?: string;
          /** @description Omit to get the next CalVer YYYY.MM.N */
          version?: string;
          evidence?: {
            /** @description JUnit XML test report */
            junit?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Istanbul coverage-summary.json or Cobertura XML */
            coverage?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Trivy JSON report */
            trivy?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description SARIF 2.1.0 scan results */
            sarif?: {
              /** @description The file name, quoted back in gate explanations */
              fileName: string;
              /** @description The file as CI wrote it (XML or JSON text) */
              content: string;
            };
            /** @description Base64 signature over the digest string, as cosign sign-blob writes it */
            signature?: string;
            /** @enum {string} */
            migrationCheck?: 'passed' | 'failed';
          };
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            service: string;
            version: string;
            image: string;
            digest: string;
            commit: string;
            commitTime: string | null;
            createdBy: string;
            createdAt: string;
            evidence?: {
              kind: string;
              source: string;
              attachedBy: string;
              attachedAt: string;
              summary: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      500: components['responses']['InternalError'];
      503: components['responses']['Unavailable'];
    };
  };
  listIncidents: {
    parameters: {
      query?: {
        status?: 'open' | 'resolved';
        service?: string;
        stage?: string;
        /** @description Opened at or after this time (ISO 8601 or 7d). */
        openedSince?: string;
        /** @description Opened before this time (ISO 8601 or 7d). */
        openedUntil?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              source: string;
              fingerprint: string;
              title: string;
              service: string | null;
              stage: string | null;
              /** @enum {string} */
              status: 'open' | 'resolved';
              severity: string | null;
              url: string | null;
              labels: {
                [key: string]: string;
              };
              promotionId: string | null;
              openedBy: string;
              openedAt: string;
              resolvedBy: string | null;
              resolvedAt: string | null;
              rollback: {
                /** @enum {string} */
                action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
                promotionId: string | null;
                reason: string;
                at: string;
              } | null;
            }[];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  openIncident: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          title: string;
          service?: string;
          /** @description Omit for a service-level incident */
          stage?: string;
          severity?: string;
          /** Format: uri */
          url?: string;
          /**
           * Format: uuid
           * @description The promotion that caused it; default: the latest promotion into the stage
           */
          promotion?: string;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            source: string;
            fingerprint: string;
            title: string;
            service: string | null;
            stage: string | null;
            /** @enum {string} */
            status: 'open' | 'resolved';
            severity: string | null;
            url: string | null;
            labels: {
              [key: string]: string;
            };
            promotionId: string | null;
            openedBy: string;
            openedAt: string;
            resolvedBy: string | null;
            resolvedAt: string | null;
            rollback: {
              /** @enum {string} */
              action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
              promotionId: string | null;
              reason: string;
              at: string;
            } | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getIncident: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            source: string;
            fingerprint: string;
            title: string;
            service: string | null;
            stage: string | null;
            /** @enum {string} */
            status: 'open' | 'resolved';
            severity: string | null;
            url: string | null;
            labels: {
              [key: string]: string;
            };
            promotionId: string | null;
            openedBy: string;
            openedAt: string;
            resolvedBy: string | null;
            resolvedAt: string | null;
            rollback: {
              /** @enum {string} */
              action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
              promotionId: string | null;
              reason: string;
              at: string;
            } | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  resolveIncident: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            source: string;
            fingerprint: string;
            title: string;
            service: string | null;
            stage: string | null;
            /** @enum {string} */
            status: 'open' | 'resolved';
            severity: string | null;
            url: string | null;
            labels: {
              [key: string]: string;
            };
            promotionId: string | null;
            openedBy: string;
            openedAt: string;
            resolvedBy: string | null;
            resolvedAt: string | null;
            rollback: {
              /** @enum {string} */
              action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
              promotionId: string | null;
              reason: string;
              at: string;
            } | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  linkIncident: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: uuid */
          promotion: string;
          reason: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            source: string;
            fingerprint: string;
            title: string;
            service: string | null;
            stage: string | null;
            /** @enum {string} */
            status: 'open' | 'resolved';
            severity: string | null;
            url: string | null;
            labels: {
              [key: string]: string;
            };
            promotionId: string | null;
            openedBy: string;
            openedAt: string;
            resolvedBy: string | null;
            resolvedAt: string | null;
            rollback: {
              /** @enum {string} */
              action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
              promotionId: string | null;
              reason: string;
              at: string;
            } | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  listNotificationChannels: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              name: string;
              /** @enum {string} */
              type: 'slack' | 'webhook';
              /** @description The secret reference the URL is read from (env:NAME or file:/path) */
              url: string;
              /** @description The signing secret reference (webhook channels) */
              secret?: string;
              timeout: string;
              concurrency: number;
              retry: {
                attempts: number;
                backoff: string;
                maxBackoff: string;
              };
              subscriptions: {
                events: string[];
                /** @description null: every service */
                services: string[] | null;
                /** @description null: every stage */
                stages: string[] | null;
              }[];
            }[];
          };
        };
      };
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  testNotificationChannel: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            channel: string;
            /** @description Whether the channel answered 2xx */
            ok: boolean;
            httpStatus: number | null;
            /** @description Why it failed (never the URL or a secret) */
            error: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  listNotificationDeliveries: {
    parameters: {
      query?: {
        status?: 'pending' | 'sent' | 'dead';
        channel?: string;
        type?: string;
        eventId?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              channel: string;
              /** Format: uuid */
              eventId: string;
              /** @description The notification, e.g. promotion.succeeded */
              type: string;
              subject: string;
              /** @enum {string} */
              status: 'pending' | 'sent' | 'dead';
              attempts: number;
              /** @description HTTP status of the last answer */
              lastStatus: number | null;
              lastError: string | null;
              /** @description When a pending delivery is tried next */
              nextAttemptAt: string | null;
              /** Format: date-time */
              occurredAt: string;
              /** Format: date-time */
              createdAt: string;
              sentAt: string | null;
              deadAt: string | null;
              replayCount: number;
              data: {
                [key: string]: unknown;
              };
            }[];
            /** @description Pass as cursor for the next page; absent on the last. */
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
  getNotificationDelivery: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            channel: string;
            /** Format: uuid */
            eventId: string;
            /** @description The notification, e.g. promotion.succeeded */
            type: string;
            subject: string;
            /** @enum {string} */
            status: 'pending' | 'sent' | 'dead';
            attempts: number;
            /** @description HTTP status of the last answer */
            lastStatus: number | null;
            lastError: string | null;
            /** @description When a pending delivery is tried next */
            nextAttemptAt: string | null;
            /** Format: date-time */
            occurredAt: string;
            /** Format: date-time */
            createdAt: string;
            sentAt: string | null;
            deadAt: string | null;
            replayCount: number;
            data: {
              [key: string]: unknown;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  replayNotificationDeliveries: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          channel?: string;
          type?: string;
        };
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              delivery: {
                /** Format: uuid */
                id: string;
                channel: string;
                /** Format: uuid */
                eventId: string;
                /** @description The notification, e.g. promotion.succeeded */
                type: string;
                subject: string;
                /** @enum {string} */
                status: 'pending' | 'sent' | 'dead';
                attempts: number;
                /** @description HTTP status of the last answer */
                lastStatus: number | null;
                lastError: string | null;
                /** @description When a pending delivery is tried next */
                nextAttemptAt: string | null;
                /** Format: date-time */
                occurredAt: string;
                /** Format: date-time */
                createdAt: string;
                sentAt: string | null;
                deadAt: string | null;
                replayCount: number;
                data: {
                  [key: string]: unknown;
                };
              };
              /** @description False when the delivery was not dead; nothing was changed. */
              queued: boolean;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  replayNotificationDelivery: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retried POST safe: the same key with the same request replays the first answer (with Idempotent-Replayed: true) for 24 hours; with a different request it is refused (422), and while the first is still running it answers 409. */
        'Idempotency-Key'?: components['parameters']['IdempotencyKey'];
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Accepted */
      202: {
        headers: {
          'Idempotent-Replayed': components['headers']['IdempotentReplayed'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            delivery: {
              /** Format: uuid */
              id: string;
              channel: string;
              /** Format: uuid */
              eventId: string;
              /** @description The notification, e.g. promotion.succeeded */
              type: string;
              subject: string;
              /** @enum {string} */
              status: 'pending' | 'sent' | 'dead';
              attempts: number;
              /** @description HTTP status of the last answer */
              lastStatus: number | null;
              lastError: string | null;
              /** @description When a pending delivery is tried next */
              nextAttemptAt: string | null;
              /** Format: date-time */
              occurredAt: string;
              /** Format: date-time */
              createdAt: string;
              sentAt: string | null;
              deadAt: string | null;
              replayCount: number;
              data: {
                [key: string]: unknown;
              };
            };
            /** @description False when the delivery was not dead; nothing was changed. */
            queued: boolean;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      422: components['responses']['UnprocessableContent'];
      500: components['responses']['InternalError'];
    };
  };
  getReleaseChanges: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        service: string;
        version: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            service: string;
            version: string;
            commit: string;
            /** @description false: the commits since the previous production release are not all recorded, so the changes are the release's own commit alone */
            historyKnown: boolean;
            /** @description Why the history is known or not */
            reason: string;
            /** @description The production release the changes are counted from */
            previous: {
              version: string;
              commit: string;
            } | null;
            /** @description Newest first */
            commits: {
              sha: string;
              committedAt: string | null;
              authorName: string | null;
              authorEmail: string | null;
              title: string | null;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  getDoraMetrics: {
    parameters: {
      query?: {
        /** @description Only this service */
        service?: string;
        /** @description Only the services of this team (the services' spec.team) */
        team?: string;
        /** @description Length of the window that ends at `until`: e.g. 30d (default), 12w, 90d; at most 730d */
        window?: string;
        /** @description End of the window (exclusive), ISO 8601; default now */
        until?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            scope: {
              service: string | null;
              team: string | null;
            };
            window: {
              start: string;
              end: string;
              /** @description UTC days the window touches */
              days: number;
              /** @description ISO weeks the window touches */
              weeks: number;
            };
            /** @description Where the performance bands come from */
            bandsSource: string;
            deploymentFrequency: {
              deployments: number;
              perDay: number;
              daysWithDeployment: number;
              daysShare: number;
              weeksWithDeployment: number;
              weeksShare: number;
              band: ('elite' | 'high' | 'medium' | 'low') | null;
            };
            leadTime: {
              commits: number;
              medianSeconds: number | null;
              p90Seconds: number | null;
              band: ('elite' | 'high' | 'medium' | 'low') | null;
            };
            changeFailureRate: {
              deployments: number;
              failed: number;
              rate: number | null;
              band: ('elite' | 'high' | 'medium' | 'low') | null;
            };
            recoveryTime: {
              failed: number;
              recovered: number;
              unrecovered: number;
              medianSeconds: number | null;
              band: ('elite' | 'high' | 'medium' | 'low') | null;
            };
            weekly: {
              /** @description Monday of the ISO week (UTC), YYYY-MM-DD */
              week: string;
              /** @description Successful production deployments finished that week */
              deployments: number;
              leadTimeCommits: number;
              leadTimeMedianSeconds: number | null;
              finishedDeployments: number;
              failedDeployments: number;
              changeFailureRate: number | null;
              recoveryMedianSeconds: number | null;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      500: components['responses']['InternalError'];
    };
  };
  streamEvents: {
    parameters: {
      query?: {
        /** @description Only these event types, separated by commas. Default: all of them. */
        types?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The event stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': {
            /** @description The outbox sequence number, also the SSE id: send it back as Last-Event-ID */
            seq: number;
            /** @description The event id (UUIDv7) */
            id: string;
            /** @enum {string} */
            type:
              | 'promotion.requested'
              | 'promotion.phase-changed'
              | 'promotion.decision-recorded'
              | 'rollout.progressed'
              | 'release.registered'
              | 'release.evidence-attached'
              | 'incident.opened'
              | 'incident.linked'
              | 'incident.resolved';
            /** @description What it is about: <service>/<stage> for promotions and rollouts */
            key: string;
            occurredAt: string;
            payload: {
              [key: string]: unknown;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      500: components['responses']['InternalError'];
    };
  };
}
